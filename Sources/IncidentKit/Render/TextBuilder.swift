/// A line of text built as UTF-8 bytes. On the paths that format thousands of short lines
/// (`sla`, `list`), `String`'s append and interpolation cost several times the bytes' worth.
public struct TextBuilder {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 80) { bytes.reserveCapacity(capacity) }

    public mutating func add(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func add(byte: UInt8) { bytes.append(byte) }

    public mutating func spaces(_ n: Int) {
        if n > 0 { bytes.append(contentsOf: repeatElement(0x20, count: n)) }
    }

    /// A non-negative number in decimal, at least `width` digits (zero-padded).
    public mutating func number(_ value: Int, width: Int = 1) {
        guard value >= 0 else { add(String(value)); return }
        let n = max(decimalDigits(value), width)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0x30, count: n))
        bytes.withUnsafeMutableBufferPointer { writeDigits(value, width: n, into: $0, at: start) }
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// `parts.joined(separator: " ")` for the two shapes the command line and entry cleaning
/// join. The standard library's generic `joined` is not specialised for them and, called
/// unspecialised, looks its types' conformances up at run time: a scan of every conformance
/// in the binary, about a tenth of a millisecond, on every `note`.
public func joinedWithSpaces(_ parts: [Substring]) -> String {
    var out = ""
    out.reserveCapacity(parts.reduce(parts.count) { $0 + $1.utf8.count })
    for (i, part) in parts.enumerated() {
        if i > 0 { out.append(" ") }
        out.append(contentsOf: part)
    }
    return out
}

public func joinedWithSpaces(_ parts: ArraySlice<String>) -> String {
    var out = ""
    for (i, part) in parts.enumerated() {
        if i > 0 { out.append(" ") }
        out.append(part)
    }
    return out
}
