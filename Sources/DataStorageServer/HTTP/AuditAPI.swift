import DataStorageClient
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import OpenAPICodegenRuntime

/// The operations of `openapi/datastorage.yaml`, as the generated `APIProtocol` declares them.
/// Routes, parameters, statuses and bodies come from the contract; what is written here is
/// what the contract cannot say: the repository, the dead-letter journal, readiness, and the
/// rules of the database and of time.
struct AuditAPI: APIProtocol {
    let repository: any AuditRepository
    let deadLetters: DeadLetterQueue?
    let state: ServerState
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let logger: Logger

    // MARK: Writes

    func createAuditEvent(_ input: Operations.CreateAuditEvent.Input) async throws -> Operations.CreateAuditEvent.Output {
        try await answeringProblems {
            let event = try accepted([input.body], schemaViolations: [])[0]
            switch try await write([event]) {
            case .stored:
                return .created(AuditEventResponse(eventID: event.eventID, eventTimestamp: event.eventTimestamp, message: "audit event stored"))
            case .queued:
                return .accepted(AsyncAcceptanceResponse(status: "accepted", message: "database unavailable; audit event queued durably"))
            }
        }
    }

    func createAuditEventsBatch(_ input: Operations.CreateAuditEventsBatch.Input) async throws -> Operations.CreateAuditEventsBatch.Output {
        try await answeringProblems {
            let requests = input.body
            guard !requests.isEmpty else { throw Problem.badRequest("bad-request", "batch cannot be empty") }
            guard requests.count <= configuration.maxBatch else {
                throw Problem.badRequest("batch-size-exceeded", "batch of \(requests.count) events exceeds the maximum of \(configuration.maxBatch)")
            }
            let events = try accepted(requests, schemaViolations: [], isBatch: true)
            switch try await write(events) {
            case .stored:
                return .created(BatchAuditEventResponse(eventIDs: events.map(\.eventID), message: "\(events.count) audit events stored"))
            case .queued:
                return .accepted(AsyncAcceptanceResponse(
                    status: "accepted", message: "database unavailable; \(events.count) audit events queued durably", count: events.count))
            }
        }
    }

    private enum WriteOutcome {
        case stored
        /// In the dead-letter journal, on disk; the database gets them when it is back.
        case queued
    }

    /// Stores the events, or journals them when the database refuses; 500 only when both fail.
    private func write(_ events: [StoredAuditEvent]) async throws -> WriteOutcome {
        let databaseError: any Error
        do {
            let elapsed = try await ContinuousClock().measure { try await repository.insert(events) }
            metrics.writeDuration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            metrics.eventsWritten.increment(by: Int64(events.count))
            return .stored
        } catch let rejection as AuditRepositoryRejection {
            metrics.validationFailures.increment()
            throw Problem.badRequest("rejected-by-database", "\(rejection)")
        } catch {
            databaseError = error
        }
        guard let deadLetters else {
            logger.error("audit write failed and no dead-letter queue is configured", metadata: ["error": "\(databaseError)"])
            throw Problem.storageUnavailable("the database refused the write: \(databaseError)")
        }
        do {
            try await deadLetters.append(events)
        } catch {
            logger.error("audit write failed in the database and in the dead-letter queue", metadata: [
                "database_error": "\(databaseError)", "queue_error": "\(error)", "events": "\(events.count)"])
            throw Problem.storageUnavailable("the database and the dead-letter queue both failed")
        }
        logger.warning("database unavailable; events queued in the dead-letter journal", metadata: [
            "error": "\(databaseError)", "events": "\(events.count)"])
        return .queued
    }

    // MARK: Rules the contract cannot state

    /// The events as stored, after the server's own rules; or the 400 problem naming the
    /// first event that breaks the contract (`schemaViolations`, found by the generated
    /// validation) or a server rule, with every one of its violations.
    func accepted(_ events: [AuditEventRequest], schemaViolations: [Violation], isBatch: Bool = false) throws -> [StoredAuditEvent] {
        var violationsByEvent: [Int: [Violation]] = [:]
        for violation in schemaViolations {
            // A batch's violations start with the event's index; a single event's at its root.
            if isBatch, case .index(let index)? = violation.path.first {
                violationsByEvent[index, default: []].append(Violation(path: Array(violation.path.dropFirst()), message: violation.message))
            } else {
                violationsByEvent[0, default: []].append(violation)
            }
        }
        let now = configuration.now()
        let stored = events.map(StoredAuditEvent.init(accepting:))
        for (index, event) in stored.enumerated() {
            var validator = Validator()
            Self.checkServerRules(event, now: now, into: &validator)
            violationsByEvent[index, default: []] += validator.violations
            guard let violations = violationsByEvent[index], !violations.isEmpty else { continue }
            metrics.validationFailures.increment()
            throw Problem.validation(violations, prefix: isBatch ? "event at index \(index): " : "")
        }
        return stored
    }

