import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

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

    /// Brings the schema up to date. The server calls it once before it serves; it must be
    /// safe when several replicas start together.
    func migrate() async throws
}

/// The database refused the events themselves (a value it cannot store), not for want of
/// being reachable: writing them again can never succeed, so they are neither journalled
/// for replay nor retried.
public struct AuditRepositoryRejection: Error, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { "the database refuses these events: \(reason)" }
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
    public var detail: DetailFilter?
    public var limit = 50
    public var offset = 0

    public init() {}
}

/// A top-level key of event_data, restricted to `[A-Za-z0-9_]+`, and the value it must equal.
public struct DetailFilter: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

extension StoredAuditEvent {
    /// The event as the server stores an accepted request: an ID when it has none, and the
    /// defaults for what it leaves out (actor and resource from the category and correlation
    /// ID, severity `info`, retention 2555 days, not sensitive).
    public init(accepting event: AuditEventRequest) {
        self.init(
            eventID: event.eventID ?? UUID(), version: event.version, eventType: event.eventType,
            eventTimestamp: event.eventTimestamp, eventCategory: event.eventCategory, eventAction: event.eventAction,
            eventOutcome: event.eventOutcome, actorType: event.actorType ?? "service",
            actorID: event.actorID ?? "\(event.eventCategory.rawValue)-service", actorIP: event.actorIP,
            resourceType: event.resourceType ?? event.eventCategory.rawValue, resourceID: event.resourceID ?? event.correlationID,
            correlationID: event.correlationID, parentEventID: event.parentEventID, parentEventDate: event.parentEventDate,
            namespace: event.namespace, clusterID: event.clusterID, severity: event.severity ?? "info",
            durationMs: event.durationMs, errorCode: event.errorCode, errorMessage: event.errorMessage,
            retentionDays: event.retentionDays ?? 2555, isSensitive: event.isSensitive ?? false, eventData: event.eventData,
            eventDate: StoredTime.utcDate(event.eventTimestamp))
    }
}

/// Time as stored and compared.
enum StoredTime {
    /// Microseconds since 1970, so ordering is numeric and exact.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The UTC calendar date, `YYYY-MM-DD`: `event_date`, the partition key.
    static func utcDate(_ date: Date) -> String {
        String(RFC3339.format(date).prefix(10))
    }
}
