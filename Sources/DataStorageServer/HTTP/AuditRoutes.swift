import DataStorageClient
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import Logging
import NIOCore
import OpenAPICodegenRuntime

/// The audit endpoints of `openapi/datastorage.yaml`. Bodies are the generated types, so a
/// contract change breaks the server's build as it breaks the clients'.
struct AuditRoutes: Sendable {
    let repository: any AuditRepository
    let deadLetters: DeadLetterQueue?
    let state: ServerState
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    /// Every path the server serves (with `/metrics`), and its methods: what is not here is 405.
    static let methods: [String: [HTTPRequest.Method]] = [
        "/api/v1/audit/events": [.get, .post], "/api/v1/audit/events/batch": [.post],
        "/healthz": [.get], "/readyz": [.get], "/metrics": [.get],
    ]

    func register(on router: Router<BasicRequestContext>) {
        router.post("/api/v1/audit/events") { request, context in await respond(context) { try await createEvent(request, context) } }
        router.post("/api/v1/audit/events/batch") { request, context in await respond(context) { try await createBatch(request, context) } }
        router.get("/api/v1/audit/events") { request, context in await respond(context) { try await queryEvents(request) } }
        router.get("/healthz") { _, _ in try jsonResponse(.ok, HealthResponse(status: "healthy", timestamp: configuration.now())) }
        router.get("/readyz") { _, _ in await readiness() }
    }

    /// Turns a ``Problem`` into its problem+json response, and anything else (the database
    /// failing a query) into a logged 500 problem, never a bare status.
    private func respond(_ context: BasicRequestContext, _ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let problem as Problem {
            return problem.response
        } catch {
            context.logger.error("audit request failed", metadata: ["error": "\(String(reflecting: error))"])
            return Problem.storageUnavailable("the database failed the request: \(error)").response
        }
    }

    // MARK: Writes

    private func createEvent(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let event = try checked(try await decodeBody(AuditEventRequest.self, request), index: nil)
        switch try await write([event], context) {
        case .stored:
            return try jsonResponse(.created, AuditEventResponse(eventID: event.eventID, eventTimestamp: event.eventTimestamp, message: "audit event stored"))
        case .queued:
            return try jsonResponse(.accepted, AsyncAcceptanceResponse(status: "accepted", message: "database unavailable; audit event queued durably"))
        }
    }

    private func createBatch(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let requests = try await decodeBody([AuditEventRequest].self, request)
        guard !requests.isEmpty else { throw Problem.badRequest("bad-request", "batch cannot be empty") }
        guard requests.count <= configuration.maxBatch else {
            throw Problem.badRequest("batch-size-exceeded", "batch of \(requests.count) events exceeds the maximum of \(configuration.maxBatch)")
        }
        // Every event is checked before anything is written: one bad event rejects the batch.
        let events = try requests.enumerated().map { index, event in try checked(event, index: index) }
        switch try await write(events, context) {
        case .stored:
            return try jsonResponse(.created, BatchAuditEventResponse(eventIDs: events.map(\.eventID), message: "\(events.count) audit events stored"))
        case .queued:
            return try jsonResponse(.accepted, AsyncAcceptanceResponse(
                status: "accepted", message: "database unavailable; \(events.count) audit events queued durably", count: events.count))
        }
    }

    private enum WriteOutcome {
        case stored
        /// In the dead-letter journal, on disk; the database gets them when it is back.
        case queued
    }

