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
        // A byte at a time: appending a `repeatElement` went through the generic path.
        guard n > 0 else { return }
        bytes.reserveCapacity(bytes.count + n)
        for _ in 0..<n { bytes.append(0x20) }
    }

    /// A non-negative number in decimal, at least `width` digits (zero-padded).
    public mutating func number(_ value: Int, width: Int = 1) {
        guard value >= 0 else { add(String(value)); return }
        let n = max(decimalDigits(value), width)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { b in
            guard n <= b.count else { add(String(value)); return }
            writeDigits(value, width: n, into: b, at: 0)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<n]))
        }
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
