/// Tests on eight bytes at once (a little-endian word loaded from text), for the loops that
/// scan long runs of plain ASCII: the index and incident-file readers, the terminal
/// sanitizer and column widths. "Is there any such byte" is exact, and so is the lowest byte
/// `matches` marks (a borrow can only spill into bytes above a real match).
public enum ByteScan {
    @inlinable @inline(__always) static var ones: UInt64 { 0x0101_0101_0101_0101 }
    @inlinable @inline(__always) static var highs: UInt64 { 0x8080_8080_8080_8080 }

    /// The eight bytes at `offset`, however aligned.
    @inlinable @inline(__always)
    public static func word(_ raw: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// 0x80 in each byte of `w` equal to `byte` (exact for the lowest); 0 when there is none.
    @inlinable @inline(__always)
    public static func matches(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        let x = w ^ (UInt64(byte) &* ones)
        return (x &- ones) & ~x & highs
    }

    /// Whether a byte of `w` is below `limit` (at most 0x80).
    @inlinable @inline(__always)
    public static func hasByteBelow(_ w: UInt64, _ limit: UInt8) -> Bool {
        (w &- UInt64(limit) &* ones) & ~w & highs != 0
    }

    /// Whether a byte of `w` is past ASCII.
    @inlinable @inline(__always)
    public static func hasNonASCII(_ w: UInt64) -> Bool { w & highs != 0 }

    /// The position (0 to 7) of the lowest byte `matches` marked.
    @inlinable @inline(__always)
    public static func firstMarked(_ marks: UInt64) -> Int { marks.trailingZeroBitCount / 8 }
}
