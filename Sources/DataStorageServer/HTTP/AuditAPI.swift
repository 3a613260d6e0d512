import AuditIntegrity
import DataStorageClient
import Foundation
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
        if let ip = event.actorIP, ip.count <= 45, IPAddress.canonical(ip) == nil {
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

    // MARK: Chains and checkpoints

    func getAuditChain(_ input: Operations.GetAuditChain.Input) async throws -> Operations.GetAuditChain.Output {
        try await answeringProblems {
            try Self.refuseNULCharacters(input.correlationID, in: "correlation_id")
            return .ok(AuditChainPage(data: try await repository.chain(correlationID: input.correlationID, afterIndex: input.afterIndex, limit: input.limit)))
        }
    }

    func listAuditCheckpoints(_ input: Operations.ListAuditCheckpoints.Input) async throws -> Operations.ListAuditCheckpoints.Output {
        .ok(CheckpointPage(data: try await repository.checkpoints(afterSequence: input.afterSequence, limit: input.limit)))
    }

    func getLatestAuditCheckpoint(_ input: Operations.GetLatestAuditCheckpoint.Input) async throws -> Operations.GetLatestAuditCheckpoint.Output {
        try await answeringProblems {
            guard let checkpoint = try await repository.latestCheckpoint() else { throw Problem.notFound("no checkpoint has been published yet") }
            return .ok(checkpoint)
        }
    }

    func listCheckpointChains(_ input: Operations.ListCheckpointChains.Input) async throws -> Operations.ListCheckpointChains.Output {
        try await answeringProblems {
            try Self.refuseNULCharacters(input.afterCorrelationID, in: "after_correlation_id")
            guard let heads = try await repository.checkpointChains(sequence: input.sequence, afterCorrelationID: input.afterCorrelationID, limit: input.limit)
            else { throw Problem.notFound("there is no checkpoint \(input.sequence)") }
            return .ok(ChainHeadPage(data: heads))
        }
    }

    func getAuditEventProof(_ input: Operations.GetAuditEventProof.Input) async throws -> Operations.GetAuditEventProof.Output {
        try await answeringProblems {
            guard let event = try await repository.event(id: input.eventID) else { throw Problem.notFound("there is no event \(input.eventID)") }
            // The newest checkpoint's tree: every head it signed, in its order.
            guard let index = event.chainIndex, let checkpoint = try await repository.latestCheckpoint(),
                let heads = try await repository.checkpointChains(sequence: checkpoint.sequence, afterCorrelationID: nil, limit: .max),
                let leafIndex = heads.firstIndex(where: { $0.correlationID == event.correlationID }), heads[leafIndex].chainLength >= index
            else { throw Problem.notFound("no checkpoint covers event \(input.eventID) yet") }
            let head = heads[leafIndex]
            let later = try await repository.chain(correlationID: event.correlationID, afterIndex: index, limit: Int(head.chainLength - index))
            let path = MerkleTree.auditPath(leafIndex: leafIndex, leafHashes: try heads.map { try $0.leafHash })
            return .ok(InclusionProof(
                event: event, laterContentDigests: try later.map { Hex.encode(try AuditChainHash.contentDigest(of: $0)) }, chainHead: head,
                leafIndex: Int64(leafIndex), auditPath: path.map(Hex.encode), checkpoint: checkpoint))
        }
    }

    // MARK: Export

    func exportAuditEvents(_ input: Operations.ExportAuditEvents.Input) async throws -> Operations.ExportAuditEvents.Output {
        try await answeringProblems {
            for correlationID in input.correlationID ?? [] { try Self.refuseNULCharacters(correlationID, in: "correlation_id") }
            let parser = AuditQueryParser(now: configuration.now())
            let selection = AuditExportSelection(
                since: try input.since.map { try parser.time($0, name: "since") }, until: try input.until.map { try parser.time($0, name: "until") },
                correlationIDs: input.correlationID)
            let exporter = AuditExporter(repository: repository, selection: selection)
            return .ok(JSONLines(body: exporter.body()) { try JSONReader.decode(AuditExportLine.self, from: $0) })
        }
    }

    // MARK: Legal holds

    func placeLegalHold(_ input: Operations.PlaceLegalHold.Input) async throws -> Operations.PlaceLegalHold.Output {
        try await answeringProblems {
            let request = input.body
            try Self.refuseNULCharacters(request.correlationID, in: "correlation_id")
            try Self.refuseNULCharacters(request.reason, in: "reason")
            let now = configuration.now()
            let hold = LegalHold(correlationID: request.correlationID, reason: request.reason, placedBy: AuthenticatedCaller.current, placedAt: now)
            do {
                try await repository.placeLegalHold(hold, auditedBy: legalHoldEvent(placed: true, hold.correlationID, reason: hold.reason, at: now))
            } catch let conflict as LegalHoldInForce {
                throw Problem(status: .conflict, type: "legal-hold-in-force", title: "Conflict", detail: "\(conflict)")
            }
            return .created(hold)
        }
    }

    func releaseLegalHold(_ input: Operations.ReleaseLegalHold.Input) async throws -> Operations.ReleaseLegalHold.Output {
        try await answeringProblems {
            try Self.refuseNULCharacters(input.correlationID, in: "correlation_id")
            try Self.refuseNULCharacters(input.body.reason, in: "reason")
            let now = configuration.now()
            let (caller, reason) = (AuthenticatedCaller.current, input.body.reason)
            let event = legalHoldEvent(placed: false, input.correlationID, reason: reason, at: now)
            guard let released = try await repository.releaseLegalHold(correlationID: input.correlationID, release: { hold in
                var hold = hold
                (hold.releasedBy, hold.releasedAt, hold.releaseReason) = (caller, now, reason)
                return hold
            }, auditedBy: event) else {
                throw Problem.notFound("no legal hold on correlation_id '\(input.correlationID)' is in force")
            }
            return .ok(released)
        }
    }

    func listLegalHolds(_ input: Operations.ListLegalHolds.Input) async throws -> Operations.ListLegalHolds.Output {
        try await answeringProblems {
            try Self.refuseNULCharacters(input.afterCorrelationID, in: "after_correlation_id")
            return .ok(LegalHoldPage(data: try await repository.legalHolds(afterCorrelationID: input.afterCorrelationID, limit: input.limit)))
        }
    }

    /// The audit record of placing or releasing a hold: it joins the held correlation_id's
    /// chain, with the caller as its actor and the reason in its payload.
    private func legalHoldEvent(placed: Bool, _ correlationID: String, reason: String, at now: Date) -> StoredAuditEvent {
        let verb = placed ? "placed" : "released"
        return StoredAuditEvent(accepting: AuditEventRequest(
            version: "1.0", eventType: "datastorage.legal_hold.\(verb)", eventTimestamp: now, eventCategory: .security,
            eventAction: "legal_hold_\(verb)", eventOutcome: .success, actorType: "user", actorID: AuthenticatedCaller.current,
            resourceType: "legal_hold", resourceID: correlationID, correlationID: correlationID,
            eventData: .commonEnvelope(CommonEnvelope(
                service: "datastorage", operation: placed ? "place_legal_hold" : "release_legal_hold", status: verb, payload: ["reason": .string(reason)]))))
    }

    /// No stored text holds a NUL character (writes refuse them), and PostgreSQL cannot
    /// compare or store text holding one: a 400 rather than a database error.
    private static func refuseNULCharacters(_ parameter: String?, in name: String) throws {
        guard let parameter, parameter.utf8.contains(0) else { return }
        throw Problem.validation([Violation(path: [.key(name)], message: "must not contain NUL characters")])
    }

    // MARK: Health and metrics

    func checkHealth(_ input: Operations.CheckHealth.Input) async throws -> Operations.CheckHealth.Output {
        .ok(HealthResponse(status: "healthy", timestamp: configuration.now()))
    }

    func checkReadiness(_ input: Operations.CheckReadiness.Input) async throws -> Operations.CheckReadiness.Output {
        if state.isShuttingDown { return .serviceUnavailable(ReadinessResponse(status: "not_ready", reason: "shutting_down")) }
        var reasons: [String] = []
        do { try await repository.ping() } catch { reasons.append("database_unreachable") }
        // A replica that can neither store nor journal would answer 500: it should get no traffic.
        if let deadLetters, await deadLetters.unwritableReason() != nil { reasons.append("dead_letter_journal_unwritable") }
        guard reasons.isEmpty else { return .serviceUnavailable(ReadinessResponse(status: "not_ready", reason: reasons.joined(separator: ","))) }
        return .ok(ReadinessResponse(status: "ready"))
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
extension Operations.GetAuditChain.Output: ProblemOutput {}
extension Operations.PlaceLegalHold.Output: ProblemOutput {}
extension Operations.ReleaseLegalHold.Output: ProblemOutput {}
extension Operations.ListLegalHolds.Output: ProblemOutput {}
extension Operations.GetLatestAuditCheckpoint.Output: ProblemOutput {}
extension Operations.ListCheckpointChains.Output: ProblemOutput {}
extension Operations.GetAuditEventProof.Output: ProblemOutput {}
extension Operations.ExportAuditEvents.Output: ProblemOutput {}
