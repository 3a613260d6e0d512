/// What the JSON reader and writer share about the bytes of a string.
@usableFromInline
enum JSONStringBytes {
    /// Whether any of the eight bytes of `word` ends a plain run of string content: a quote,
    /// a backslash or a control character (exact about whether, not which). Both sides go
    /// eight bytes per step with it, since strings are most of an audit document.
    @inlinable
    static func wordHasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        /// Nonzero when some byte of `word` is below `limit` (for limits up to 0x80).
        func hasByteBelow(_ limit: UInt64, _ word: UInt64) -> Bool { (word &- ones &* limit) & ~word & highBits != 0 }
        return hasByteBelow(1, word ^ (ones &* 0x22)) || hasByteBelow(1, word ^ (ones &* 0x5C)) || hasByteBelow(0x20, word)
    }

    /// Whether `byte` must be escaped inside a JSON string.
    @inlinable
    static func isSpecial(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}
