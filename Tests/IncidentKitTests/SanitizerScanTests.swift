import Testing
@testable import IncidentKit

/// `Sanitizer.isPlainText` skips eight printable ASCII bytes at a time: a control byte, DEL
/// or a dangerous scalar is still found at every position and every alignment.
@Suite struct SanitizerScanTests {
    static let printable = Array("abcXYZ019 ~!{}[]|\\/:;.,-_=+'\"`#$%^&*()<>?@".utf8)

    func text(_ length: Int, _ rng: inout SystemRandomNumberGenerator) -> [UInt8] {
        (0..<length).map { _ in Self.printable.randomElement(using: &rng)! }
    }

    @Test func everyBadByteIsFoundWherever() {
        var rng = SystemRandomNumberGenerator()
        let bad: [UInt8] = Array(0x00...0x08) + Array(0x0B...0x1F) + [0x7F]
        for length in 1...40 {
            for position in 0..<length {
                var bytes = text(length, &rng)
                #expect(Sanitizer.isPlainText(String(decoding: bytes, as: UTF8.self)))
                bytes[position] = bad.randomElement(using: &rng)!
                #expect(!Sanitizer.isPlainText(String(decoding: bytes, as: UTF8.self)), "\(bytes)")
                bytes[position] = [0x0A, 0x09].randomElement(using: &rng)!  // newline and tab are plain
                #expect(Sanitizer.isPlainText(String(decoding: bytes, as: UTF8.self)))
            }
        }
    }

    @Test func aBadByteBesideANewlineOrTabIsStillFound() {
        // The eight-byte test lets newlines and tabs through; a control byte in the same
        // eight must not slip through with them, in any pair of positions.
        var rng = SystemRandomNumberGenerator()
        let bad: [UInt8] = Array(0x00...0x08) + Array(0x0B...0x1F) + [0x7F]
        for length in 8...18 {
            for p in 0..<length {
                for q in 0..<length where q != p {
                    var bytes = text(length, &rng)
                    bytes[p] = [0x0A, 0x09].randomElement(using: &rng)!
                    bytes[q] = [0x0A, 0x09].randomElement(using: &rng)!
                    #expect(Sanitizer.isPlainText(String(decoding: bytes, as: UTF8.self)))
                    bytes[q] = bad.randomElement(using: &rng)!
                    #expect(!Sanitizer.isPlainText(String(decoding: bytes, as: UTF8.self)), "\(bytes)")
                }
            }
        }
    }

    @Test func exactByteMasksMarkEveryByteAndNoOther() {
        // Every byte value in every lane, the other lanes random: one mark per matching lane.
        var rng = SystemRandomNumberGenerator()
        for value in UInt8(0)...UInt8(0x7F) {
            for lane in 0..<8 {
                var lanes = (0..<8).map { _ in UInt8.random(in: 0...0x7F, using: &rng) }
                lanes[lane] = value
                let w = lanes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
                let newlines = lanes.enumerated().reduce(UInt64(0)) { $1.element == 0x0A ? $0 | 0x80 << (8 * UInt64($1.offset)) : $0 }
                let controls = lanes.enumerated().reduce(UInt64(0)) { $1.element < 0x20 ? $0 | 0x80 << (8 * UInt64($1.offset)) : $0 }
                #expect(ByteScan.exactMatches(w, 0x0A) == newlines, "\(lanes)")
                #expect(ByteScan.controls(w) == controls, "\(lanes)")
            }
        }
    }

    @Test func scalarsPastASCIIAreJudgedOneByOne() {
        var rng = SystemRandomNumberGenerator()
        for length in 0...24 {
            for insert in ["é", "日本", "🙂", "\u{202E}", "\u{200B}", "\u{1B}[31m", "\u{85}"] {
                let a = String(decoding: text(length, &rng), as: UTF8.self), b = String(decoding: text(9, &rng), as: UTF8.self)
                let s = a + insert + b
                let expected = ["é", "日本", "🙂"].contains(insert)
                #expect(Sanitizer.isPlainText(s) == expected, "\(s.debugDescription)")
            }
        }
    }
}

