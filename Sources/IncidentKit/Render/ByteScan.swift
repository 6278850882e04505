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

    /// 0x80 in each byte of `w` equal to `byte`, exactly (every marked byte, not only the
    /// lowest), for `w` of ASCII bytes.
    @inlinable @inline(__always)
    public static func exactMatches(_ w: UInt64, _ byte: UInt8) -> UInt64 {
        let x = w ^ (UInt64(byte) &* ones)
        return ~(((x & ~highs) &+ ~highs) | x) & highs
    }

    /// 0x80 in each byte of `w` below 0x20 (a control character), exactly, for `w` of ASCII
    /// bytes.
    @inlinable @inline(__always)
    public static func controls(_ w: UInt64) -> UInt64 {
        ~(((w & ~highs) &+ 0x60 &* ones) | w) & highs
    }

    /// Whether a byte of `w` is past ASCII.
    @inlinable @inline(__always)
    public static func hasNonASCII(_ w: UInt64) -> Bool { w & highs != 0 }

    /// The value of eight ASCII digits (the first in the lowest byte), or nil if any byte is
    /// not a digit.
    @inlinable @inline(__always)
    public static func eightDigits(_ w: UInt64) -> UInt64? {
        // Every byte 0x30...0x39: high nibble 3, and adding 6 does not carry out of the nibble.
        guard w & (0xF0 &* ones) == 0x30 &* ones, (w &+ 0x06 &* ones) & (0xF0 &* ones) == 0x30 &* ones else { return nil }
        var d = w &- 0x30 &* ones
        d = (d &* 10 &+ (d >> 8)) & 0x00FF_00FF_00FF_00FF              // pairs: 10 * first + second
        d = ((d &* (1 &+ (100 << 16))) >> 16) & 0x0000_FFFF_0000_FFFF   // fours: 100 * first pair + second
        return (d &* (1 &+ (10_000 << 32))) >> 32                       // eight: 10,000 * first four + second
    }

    /// The position (0 to 7) of the lowest byte `matches` marked.
    @inlinable @inline(__always)
    public static func firstMarked(_ marks: UInt64) -> Int { marks.trailingZeroBitCount / 8 }
}
