import DataStorageClient
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OpenAPICodegenRuntime

/// Where the server keeps audit events. Two implementations share one test suite; the
/// SQLite one is the embedded default.
public protocol AuditRepository: Sendable {
    /// Stores the events in one transaction, all or nothing, each linked into the hash chain
    /// of its correlation_id. An event whose ID is already stored is skipped, so a retried
    /// write never stores an event, or a link, twice.
    func insert(_ events: [StoredAuditEvent]) async throws

    /// One page of matching events, newest first, and how many match in all.
    func query(_ query: AuditQuery) async throws -> (events: [StoredAuditEvent], total: Int)

    /// Throws when the database does not answer.
    func ping() async throws

    /// The events of a chain after `afterIndex`, in chain order.
    func chain(correlationID: String, afterIndex: Int64, limit: Int) async throws -> [StoredAuditEvent]

    /// The stored event with this ID.
    func event(id: UUID) async throws -> StoredAuditEvent?

    /// One page of an export: the events `selection` picks after `cursor`, in export order
    /// (correlation_id by its bytes, then chain_index, events stored before chains first,
    /// then event_id).
    func exportPage(_ selection: AuditExportSelection, after cursor: AuditExportCursor?, limit: Int) async throws -> [StoredAuditEvent]

    /// Takes a checkpoint: reads the newest checkpoint and every chain's head in one snapshot,
    /// passes them to `sign` (sorted by correlation_id's bytes), and stores what it returns
    /// with those heads, atomically. Nothing is stored when `sign` returns nil. Replicas that
    /// take one at the same moment take turns.
    func recordCheckpoint(_ sign: @escaping CheckpointSigning) async throws -> Checkpoint?

    /// Checkpoints after `afterSequence`, oldest first.
    func checkpoints(afterSequence: Int64, limit: Int) async throws -> [Checkpoint]

    /// The newest checkpoint.
    func latestCheckpoint() async throws -> Checkpoint?

    /// The chain heads checkpoint `sequence` signed, after `afterCorrelationID`, in its
    /// order; nil when there is no such checkpoint.
    func checkpointChains(sequence: Int64, afterCorrelationID: String?, limit: Int) async throws -> [ChainHead]?

    /// Puts `hold` in force and stores `event`, its audit record, into the chain of its
    /// correlation_id, in one transaction.
    /// - Throws: ``LegalHoldInForce`` when a hold on that correlation_id is already in force.
    func placeLegalHold(_ hold: LegalHold, auditedBy event: StoredAuditEvent) async throws

    /// Replaces the hold in force on `correlationID` with `release(hold)`, no longer in force,
    /// and stores `event`, in one transaction; nil (and nothing stored) when none is in force.
    func releaseLegalHold(correlationID: String, release: @escaping @Sendable (LegalHold) -> LegalHold, auditedBy event: StoredAuditEvent) async throws -> LegalHold?

    /// The holds in force after `afterCorrelationID`, by correlation_id.
    func legalHolds(afterCorrelationID: String?, limit: Int) async throws -> [LegalHold]

    /// One bounded pass of retention at `now`, in one transaction: deletes up to `limit`
    /// expired events (whole expired partitions, where the backend has them, regardless of
    /// `limit`), then, when `sign` is given and anything was deleted, records a checkpoint
    /// through it as ``recordCheckpoint(_:)`` does, so that no checkpoint ever shows a chain's
    /// start moved without the deletion, nor the reverse.
    ///
    /// An event is deleted once `policy` says it expired, no legal hold on its correlation_id
    /// is in force, and every earlier event of its chain is deleted with it or before: a
    /// chain loses only a prefix, recorded in its head (``ChainHead/purgedLength`` and
    /// ``ChainHead/purgedHead``), where verifiers start.
    func purgeExpired(
        _ policy: RetentionPolicy, now: Date, limit: Int, checkpoint sign: CheckpointSigning?
    ) async throws -> RetentionPass

    /// The event_timestamp of the oldest event stored; nil when there is none.
    func oldestEventTimestamp() async throws -> Date?

    /// Brings the schema up to date. The server calls it once before it serves; it must be
    /// safe when several replicas start together.
    func migrate() async throws
}

/// Makes the checkpoint following `previous` over `heads` (sorted by correlation_id's bytes),
/// or nil when there is nothing new to sign.
public typealias CheckpointSigning = @Sendable (_ previous: Checkpoint?, _ heads: [ChainHead]) throws -> Checkpoint?

/// The database refused the events themselves (a value it cannot store), not for want of
/// being reachable: writing them again can never succeed, so they are neither journalled
/// for replay nor retried.
public struct AuditRepositoryRejection: Error, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { "the database refuses these events: \(reason)" }
}

/// A legal hold on this correlation_id is already in force.
public struct LegalHoldInForce: Error, CustomStringConvertible {
    public var correlationID: String

    public var description: String { "a legal hold on correlation_id '\(correlationID)' is already in force" }
}

/// No hold is in force: rolls back a release's transaction.
struct NoLegalHold: Error {}

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

/// What `GET /api/v1/audit/export` exports, already checked: events within the time bounds
/// and, when `correlationIDs` is not nil, of those correlation IDs.
public struct AuditExportSelection: Sendable, Hashable {
    public var since: Date?
    public var until: Date?
    public var correlationIDs: [String]?