    /// Stores the events, or journals them when the database refuses; 500 only when both fail.
    private func write(_ events: [StoredAuditEvent], _ context: BasicRequestContext) async throws -> WriteOutcome {
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
            context.logger.error("audit write failed and no dead-letter queue is configured", metadata: ["error": "\(databaseError)"])
            throw Problem.storageUnavailable("the database refused the write: \(databaseError)")
        }
        do {
            try await deadLetters.append(events)
        } catch {
            context.logger.error("audit write failed in the database and in the dead-letter queue", metadata: [
                "database_error": "\(databaseError)", "queue_error": "\(error)", "events": "\(events.count)"])
            throw Problem.storageUnavailable("the database and the dead-letter queue both failed")
        }
        context.logger.warning("database unavailable; events queued in the dead-letter journal", metadata: [
            "error": "\(databaseError)", "events": "\(events.count)"])
        return .queued
    }

    private func decodeBody<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            throw Problem(status: .contentTooLarge, type: "payload-too-large", title: "Payload Too Large",
                          detail: "the request body exceeds \(configuration.maxBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            metrics.validationFailures.increment()
            throw Problem.validation("the request body does not match the schema: \(Self.describe(error))",
                                     fieldErrors: Self.fieldError(error))
        }
    }

    /// Validates against the contract and the server's own rules, and fills in defaults.
    private func checked(_ event: AuditEventRequest, index: Int?) throws -> StoredAuditEvent {
        var validator = Validator()
        event.collectViolations(into: &validator)
        let now = configuration.now()
        if event.eventTimestamp > now.addingTimeInterval(60 * 60) {
            validator.report("must not be more than 60 minutes in the future", at: "event_timestamp")
        }
        if event.eventTimestamp < now.addingTimeInterval(-7 * 24 * 60 * 60) {
            validator.report("must not be more than 7 days in the past", at: "event_timestamp")
        }
        // Values the database would refuse are refused here, with a 400 naming them, instead of
        // failing the insert (kubernaut sends such events to its dead-letter queue forever).
        if let ip = event.actorIP, !Self.isIPAddress(ip) {
            validator.report("must be an IPv4 or IPv6 address, got '\(ip)'", at: "actor_ip")
        }
        Self.reportNULCharacters(in: event, into: &validator)
        guard validator.violations.isEmpty else {
            metrics.validationFailures.increment()
            let prefix = index.map { "event at index \($0): " } ?? ""
            let fields = Dictionary(validator.violations.map { ($0.jsonPath, $0.message) }, uniquingKeysWith: { first, _ in first })
            throw Problem.validation(prefix + validator.violations.map(\.description).joined(separator: "; "), fieldErrors: fields)
        }
        return StoredAuditEvent(accepting: event)
    }

    /// PostgreSQL text and jsonb cannot hold NUL characters. They are refused here, with their
    /// paths, rather than by the database, which would send the event to the dead-letter
    /// queue and refuse it again at every replay.
    static func reportNULCharacters(in event: AuditEventRequest, into validator: inout Validator) {
        let strings: [(PathComponent, String?)] = [
            ("version", event.version), ("event_type", event.eventType), ("event_action", event.eventAction),
            ("actor_type", event.actorType), ("actor_id", event.actorID), ("actor_ip", event.actorIP),
            ("resource_type", event.resourceType), ("resource_id", event.resourceID), ("correlation_id", event.correlationID),
            ("namespace", event.namespace), ("cluster_id", event.clusterID), ("severity", event.severity),
            ("error_code", event.errorCode), ("error_message", event.errorMessage),
        ]
        for (key, value) in strings where value?.contains("\0") == true {
            validator.report("must not contain NUL characters", at: key)
        }
        let envelope = event.eventData
        validator.nested("event_data") { validator in
            for (key, value) in [("version", envelope.version), ("service", envelope.service), ("operation", envelope.operation), ("status", envelope.status)]
            where value.contains("\0") {
                validator.report("must not contain NUL characters", at: .key(key))
            }
            validator.nested("payload") { reportNULCharacters(in: envelope.payload, into: &$0) }
            if let source = envelope.sourcePayload {
                validator.nested("source_payload") { reportNULCharacters(in: source, into: &$0) }
            }
        }
    }

    private static func reportNULCharacters(in value: JSONValue, into validator: inout Validator) {
        switch value {
        case .string(let text) where text.contains("\0"):
            validator.report("must not contain NUL characters", at: nil)
        case .array(let items):
            for (index, item) in items.enumerated() {
                validator.nested(.index(index)) { reportNULCharacters(in: item, into: &$0) }
            }
        case .object(let members):
            for (key, member) in members {
                if key.contains("\0") { validator.report("member names must not contain NUL characters", at: nil) }
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

    private func queryEvents(_ request: Request) async throws -> Response {
        let query = try AuditQueryParser(now: configuration.now()).parse(request.uri.queryParameters)
        let (events, total) = try await repository.query(query)
        let page = AuditEventsQueryResponse(
            data: events,
            pagination: .init(limit: query.limit, offset: query.offset, total: total, hasMore: query.offset + events.count < total))
        return try jsonResponse(.ok, page)
    }

    // MARK: Health

    private func readiness() async -> Response {
        if state.isShuttingDown {
            return (try? jsonResponse(.serviceUnavailable, ReadinessResponse(status: "not_ready", reason: "shutting_down")))
                ?? Response(status: .serviceUnavailable)
        }
        do {
            try await repository.ping()
            return (try? jsonResponse(.ok, ReadinessResponse(status: "ready"))) ?? Response(status: .ok)
        } catch {
            return (try? jsonResponse(.serviceUnavailable, ReadinessResponse(status: "not_ready", reason: "database_unreachable")))
                ?? Response(status: .serviceUnavailable)
        }
    }

    // MARK: Decoding errors

    /// The JSONPath of a decoding error, spelled as validation errors spell theirs.
    private static func path(_ codingPath: [any CodingKey]) -> String {
        Violation(path: codingPath.map { key in key.intValue.map(PathComponent.index) ?? .key(key.stringValue) }, message: "").jsonPath
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "\(path(context.codingPath + [key])) is required"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): "\(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context): context.codingPath.isEmpty ? "malformed JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }

    static func fieldError(_ error: DecodingError) -> [String: String]? {
        switch error {
        case .keyNotFound(let key, let context): [path(context.codingPath + [key]): "is required"]
        case .typeMismatch(_, let context), .valueNotFound(_, let context): [path(context.codingPath): context.debugDescription]
        case .dataCorrupted(let context): context.codingPath.isEmpty ? nil : [path(context.codingPath): context.debugDescription]
        @unknown default: nil
        }
    }
}
