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