    /// The time window, and values the database would refuse: refused here with a 400 naming
    /// them, instead of failing the insert (kubernaut sends such events to its dead-letter
    /// queue forever).
    static func checkServerRules(_ event: StoredAuditEvent, now: Date, into validator: inout Validator) {
        if event.eventTimestamp > now.addingTimeInterval(60 * 60) {
            validator.report("must not be more than 60 minutes in the future", at: "event_timestamp")
        }
        if event.eventTimestamp < now.addingTimeInterval(-7 * 24 * 60 * 60) {
            validator.report("must not be more than 7 days in the past", at: "event_timestamp")
        }
        // The contract's pattern admits the common address forms; PostgreSQL's inet is the judge.
        if let ip = event.actorIP, ip.count <= 45, !isIPAddress(ip) {
            validator.report("must be an IPv4 or IPv6 address, got '\(ip)'", at: "actor_ip")
        }
        // A kubernaut payload names its own type; the contract cannot say it must be the event's.
        if case .kubernautEventData(let payload) = event.eventData, payload.discriminatorValue != event.eventType {
            validator.nested("event_data") {
                $0.report("must equal the event's event_type '\(event.eventType)', got '\(payload.discriminatorValue)'", at: "event_type")
            }
        }
        reportNULCharacters(in: event, into: &validator)
    }

    /// PostgreSQL text and jsonb cannot hold NUL characters. They are refused here, with their
    /// paths, rather than by the database, which would send the event to the dead-letter
    /// queue and refuse it again at every replay.
    static func reportNULCharacters(in event: StoredAuditEvent, into validator: inout Validator) {
        for member in event.membersWithNULCharacters {
            validator.report("must not contain NUL characters", at: .key(member))
        }
        validator.nested("event_data") { validator in
            switch event.eventData {
            case .commonEnvelope(let envelope):
                let members = Self.envelopeMembers(envelope)
                for (member, text) in members.strings where text.utf8.contains(0) {
                    validator.report("must not contain NUL characters", at: .key(member))
                }
                for case (let member, let value?) in members.json {
                    validator.nested(.key(member)) { reportNULCharacters(in: value, into: &$0) }
                }
            case .kubernautEventData(let payload):
                // 94 payload schemas: walked as JSON rather than member by member.
                do {
                    reportNULCharacters(in: try JSONValue(encoding: payload), into: &validator)
                } catch {
                    validator.report("cannot be encoded as JSON: \(error)", at: nil)
                }
            }
        }
    }

    /// The envelope's members by their contract names: its strings and its JSON values. Walked
    /// directly, since encoding every envelope to look for NULs cost a tenth of the ingest
    /// rate; a test checks this list against the contract's members.
    static func envelopeMembers(_ envelope: CommonEnvelope) -> (strings: [(String, String)], json: [(String, JSONValue?)]) {
        (
            [("version", envelope.version), ("service", envelope.service), ("operation", envelope.operation), ("status", envelope.status)],
            [("payload", envelope.payload), ("source_payload", envelope.sourcePayload)]
        )
    }

    private static func reportNULCharacters(in value: JSONValue, into validator: inout Validator) {
        switch value {
        case .string(let text) where text.utf8.contains(0):
            validator.report("must not contain NUL characters", at: nil)
        case .array(let items):
            for (index, item) in items.enumerated() {
                validator.nested(.index(index)) { reportNULCharacters(in: item, into: &$0) }
            }
        case .object(let members):
            for (key, member) in members {
                if key.utf8.contains(0) { validator.report("member names must not contain NUL characters", at: nil) }
                validator.nested(.key(key)) { reportNULCharacters(in: member, into: &$0) }
            }
        default:
            break
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        return inet_pton(AF_INET, text, &ipv4) == 1 || inet_pton(AF_INET6, text, &ipv6) == 1
    }

    // MARK: Query

    func queryAuditEvents(_ input: Operations.QueryAuditEvents.Input) async throws -> Operations.QueryAuditEvents.Output {
        try await answeringProblems {
            let query = try AuditQueryParser(now: configuration.now()).parse(input)
            let (events, total) = try await repository.query(query)
            return .ok(AuditEventsQueryResponse(
                data: events,
                pagination: .init(limit: query.limit, offset: query.offset, total: total, hasMore: query.offset + events.count < total)))
        }
    }

    // MARK: Health and metrics

    func checkHealth(_ input: Operations.CheckHealth.Input) async throws -> Operations.CheckHealth.Output {
        .ok(HealthResponse(status: "healthy", timestamp: configuration.now()))
    }

    func checkReadiness(_ input: Operations.CheckReadiness.Input) async throws -> Operations.CheckReadiness.Output {
        if state.isShuttingDown { return .serviceUnavailable(ReadinessResponse(status: "not_ready", reason: "shutting_down")) }
        do {
            try await repository.ping()
            return .ok(ReadinessResponse(status: "ready"))
        } catch {
            return .serviceUnavailable(ReadinessResponse(status: "not_ready", reason: "database_unreachable"))
        }
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(metrics.exposition)
    }

    // MARK: Problems

    /// Runs `body`, answering a thrown ``Problem`` with the operation's problem response.
    private func answeringProblems<Output: ProblemOutput>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch let problem as Problem {
            return .default(statusCode: Int(problem.status.code), problem.document)
        }
    }
}

/// An operation's `Output` whose `default` case is a problem document: every audit operation's.
protocol ProblemOutput {
    static func `default`(statusCode: Int, _ problem: RFC7807Problem) -> Self
}

extension Operations.CreateAuditEvent.Output: ProblemOutput {}
extension Operations.CreateAuditEventsBatch.Output: ProblemOutput {}
extension Operations.QueryAuditEvents.Output: ProblemOutput {}
