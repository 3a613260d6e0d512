import Foundation

/// The on-disk format of dead-letter journal segments.
///
/// A segment starts with an 8-byte magic, then holds records back to back:
///
///     u32 payload length | u32 event count | u32 CRC-32 of (event count, payload) | payload
///
/// (big-endian; the payload is the JSON array of events of one request). A crash mid-write
/// leaves a record cut short or with a checksum that does not match; reading stops there, and
/// every record before it is intact by construction, since records are only ever appended.
enum JournalFormat {
    static let magic: [UInt8] = Array("ADLQ0001".utf8)
    static let headerSize = 12
    /// A payload larger than any request body the server accepts (50 MiB) can only be damage.
    static let maximumPayload = 64 * 1024 * 1024

    /// One request's events, as journalled.
    struct Record: Equatable {
        var eventCount: Int
        var payload: Data
    }

    /// Why reading a segment stopped before its end.
    struct Damage: Equatable, CustomStringConvertible {
        /// Byte offset of the first unreadable record.
        var offset: Int
        var reason: String
        /// Bytes from `offset` to the end of the file, all skipped.
        var skippedBytes: Int

        var description: String { "\(reason) at byte \(offset) (\(skippedBytes) bytes skipped)" }
    }

    /// Bytes of one record.
    static func frame(eventCount: Int, payload: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerSize + payload.count)
        append(UInt32(payload.count), to: &bytes)
        append(UInt32(eventCount), to: &bytes)
        var checksum = CRC32()
        checksum.update(bigEndianBytes(UInt32(eventCount)))
        checksum.update(payload)
        append(checksum.value, to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Every intact record of a segment, and where damage stopped the reading, if it did.
    static func read(_ segment: Data) -> (records: [Record], damage: Damage?) {
        let bytes = [UInt8](segment)
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            return ([], Damage(offset: 0, reason: "missing segment header", skippedBytes: bytes.count))
        }
        var records: [Record] = []
        var offset = magic.count
        while offset < bytes.count {
            func damage(_ reason: String) -> Damage { Damage(offset: offset, reason: reason, skippedBytes: bytes.count - offset) }
            guard bytes.count - offset >= headerSize else { return (records, damage("truncated record header")) }
            let length = Int(integer(bytes, at: offset))
            let eventCount = Int(integer(bytes, at: offset + 4))
            let expected = integer(bytes, at: offset + 8)
            guard length <= maximumPayload else { return (records, damage("implausible record length \(length)")) }
            let start = offset + headerSize
            guard bytes.count - start >= length else { return (records, damage("truncated record")) }
            var checksum = CRC32()
            checksum.update(bytes[(offset + 4)..<(offset + 8)])
            checksum.update(bytes[start..<(start + length)])
            guard checksum.value == expected else { return (records, damage("checksum mismatch")) }
            records.append(Record(eventCount: eventCount, payload: Data(bytes[start..<(start + length)])))
            offset = start + length
        }
        return (records, nil)
    }

    private static func integer(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    private static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: bigEndianBytes(value))
    }
}

/// CRC-32 (IEEE 802.3, as zlib computes it), to tell a torn or corrupted record from an intact one.
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }

    private var state: UInt32 = 0xFFFF_FFFF

    var value: UInt32 { state ^ 0xFFFF_FFFF }

    mutating func update(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            state = Self.table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
        }
    }
}
