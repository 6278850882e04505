#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A pass over a JSON document's bytes, before it is decoded, for what JSONDecoder accepts
/// silently: a key repeated in one object (the decoder keeps one value, other tools another)
/// and nesting deep enough to exhaust the stack. Every store file goes through it
/// (`Store.decodeRecord`, `Runbook.decode`).
public enum JSONShape {
    /// No file the tool writes nests deeper than a few levels.
    public static let maxDepth = 32

    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Throws `Problem` (one sentence, without the file's name) if `bytes` is not one JSON
    /// value, repeats a key within an object, or nests deeper than `maxDepth`.
    public static func check(_ data: Data) throws {
        try data.withUnsafeBytes { raw in try check(raw.bindMemory(to: UInt8.self)) }
    }

    public static func check(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try check($0) }
    }

    static func check(_ buffer: UnsafeBufferPointer<UInt8>) throws {
        do {
            var scanner = ShapeScanner(bytes: buffer)
            // A byte-order mark, as some editors write, is accepted by the decoder too.
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { scanner.index = 3 }
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.index != buffer.count { throw scanner.invalid() }
        }
    }
}

private struct ShapeScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Where the scanner is, for messages: keys and array positions from the top (positions
    /// as numbers: the text of a path is made only for a message).
    var path: [PathPart] = []

    enum PathPart {
        case key(String)
        case position(Int)
    }

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func invalid() -> JSONShape.Problem {
        JSONShape.Problem(description: "it is not valid JSON (at byte \(index))")
    }

    var location: String {
        var s = ""
        for part in path {
            switch part {
            case let .position(n): s += "[\(n)]"
            case let .key(k): s += s.isEmpty ? k : "." + k
            }
        }
        return s.isEmpty ? "the top-level object" : "'\(s)'"
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw invalid() }
        index += 1
    }

    mutating func value(depth: Int) throws {
        guard let b = peek() else { throw invalid() }
        switch b {
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try string(keep: false)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw invalid()
        }
    }

    mutating func literal(_ word: String) throws {
        for b in word.utf8 {
            guard peek() == b else { throw invalid() }
            index += 1
        }
    }

    mutating func number() throws {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while let b = peek(), b >= 0x30, b <= 0x39 { index += 1; digits += 1 }
        guard digits > 0 else { throw invalid() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            digits = 0
            while let b = peek(), b >= 0x30, b <= 0x39 { index += 1; digits += 1 }
            guard digits > 0 else { throw invalid() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            digits = 0
            while let b = peek(), b >= 0x30, b <= 0x39 { index += 1; digits += 1 }
            guard digits > 0 else { throw invalid() }
        }
        if index == start { throw invalid() }
    }

    func tooDeep() -> JSONShape.Problem {
        JSONShape.Problem(description: "it nests more than \(JSONShape.maxDepth) levels deep at \(location); no incident file is shaped like that")
    }

    mutating func object(depth: Int) throws {
        if depth > JSONShape.maxDepth { throw tooDeep() }
        index += 1
        skipSpace()
        if peek() == UInt8(ascii: "}") { index += 1; return }
        // A few keys are compared one by one; a large object's go in a set.
        var few: [String] = []
        var many: Set<String>?
        while true {
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else { throw invalid() }
            let key = try string(keep: true)
            // Swift compares strings by canonical equivalence, as the decoder's dictionary does.
            let repeated: Bool
            if many != nil {
                repeated = !many!.insert(key).inserted
            } else if few.contains(key) {
                repeated = true
            } else {
                repeated = false
                few.append(key)
                if few.count > 16 { many = Set(few) }
            }
            if repeated {
                throw JSONShape.Problem(description: "the key '\(String(key.prefix(60)))' appears twice in \(location); other tools would read one value and incident another")
            }
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            path.append(.key(key))
            try value(depth: depth)
            path.removeLast()
            skipSpace()
            if peek() == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "}"))
            return
        }
    }

    mutating func array(depth: Int) throws {
        if depth > JSONShape.maxDepth { throw tooDeep() }
        index += 1
        skipSpace()
        if peek() == UInt8(ascii: "]") { index += 1; return }
        var n = 0
        while true {
            skipSpace()
            path.append(.position(n))
            try value(depth: depth)
            path.removeLast()
            n += 1
            skipSpace()
            if peek() == UInt8(ascii: ",") { index += 1; continue }
            try expect(UInt8(ascii: "]"))
            return
        }
    }

    /// Scans a string; with `keep`, returns its decoded value (escapes resolved).
    mutating func string(keep: Bool) throws -> String {
        index += 1
        let start = index
        var escaped = false
        while true {
            guard let b = peek() else { throw invalid() }
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw invalid() }
            if b == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard let e = peek() else { throw invalid() }
                if e == UInt8(ascii: "u") {
                    guard bytes.count - index > 4 else { throw invalid() }
                    for i in 1...4 where hexValue(bytes[index + i]) == nil { throw invalid() }
                    index += 5
                    continue
                }
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
                default: throw invalid()
                }
            }
            index += 1
        }
        let end = index
        index += 1
        guard keep else { return "" }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        return escaped ? unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    func hexValue(_ b: UInt8) -> UInt32? { jsonHexValue(b) }

    /// Resolves the escapes of a string already checked by `string`.
    func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        var scalars = String.UnicodeScalarView()
        func flush() {
            scalars.append(contentsOf: String(decoding: out, as: UTF8.self).unicodeScalars)
            out.removeAll()
        }
        var i = 0
        var pendingHigh: UInt32?
        while i < raw.count {
            let b = raw[i]
            guard b == UInt8(ascii: "\\") else {
                if pendingHigh != nil { flush(); scalars.append("\u{FFFD}"); pendingHigh = nil }
                out.append(b); i += 1; continue
            }
            let e = raw[i + 1]
            if e == UInt8(ascii: "u") {
                var v: UInt32 = 0
                for k in 2...5 { v = v << 4 | (hexValue(raw[i + k]) ?? 0) }
                i += 6
                flush()
                if let h = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(v) {
                        scalars.append(Unicode.Scalar(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00)) ?? "\u{FFFD}")
                        continue
                    }
                    scalars.append("\u{FFFD}")
                }
                if (0xD800...0xDBFF).contains(v) { pendingHigh = v; continue }
                scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
                continue
            }
            if pendingHigh != nil { flush(); scalars.append("\u{FFFD}"); pendingHigh = nil }
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            default: out.append(e)
            }
            i += 2
        }
        if pendingHigh != nil { flush(); scalars.append("\u{FFFD}") }
        flush()
        return String(scalars)
    }
}

/// The value of one hex digit of a JSON `\u` escape, or nil.
func jsonHexValue(_ b: UInt8) -> UInt32? {
    switch b {
    case 0x30...0x39: return UInt32(b - 0x30)
    case 0x41...0x46: return UInt32(b - 0x41 + 10)
    case 0x61...0x66: return UInt32(b - 0x61 + 10)
    default: return nil
    }
}