    public init(since: Date? = nil, until: Date? = nil, correlationIDs: [String]? = nil) {
        self.since = since
        self.until = until
        self.correlationIDs = correlationIDs
    }
}

/// Where an export page ends: the last event's place in export order.
public struct AuditExportCursor: Sendable, Hashable {
    public var correlationID: String
    /// 0 for an event stored before chains.
    public var chainIndex: Int64
    public var eventID: UUID

    public init(after event: StoredAuditEvent) {
        correlationID = event.correlationID
        chainIndex = event.chainIndex ?? 0
        eventID = event.eventID
    }
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
    /// ID, severity `info`, retention 2555 days, not sensitive). Values are written as the
    /// database gives them back (an IP address in its canonical text, the parent's date at
    /// midnight), so that the event hashed at writing is the event read back.
    public init(accepting event: AuditEventRequest) {
        self.init(
            eventID: event.eventID ?? UUID(), version: event.version, eventType: event.eventType,
            eventTimestamp: event.eventTimestamp, eventCategory: event.eventCategory, eventAction: event.eventAction,
            eventOutcome: event.eventOutcome, actorType: event.actorType ?? "service",
            actorID: event.actorID ?? "\(event.eventCategory.rawValue)-service", actorIP: event.actorIP.map { IPAddress.canonical($0) ?? $0 },
            resourceType: event.resourceType ?? event.eventCategory.rawValue, resourceID: event.resourceID ?? event.correlationID,
            correlationID: event.correlationID, parentEventID: event.parentEventID, parentEventDate: event.parentEventDate.map(StoredTime.utcMidnight),
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

    /// The start of the date's UTC day: a DATE column's value as a date-time.
    static func utcMidnight(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }
}

/// IP addresses as text.
enum IPAddress {
    /// The address in its canonical text (RFC 5952 for IPv6: lowercase, the longest run of
    /// zero groups compressed), as PostgreSQL's inet gives it back; nil when it is not an
    /// IPv4 or IPv6 address.
    static func canonical(_ text: String) -> String? {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        var output = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if inet_pton(AF_INET, text, &ipv4) == 1, inet_ntop(AF_INET, &ipv4, &output, socklen_t(output.count)) != nil {
            return String(cString: output)
        }
        if inet_pton(AF_INET6, text, &ipv6) == 1, inet_ntop(AF_INET6, &ipv6, &output, socklen_t(output.count)) != nil {
            return String(cString: output)
        }
        return nil
    }
}

/// A repository that hands every call to another: what a double changing one behaviour (a
/// database that goes away, an insert held in flight) is built on, overriding only that.
public protocol AuditRepositoryDecorator: AuditRepository {
    var base: any AuditRepository { get }
}

extension AuditRepositoryDecorator {
    public func insert(_ events: [StoredAuditEvent]) async throws { try await base.insert(events) }
    public func query(_ query: AuditQuery) async throws -> (events: [StoredAuditEvent], total: Int) { try await base.query(query) }
    public func ping() async throws { try await base.ping() }
    public func migrate() async throws { try await base.migrate() }
    public func chain(correlationID: String, afterIndex: Int64, limit: Int) async throws -> [StoredAuditEvent] {
        try await base.chain(correlationID: correlationID, afterIndex: afterIndex, limit: limit)
    }
    public func event(id: UUID) async throws -> StoredAuditEvent? { try await base.event(id: id) }
    public func exportPage(_ selection: AuditExportSelection, after cursor: AuditExportCursor?, limit: Int) async throws -> [StoredAuditEvent] {
        try await base.exportPage(selection, after: cursor, limit: limit)
    }
    public func recordCheckpoint(_ sign: @escaping CheckpointSigning) async throws -> Checkpoint? {
        try await base.recordCheckpoint(sign)
    }
    public func checkpoints(afterSequence: Int64, limit: Int) async throws -> [Checkpoint] {
        try await base.checkpoints(afterSequence: afterSequence, limit: limit)
    }
    public func latestCheckpoint() async throws -> Checkpoint? { try await base.latestCheckpoint() }
    public func checkpointChains(sequence: Int64, afterCorrelationID: String?, limit: Int) async throws -> [ChainHead]? {
        try await base.checkpointChains(sequence: sequence, afterCorrelationID: afterCorrelationID, limit: limit)
    }
    public func placeLegalHold(_ hold: LegalHold, auditedBy event: StoredAuditEvent) async throws {
        try await base.placeLegalHold(hold, auditedBy: event)
    }
    public func releaseLegalHold(
        correlationID: String, release: @escaping @Sendable (LegalHold) -> LegalHold, auditedBy event: StoredAuditEvent
    ) async throws -> LegalHold? {
        try await base.releaseLegalHold(correlationID: correlationID, release: release, auditedBy: event)
    }
    public func legalHolds(afterCorrelationID: String?, limit: Int) async throws -> [LegalHold] {
        try await base.legalHolds(afterCorrelationID: afterCorrelationID, limit: limit)
    }
    public func purgeExpired(
        _ policy: RetentionPolicy, now: Date, limit: Int, checkpoint sign: CheckpointSigning?
    ) async throws -> RetentionPass {
        try await base.purgeExpired(policy, now: now, limit: limit, checkpoint: sign)
    }
    public func oldestEventTimestamp() async throws -> Date? { try await base.oldestEventTimestamp() }
}
