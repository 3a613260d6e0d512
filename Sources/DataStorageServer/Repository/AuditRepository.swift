import DataStorageClient
import Foundation

/// Where the server keeps audit events. Two implementations share one test suite; the
/// SQLite one is the embedded default.
public protocol AuditRepository: Sendable {
    /// Stores the events in one transaction, all or nothing. An event whose ID is already
    /// stored is skipped, so a retried write never stores an event twice.
    func insert(_ events: [StoredAuditEvent]) async throws

    /// One page of matching events, newest first, and how many match in all.
    func query(_ query: AuditQuery) async throws -> (events: [StoredAuditEvent], total: Int)

    /// Throws when the database does not answer.
    func ping() async throws
}

/// Filters of `GET /api/v1/audit/events`, already checked; all combine with AND.
public struct AuditQuery: Sendable, Hashable {
    public var eventType: String?
    public var eventCategory: String?
    public var eventOutcome: String?
    public var severity: String?
    public var correlationID: String?
    public var since: Date?
    public var until: Date?
    /// A top-level key of event_data, restricted to `[A-Za-z0-9_]+`, and the value it must equal.
    public var detail: (key: String, value: String)?
    public var limit = 50
    public var offset = 0

    public init() {}

    public static func == (lhs: AuditQuery, rhs: AuditQuery) -> Bool {
        lhs.eventType == rhs.eventType && lhs.eventCategory == rhs.eventCategory && lhs.eventOutcome == rhs.eventOutcome
            && lhs.severity == rhs.severity && lhs.correlationID == rhs.correlationID && lhs.since == rhs.since
            && lhs.until == rhs.until && lhs.detail?.key == rhs.detail?.key && lhs.detail?.value == rhs.detail?.value
            && lhs.limit == rhs.limit && lhs.offset == rhs.offset
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(correlationID)
        hasher.combine(limit)
        hasher.combine(offset)
    }
}

/// Time as stored and compared: microseconds since 1970, so ordering is numeric and exact.
enum StoredTime {
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