/// The index reader's eight-bytes-at-a-time test for text that is its own bytes: it must agree
/// with a byte-by-byte reading for every bad byte at every position and alignment.
@Suite struct IndexTextScanTests {
    static let printable = Array("abcXYZ019 ~!{}[]|/:;.,-_=+'\"`#$%^&*()<>?@".utf8)

    /// What `IndexLine.text` means, one byte at a time: `\` starts a two-digit escape of a
    /// control character or a backslash; any other control character is damage.
    func slowText(_ bytes: [UInt8]) -> String? {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x20 { return nil }
            if b == 0x5C {
                guard i + 2 < bytes.count, let v = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16),
                      bytes[(i + 1)...(i + 2)].allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
                      v < 0x20 || v == 0x5C else { return nil }
                out.append(v)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    func read(_ bytes: [UInt8]) -> String? { bytes.withUnsafeBufferPointer { IndexLine.text($0) } }

    @Test func everyByteAtEveryPositionReadsAsByteByByte() {
        var rng = SystemRandomNumberGenerator()
        let odd: [UInt8] = Array(0x00...0x1F) + [0x5C, 0x7F, 0x80, 0xC3, 0xE6, 0xF0, 0xFF]
        for length in 1...27 {
            for position in 0..<length {
                var bytes = (0..<length).map { _ in Self.printable.randomElement(using: &rng)! }
                #expect(read(bytes) == String(decoding: bytes, as: UTF8.self))
                #expect(bytes.withUnsafeBufferPointer { IndexLine.isPlainASCII($0) })
                for b in odd {
                    bytes[position] = b
                    // DEL is plain to the index (the terminal sanitizer escapes it on output).
                    #expect(bytes.withUnsafeBufferPointer { IndexLine.isPlainASCII($0) } == (b == 0x7F), "\(bytes)")
                    #expect(read(bytes) == slowText(bytes), "\(bytes)")
                }
            }
        }
    }

    /// Fields split eight bytes at a time: the same pieces as a plain split, wherever the
    /// separators fall (first, last, doubled, in every alignment).
    @Test func fieldsSplitLikeAPlainSplit() {
        var rng = SystemRandomNumberGenerator()
        for length in 0...40 {
            for _ in 0..<60 {
                let bytes: [UInt8] = (0..<length).map { _ in [0x09, 0x1F, 0x61, 0x62, 0x89].randomElement(using: &rng)! }
                for separator: UInt8 in [0x09, 0x1F] {
                    var pieces: [[UInt8]] = []
                    bytes.withUnsafeBufferPointer { p in
                        var f = IndexLine.Fields(p, separator)
                        while let piece = f.next() { pieces.append(Array(piece)) }
                        #expect(f.atEnd)
                    }
                    #expect(pieces == bytes.split(separator: separator, omittingEmptySubsequences: false).map(Array.init), "\(bytes)")
                }
            }
        }
    }

    /// The line checksum reads its last bytes with one load: the value must be what a byte-by-
    /// byte reading gives (indexes written before compare equal).
    @Test func theChecksumIsUnchangedForEveryLength() {
        func reference(_ bytes: [UInt8]) -> UInt64 {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            var i = 0
            while i + 8 <= bytes.count {
                var w: UInt64 = 0
                for k in 0..<8 { w |= UInt64(bytes[i + k]) << UInt64(8 * k) }
                h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i += 8
            }
            var tail: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count { tail |= UInt64(bytes[i]) << shift; shift += 8; i += 1 }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
            h = h &* 0xBF58_476D_1CE4_E5B9
            return h ^ (h >> 32)
        }
        var rng = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(IndexLine.checksum(bytes) == reference(bytes), "\(length)")
        }
    }

