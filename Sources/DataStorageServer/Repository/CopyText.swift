import DataStorageClient
import NIOCore

/// A batch's rows in the text format of PostgreSQL's `COPY … FROM STDIN`: a line per event,
/// columns in ``AuditColumn/writeOrder`` separated by tabs, `\N` for NULL, and backslash,
/// tab, newline and carriage return escaped with a backslash.
///
/// It is built in two steps. The sealed columns, the costly part (event_data's JSON,
/// timestamps, escaping), when the batch arrives; the chain's columns, a number and two
/// hashes per row, by ``linked(_:)`` once the chain's ends are known, under its locks.
struct CopyText: Sendable {
    /// Each row's sealed columns, each row followed by the tab before its chain columns.
    private let sealed: ByteBuffer
    /// Where each row's sealed columns end in `sealed`.
    private let rowEnds: [Int]

    init(_ events: [StoredAuditEvent]) {
        var sealed = ByteBuffer()
        sealed.reserveCapacity(events.count * 512)
        var rowEnds: [Int] = []
        rowEnds.reserveCapacity(events.count)
        for event in events {
            for column in AuditColumn.sealedColumns {
                Self.write(column.value(event), to: &sealed)
                sealed.writeInteger(UInt8(ascii: "\t"))
            }
            rowEnds.append(sealed.writerIndex)
        }
        self.sealed = sealed
        self.rowEnds = rowEnds
    }

    /// The whole rows: `events` are the events this was built from, in the same order, now
    /// linked into their chains.
    func linked(_ events: [StoredAuditEvent]) -> ByteBuffer {
        precondition(events.count == rowEnds.count, "CopyText.linked needs the events it was built from")
        var text = ByteBuffer()
        text.reserveCapacity(sealed.readableBytes + events.count * 140)
        var rowStart = sealed.readerIndex
        for (event, rowEnd) in zip(events, rowEnds) {
            text.writeImmutableBuffer(sealed.getSlice(at: rowStart, length: rowEnd - rowStart)!)
            for (index, column) in AuditColumn.chainColumns.enumerated() {
                if index > 0 { text.writeInteger(UInt8(ascii: "\t")) }
                Self.write(column.value(event), to: &text)
            }
            text.writeInteger(UInt8(ascii: "\n"))
            rowStart = rowEnd
        }
        return text
    }

    /// Writes `value` escaped. Runs of plain bytes go in one copy each: a write per byte
    /// made building a batch's rows several times slower in debug builds.
    private static func write(_ value: String?, to buffer: inout ByteBuffer) {
        guard var value else {
            buffer.writeStaticString("\\N")
            return
        }
        value.withUTF8 { bytes in
            var plainStart = 0
            for index in bytes.indices {
                let escaped: StaticString
                switch bytes[index] {
                case UInt8(ascii: "\\"): escaped = "\\\\"
                case UInt8(ascii: "\t"): escaped = "\\t"
                case UInt8(ascii: "\n"): escaped = "\\n"
                case UInt8(ascii: "\r"): escaped = "\\r"
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[plainStart..<index])))
                buffer.writeStaticString(escaped)
                plainStart = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[plainStart...])))
        }
    }
}
