import AuditIntegrity
import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

/// Where a correlation_id's hash chain ends: how many events it holds and the last one's hash.
struct ChainEnd: Sendable, Equatable {
    var length: Int64
    var head: [UInt8]
}

/// A batch on its way into a chain. The content digests, the costly part, are computed
/// before the repository takes its locks; linking under the locks is one SHA-256 per event.
/// Both repositories chain through this type, so SQLite and PostgreSQL hash alike.
struct ChainingBatch: Sendable {
    private(set) var events: [StoredAuditEvent]
    private var contentDigests: [[UInt8]]

    init(_ events: [StoredAuditEvent]) throws {
        self.events = events
        contentDigests = try events.map(AuditChainHash.contentDigest(of:))
    }

    /// The distinct correlation IDs, sorted by their UTF-8 bytes: the order locks are taken in.
    var correlationIDs: [String] {
        Set(events.map(\.correlationID)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Drops the events whose IDs are in `stored`, and repeats of an ID within the batch:
    /// a retried write must not add an event to its chain twice.
    mutating func removeEvents(storedAs stored: Set<UUID>) {
        var seen = stored
        let keep = events.indices.filter { seen.insert(events[$0].eventID).inserted }
        events = keep.map { events[$0] }
        contentDigests = keep.map { contentDigests[$0] }
    }

    /// Gives each event its chain members, in batch order, after `ends` (the chains as
    /// stored); returns the chains' new ends.
    mutating func link(after ends: [String: ChainEnd]) -> [String: ChainEnd] {
        var ends = ends
        for index in events.indices {
            let correlationID = events[index].correlationID
            let previous = ends[correlationID]
            let hash = AuditChainHash.link(previous: previous?.head, content: contentDigests[index])
            let length = (previous?.length ?? 0) + 1
            events[index].chainIndex = length
            events[index].previousEventHash = previous.map { Hex.encode($0.head) }
            events[index].eventHash = Hex.encode(hash)
            ends[correlationID] = ChainEnd(length: length, head: hash)
        }
        return ends
    }
}