    /// Numbers parse eight digits at a time: every length and a bad byte at every position.
    @Test func numbersParseLikeTheirDigits() {
        var rng = SystemRandomNumberGenerator()
        func parse(_ bytes: [UInt8]) -> UInt64? { bytes.withUnsafeBufferPointer { IndexLine.uint($0) } }
        for length in 1...20 {
            for _ in 0..<50 {
                let digits = (0..<length).map { _ in UInt8.random(in: 0x30...0x39, using: &rng) }
                #expect(parse(digits) == UInt64(String(decoding: digits, as: UTF8.self)), "\(digits)")
                for position in 0..<length {
                    var bad = digits
                    bad[position] = [0x2F, 0x3A, 0x20, 0x00, 0xB0, 0x2D, 0x39 &+ 0x10].randomElement(using: &rng)!
                    #expect(parse(bad) == nil, "\(bad)")
                }
            }
        }
        #expect(parse(Array("18446744073709551615".utf8)) == UInt64.max)
        #expect(parse(Array("18446744073709551616".utf8)) == nil)
        #expect(parse(Array("0000000000001".utf8)) == 1)
    }

    @Test func escapesAndUTF8StillRead() {
        #expect(read(Array("tab\\09here".utf8)) == "tab\there")
        #expect(read(Array("back\\5cslash".utf8)) == "back\\slash")
        #expect(read(Array("Zürich 東京 outage".utf8)) == "Zürich 東京 outage")
        #expect(read([0x61, 0xC3]) == nil)  // a cut UTF-8 sequence
        #expect(read(Array("bad \\41 escape".utf8)) == nil)  // only controls and backslash are escaped
        #expect(read([]) == "")
    }
}

/// `TextBuilder` grows its own buffer: appends of every size keep every byte, and a copy of a
/// builder is a value (writing to one leaves the other as it was).
@Suite struct TextBuilderTests {
    @Test func appendsOfEverySizeKeepEveryByte() {
        var b = TextBuilder(capacity: 1)
        var expected: [UInt8] = []
        for n in 0..<300 {
            let piece = String(repeating: String(UnicodeScalar(UInt8(0x41 + n % 26))), count: n % 37)
            b.add(piece); expected += Array(piece.utf8)
            b.spaces(n % 5); expected += Array(repeating: 0x20, count: n % 5)
            b.number(n, width: n % 4); expected += Array(String(n).count >= n % 4 ? String(n).utf8 : (String(repeating: "0", count: n % 4 - String(n).count) + String(n)).utf8)
            b.add(byte: 0x0A); expected.append(0x0A)
        }
        #expect(b.bytes == expected)
        #expect(b.count == expected.count)
        #expect(b.string == String(decoding: expected, as: UTF8.self))
        #expect(b.withBytes { Array($0) } == expected)
    }

    @Test func aCopyIsItsOwnValue() {
        var a = TextBuilder(capacity: 4)
        a.add("shared")
        var b = a
        b.add(" and more, enough to grow the buffer past its first size")
        a.add(byte: 0x21)
        #expect(a.string == "shared!")
        #expect(b.string == "shared and more, enough to grow the buffer past its first size")
        let c = b
        b.spaces(2)
        #expect(c.string == "shared and more, enough to grow the buffer past its first size")
        #expect(b.string.hasSuffix("size  "))
    }

    @Test func spelledOutDurationsReadAsBefore() {
        let cases: [(SLADuration, String)] = [
            (SLADuration(1, .minutes), "1 minute"), (SLADuration(30, .minutes), "30 minutes"),
            (SLADuration(1, .hours), "1 hour"), (SLADuration(48, .hours), "48 hours"),
            (SLADuration(0, .days), "0 days"), (SLADuration(2, .weeks), "2 weeks"),
            (SLADuration(1, .businessDays), "1 business day"), (SLADuration(5, .businessDays), "5 business days"),
            (SLADuration(8, .businessHours), "8 business hours"),
        ]
        for (d, text) in cases {
            #expect(d.spelledOut == text)
            var b = TextBuilder()
            b.add("every ")
            d.addSpelledOut(to: &b)
            #expect(b.string == "every " + text)
        }
    }
}
