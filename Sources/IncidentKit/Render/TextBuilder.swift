/// A line of text built as UTF-8 bytes. On the paths that format thousands of short lines
/// (`sla`, `list`), `String`'s append and interpolation cost several times the bytes' worth.
public struct TextBuilder {
    /// The bytes, in a buffer this type grows itself: `Array.append(contentsOf:)` cost about
    /// seventy instructions a call, and `sla` makes tens of thousands of short appends.
    private final class Storage {
        var base: UnsafeMutablePointer<UInt8>
        var count = 0
        var capacity: Int
        init(capacity: Int) {
            self.capacity = max(capacity, 16)
            base = .allocate(capacity: self.capacity)
        }
        deinit { base.deallocate() }
        func copy() -> Storage {
            let c = Storage(capacity: capacity)
            c.base.update(from: base, count: count)
            c.count = count
            return c
        }
    }

    private var storage: Storage

    public init(capacity: Int = 80) { storage = Storage(capacity: capacity) }

    /// The text so far, as an array (a copy).
    public var bytes: [UInt8] { withBytes { Array($0) } }

    /// The text so far, without copying it.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    public var count: Int { storage.count }

    /// Room for `n` more bytes, unshared (a copy of the builder keeps its own text).
    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        let s = storage
        if s.count + n > s.capacity {
            let grown = max(s.capacity * 2, s.count + n)
            let base = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            base.update(from: s.base, count: s.count)
            s.base.deallocate()
            s.base = base
            s.capacity = grown
        }
        return s.base + s.count
    }

    public mutating func add(_ s: String) {
        var s = s
        s.withUTF8 { add(utf8: $0) }
    }

    public mutating func add(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard let from = u.baseAddress, !u.isEmpty else { return }
        reserve(u.count).update(from: from, count: u.count)
        storage.count += u.count
    }

    public mutating func add(byte: UInt8) {
        reserve(1).pointee = byte
        storage.count += 1
    }

    public mutating func spaces(_ n: Int) {
        guard n > 0 else { return }
        reserve(n).update(repeating: 0x20, count: n)
        storage.count += n
    }

    /// A non-negative number in decimal, at least `width` digits (zero-padded).
    public mutating func number(_ value: Int, width: Int = 1) {
        // Most are clock and calendar fields: one or two digits.
        if value >= 0 && value < 100 && width <= 2 {
            if value < 10 && width < 2 {
                add(byte: 0x30 &+ UInt8(truncatingIfNeeded: value))
            } else {
                let to = reserve(2)
                to[0] = 0x30 &+ UInt8(truncatingIfNeeded: value / 10)
                to[1] = 0x30 &+ UInt8(truncatingIfNeeded: value % 10)
                storage.count += 2
            }
            return
        }
        guard value >= 0 else { add(String(value)); return }
        let n = max(decimalDigits(value), width)
        guard n <= 24 else { add(String(value)); return }
        let to = UnsafeMutableBufferPointer(start: reserve(n), count: n)
        writeDigits(value, width: n, into: to, at: 0)
        storage.count += n
    }

    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }
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
