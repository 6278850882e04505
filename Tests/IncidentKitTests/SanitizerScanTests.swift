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
