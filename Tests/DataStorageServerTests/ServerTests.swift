import AsyncHTTPClient
@testable import Audit
@testable import DataStorageServer
import Foundation
import Logging
import NIOPosix
import OpenAPICodegenAsyncHTTPClient
import ServiceLifecycle
import Testing

/// A DataStorage server on a free loopback port over a fresh SQLite file, for one test.
func withServer(
    _ configuration: ServerConfiguration = ServerConfiguration(port: 0),
    backend: Backend = .sqlite,
    _ body: @Sendable (Client, URL) async throws -> Void
) async throws {
    try await withRepository(backend) { repository in
        try await serve(repository, configuration, body)
    }
}

/// Serves `repository` on a free loopback port for the duration of `body`, then shuts the
/// server down gracefully and waits for it.
func serve(
    _ repository: any AuditRepository, _ configuration: ServerConfiguration, clock: some Clock<Duration> = ContinuousClock(),
    _ body: @Sendable (Client, URL) async throws -> Void
) async throws {
    let logger = Logger(label: "datastorage-test") { _ in SwiftLogNoOpLogHandler() }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let server = try await DataStorageService(configuration: configuration, repository: repository, logger: logger, clock: clock) { port in
        portContinuation.yield(port)
    }
    let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
    let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: AsyncHTTPClientTransport.failFastConfiguration())
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next()!
        let url = URL(string: "http://127.0.0.1:\(port)")!
        do {
            try await body(Client(serverURL: url, transport: AsyncHTTPClientTransport(client: http)), url)
        } catch {
            await group.triggerGracefulShutdown()
            try? await http.shutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
    try await http.shutdown()
}

func event(_ index: Int, correlationID: String = "rr-1", type: String = "gateway.signal.received", at timestamp: Date = Date()) -> AuditEvent {
    AuditEvent(
        type: type, category: .gateway, action: "received", outcome: index % 3 == 0 ? .failure : .success,
        correlationID: correlationID,
        data: CommonEnvelope(service: "gateway", operation: "receive", status: "ok", payload: ["task_id": .string("task-\(index)"), "n": .int(index)]),
        timestamp: timestamp)
}

/// Sends raw bytes, for bodies the generated client would never produce.
func post(_ url: URL, path: String, body: Data) async throws -> (status: Int, contentType: String?, problem: RFC7807Problem?) {
    let transport = AsyncHTTPClientTransport()
    var request = HTTPRequest(method: .post, path: path, body: body)
    request.headers["Content-Type"] = "application/json"
    let response = try await transport.send(request, serverURL: url, operationID: "raw")
    let problem = response.body.flatMap { try? JSONDecoder().decode(RFC7807Problem.self, from: $0) }
    return (response.statusCode, response.headers["Content-Type"], problem)
}

@Suite("DataStorage server over loopback", .serialized)
struct ServerTests {
    @Test("a stored event comes back with every field, and defaults filled in")
    func roundTrip() async throws {
        try await withServer { client, _ in
            let sent = event(1)
            guard case .created(let created) = try await client.createAuditEvent(body: sent) else {
                Issue.record("expected 201")
                return
            }
            #expect(created.eventID == sent.eventID)
            guard case .ok(let page) = try await client.queryAuditEvents(correlationID: "rr-1") else {
                Issue.record("expected 200")
                return
            }
            let stored = try #require(page.data.first)
            #expect(page.pagination.total == 1)
            #expect(stored.eventID == sent.eventID)
            #expect(stored.eventType == sent.eventType && stored.eventData == sent.eventData)
            #expect(abs(stored.eventTimestamp.timeIntervalSince(sent.eventTimestamp)) < 0.000_001)
            #expect(stored.severity == "info" && stored.resourceType == "gateway" && stored.resourceID == "rr-1")
            #expect(stored.eventDate == String(RFC3339.format(sent.eventTimestamp).prefix(10)))
        }
    }

    @Test("idempotency: the same event and a retried batch are stored once, with the same IDs")
    func idempotency() async throws {
        try await withServer { client, _ in
            let single = event(0)
            _ = try await client.createAuditEvent(body: single)
            _ = try await client.createAuditEvent(body: single)
            let batch = (1...5).map { event($0) }
            guard case .created(let first) = try await client.createAuditEventsBatch(body: batch),
                case .created(let retry) = try await client.createAuditEventsBatch(body: batch)
            else {
                Issue.record("expected 201 twice")
                return
            }
            #expect(first.eventIDs == batch.compactMap(\.eventID))
            #expect(retry.eventIDs == first.eventIDs)
            guard case .ok(let page) = try await client.queryAuditEvents() else { return }
            #expect(page.pagination.total == 6)
        }
    }

    @Test("a batch with one invalid event is refused whole, naming the index")
    func batchAtomicity() async throws {
        try await withServer { client, _ in
            var batch = (0..<4).map { event($0) }
            batch[2].correlationID = ""
            guard case .badRequest(let problem) = try await client.createAuditEventsBatch(body: batch) else {
                Issue.record("expected 400")
                return
            }
            #expect(problem.detail?.hasPrefix("event at index 2:") == true)
            #expect(problem.fieldErrors?["$.correlation_id"] != nil)
            guard case .ok(let page) = try await client.queryAuditEvents() else { return }
            #expect(page.pagination.total == 0)
        }
    }

    @Test("every validation error is listed with its path")
    func validation() async throws {
        try await withServer { client, _ in
            var bad = event(0, at: Date().addingTimeInterval(3 * 3600))
            bad.version = ""
            bad.actorIP = String(repeating: "9", count: 46)
            bad.retentionDays = 9999
            guard case .badRequest(let problem) = try await client.createAuditEvent(body: bad) else {
                Issue.record("expected 400")
                return
            }
            #expect(Set(problem.fieldErrors?.keys.map { $0 } ?? []) == ["$.version", "$.actor_ip", "$.event_timestamp", "$.retention_days"])
            #expect(problem.type == "https://kubernaut.ai/problems/validation-error")
        }
    }

    @Test("NUL characters, which PostgreSQL cannot store, are refused up front with their paths")
    func nulCharacters() async throws {
        try await withServer { client, _ in
            var bad = event(0)
            bad.actorID = "svc\u{0}"
            bad.eventData.envelope?.payload = ["items": [.string("ok"), .string("a\u{0}b")]]
            guard case .badRequest(let problem) = try await client.createAuditEvent(body: bad) else {
                Issue.record("expected 400")
                return
            }
            #expect(Set(problem.fieldErrors?.keys.map { $0 } ?? []) == ["$.actor_id", "$.event_data.payload.items[1]"])
            guard case .ok(let page) = try await client.queryAuditEvents() else { return }
            #expect(page.pagination.total == 0)
        }
    }

    @Test("malformed JSON, wrong types, missing members: 400 problem+json, nothing stored")
    func badBodies() async throws {
        try await withServer { client, url in
            for body in [#"{"version": "1.0", "#, #"{"version": 1}"#, #"[1, 2]"#, #"{"version":"1.0"}"#] {
                let result = try await post(url, path: "/api/v1/audit/events", body: Data(body.utf8))
                #expect(result.status == 400, "\(body)")
                #expect(result.contentType == "application/problem+json")
                #expect(result.problem?.status == 400)
            }
            guard case .ok(let page) = try await client.queryAuditEvents() else { return }
            #expect(page.pagination.total == 0)
        }
    }

    @Test("an oversized body gets 413; empty and oversized batches get 400")
    func limits() async throws {
        try await withServer(ServerConfiguration(port: 0, maxBodyBytes: 1024 * 1024, maxBatch: 3)) { client, url in
            let huge = Data(("[" + String(repeating: "\"x\",", count: 300_000) + "\"x\"]").utf8)
            #expect(try await post(url, path: "/api/v1/audit/events/batch", body: huge).status == 413)
            guard case .badRequest(let empty) = try await client.createAuditEventsBatch(body: []) else {
                Issue.record("expected 400 for an empty batch")
                return
            }
            #expect(empty.detail == "batch cannot be empty")
            guard case .badRequest(let tooMany) = try await client.createAuditEventsBatch(body: (0..<4).map { event($0) }) else {
                Issue.record("expected 400 for an oversized batch")
                return
            }
            #expect(tooMany.type.hasSuffix("batch-size-exceeded"))
        }
    }

    @Test("filters, pagination and newest-first order")
    func query() async throws {
        let now = Date()
        try await withServer(ServerConfiguration(port: 0, now: { now })) { client, _ in
            let start = now.addingTimeInterval(-3600)
            let events = (0..<12).map { event($0, correlationID: $0 < 8 ? "rr-a" : "rr-b", at: start.addingTimeInterval(Double($0) * 60)) }
            _ = try await client.createAuditEventsBatch(body: events)
            guard case .ok(let page) = try await client.queryAuditEvents(correlationID: "rr-a", limit: 3, offset: 3) else { return }
            #expect(page.data.map(\.eventID) == Array(events[0..<8].reversed()[3..<6]).map(\.eventID))
            #expect(page.pagination.total == 8 && page.pagination.hasMore)
            guard case .ok(let failures) = try await client.queryAuditEvents(eventOutcome: .failure) else { return }
            #expect(failures.pagination.total == 4)
            // Events are 60, 59 … 49 minutes old: the last 55 minutes hold events 5 to 11.
            guard case .ok(let recent) = try await client.queryAuditEvents(since: "55m") else { return }
            #expect(recent.pagination.total == 7)
            guard case .ok(let detail) = try await client.queryAuditEvents(detailKey: "service", detailValue: "gateway") else { return }
            #expect(detail.pagination.total == 12)
            guard case .ok(let none) = try await client.queryAuditEvents(correlationID: "rr-a' OR '1'='1") else { return }
            #expect(none.pagination.total == 0, "parameters are bound, never spliced into SQL")
        }
    }

    @Test("bad query parameters get 400 problem+json", arguments: [
        "limit=0", "limit=1001", "limit=x", "offset=-1", "since=yesterday", "event_outcome=maybe",
        "detail_key=a;DROP%20TABLE%20audit_events&detail_value=x", "detail_key=task_id", "correlation_id=rr%00",
    ])
    func badQuery(parameters: String) async throws {
        try await withServer { _, url in
            let response = try await AsyncHTTPClientTransport().send(
                HTTPRequest(method: .get, path: "/api/v1/audit/events?" + parameters), serverURL: url, operationID: "raw")
            #expect(response.statusCode == 400)
            #expect(response.headers["Content-Type"] == "application/problem+json")
        }
    }

    @Test("with a token file, the operations the contract secures need a listed bearer token; health and metrics stay open; rotation needs no restart")
    func authentication() async throws {
        let tokens = FileManager.default.temporaryDirectory.appending(path: "tokens-\(UUID().uuidString)")
        try "first\n\nsecond\n".write(to: tokens, atomically: true, encoding: .utf8)
        try await withServer(ServerConfiguration(port: 0, authTokenFile: tokens.path)) { client, url in
            guard case .unauthorized(let problem) = try await client.createAuditEvent(body: event(0)) else {
                Issue.record("expected 401 without a token")
                return
            }
            #expect(problem.status == 401)
            let wrong = Client(serverURL: url, transport: client.core.transport, middlewares: [BearerTokenMiddleware(token: "nope")])
            #expect(try await wrong.queryAuditEvents().statusCode == 401)
            let right = Client(serverURL: url, transport: client.core.transport, middlewares: [BearerTokenMiddleware(token: "second")])
            #expect(try await right.createAuditEvent(body: event(1)).statusCode == 201)
            #expect(try await client.checkReadiness().statusCode == 200)
            #expect(try await client.checkHealth().statusCode == 200)
            #expect(try await client.getMetrics().statusCode == 200)
            // Rotation: a new file replaces the old tokens.
            try "third\n".write(to: tokens, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: tokens.path)
            #expect(try await right.queryAuditEvents().statusCode == 401)
            let rotated = Client(serverURL: url, transport: client.core.transport, middlewares: [BearerTokenMiddleware(token: "third")])
            #expect(try await rotated.queryAuditEvents().statusCode == 200)
            guard case .ok(let page) = try await rotated.queryAuditEvents() else { return }
            #expect(page.pagination.total == 1, "nothing was stored by the refused request")
        }
    }

    @Test("/metrics exposes writes, validation failures and requests by status in Prometheus text")
    func metrics() async throws {
        try await withServer { client, url in
            _ = try await client.createAuditEventsBatch(body: [event(0), event(1)])
            var bad = event(2)
            bad.version = ""
            _ = try await client.createAuditEvent(body: bad)
            let response = try await AsyncHTTPClientTransport().send(HTTPRequest(method: .get, path: "/metrics"), serverURL: url, operationID: "raw")
            let text = String(decoding: response.body ?? Data(), as: UTF8.self)
            #expect(response.statusCode == 200)
            #expect(text.contains("datastorage_events_written_total 2"))
            #expect(text.contains("datastorage_validation_failures_total 1"))
            #expect(text.contains(#"datastorage_http_requests_total{status="201"} 1"#))
            #expect(text.contains(#"datastorage_http_requests_total{status="400"} 1"#))
            #expect(text.contains("datastorage_write_duration_seconds_count 1"))
        }
    }

    @Test("the routes generated from the contract are the paths kubernaut's clients call, each served")
    func servedPaths() async throws {
        // kubernaut's DataStorage audit API (../shared/kubernaut-datastorage-audit.md): a path
        // renamed in the contract would still build, the server following it; this pins them.
        let operations = [
            Operations.CreateAuditEvent.operation, Operations.QueryAuditEvents.operation, Operations.CreateAuditEventsBatch.operation,
            Operations.CheckHealth.operation, Operations.CheckReadiness.operation, Operations.GetMetrics.operation,
        ]
        #expect(operations.map { "\($0.method) \($0.path)" } == [
            "POST /api/v1/audit/events", "GET /api/v1/audit/events", "POST /api/v1/audit/events/batch",
            "GET /healthz", "GET /readyz", "GET /metrics",
        ])
        try await withServer { _, url in
            for operation in operations {
                let response = try await AsyncHTTPClientTransport().send(
                    HTTPRequest(method: operation.method, path: operation.path), serverURL: url, operationID: "raw")
                #expect(![404, 405].contains(response.statusCode), "\(operation.method) \(operation.path): \(response.statusCode)")
            }
        }
    }

    @Test("a known path with a method it does not serve gets 405 and Allow; an unknown path 404")
    func methodNotAllowed() async throws {
        try await withServer { _, url in
            let transport = AsyncHTTPClientTransport()
            let wrongMethod = try await transport.send(HTTPRequest(method: .delete, path: "/api/v1/audit/events"), serverURL: url, operationID: "raw")
            #expect(wrongMethod.statusCode == 405 && wrongMethod.headers["Allow"] == "GET, POST")
            let unknown = try await transport.send(HTTPRequest(method: .get, path: "/api/v2/nothing"), serverURL: url, operationID: "raw")
            #expect(unknown.statusCode == 404)
        }
    }

    @Test("every datastorage metric the README names is one the server exposes, and all are documented")
    func readmeMetricNames() throws {
        let readme = try String(contentsOf: packageRoot.appending(path: "README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "## Running `datastorage`"))
        let rest = readme[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        let named = Set(section.matches(of: /\b(datastorage_[a-z_]+)\b/).map { String($0.output.1) })
        #expect(named == Set(ServerMetrics.allNames))
    }

    @Test("healthz and readyz")
    func health() async throws {
        try await withServer { client, _ in
            guard case .ok(let health) = try await client.checkHealth() else { return }
            #expect(health.status == "healthy")
            try await DataStorageProber(client: client).probe()
        }
    }

    @Test("end to end: BufferedStore → generated client → AsyncHTTPClient → server → database, exactly once each", arguments: Backend.allCases)
    func endToEnd(backend: Backend) async throws {
        try await withServer(backend: backend) { client, _ in
            // Exactly once is the point here, not latency: on a loaded 2-core CI machine the debug
            // server took over 30 s (the default flush deadline) to chain 10,000 events into SQLite,
            // and an attempt given up after 30 s is sent again, adding to the load.
            let patient = AuditConfig(attemptTimeout: .seconds(300), closeTimeout: .seconds(600), flushTimeout: .seconds(600))
            let store = try BufferedStore(client: client, config: patient, service: "gateway", logger: Logger(label: "e2e") { _ in SwiftLogNoOpLogHandler() })
            let sent = (0..<10_000).map { event($0, correlationID: "rr-\($0 % 50)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                try await withThrowingTaskGroup(of: Void.self) { producers in
                    for producer in 0..<4 {
                        producers.addTask {
                            for index in stride(from: producer, to: sent.count, by: 4) { try store.store(sent[index]) }
                        }
                    }
                    try await producers.waitForAll()
                }
                try await store.flush()
                try await store.close()
                try await group.waitForAll()
            }
            var received: [StoredAuditEvent] = []
            var offset = 0
            while true {
                guard case .ok(let page) = try await client.queryAuditEvents(limit: 1000, offset: offset) else { break }
                received += page.data
                offset += page.data.count
                if !page.pagination.hasMore { break }
            }
            #expect(received.count == sent.count)
            #expect(Set(received.map(\.eventID)).count == sent.count)
            let byID = Dictionary(uniqueKeysWithValues: received.map { ($0.eventID, $0) })
            for original in sent {
                let stored = try #require(byID[original.eventID!])
                #expect(stored.correlationID == original.correlationID && stored.eventData == original.eventData)
                #expect(stored.eventType == original.eventType && stored.eventCategory == original.eventCategory)
                #expect(stored.eventAction == original.eventAction && stored.eventOutcome == original.eventOutcome)
                #expect(stored.version == original.version && abs(stored.eventTimestamp.timeIntervalSince(original.eventTimestamp)) < 0.000_001)
            }
        }
    }
}

@Suite("Relative times")
struct RelativeTimeTests {
    @Test("days, Go durations, RFC 3339 and bare dates", arguments: [
        ("7d", 604_800.0), ("1.5d", 129_600), ("24h", 86_400), ("30m", 1800), ("1h30m", 5400), ("45s", 45),
    ])
    func relative(text: String, seconds: Double) throws {
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        #expect(try AuditQueryParser(now: now).time(text, name: "since") == now.addingTimeInterval(-seconds))
    }

    @Test("absolute forms")
    func absolute() throws {
        let parser = AuditQueryParser(now: Date())
        #expect(try parser.time("2025-12-18T23:59:59Z", name: "until").timeIntervalSince1970 == 1_766_102_399)
        #expect(try parser.time("2025-12-18T23:59:59", name: "until").timeIntervalSince1970 == 1_766_102_399)
        #expect(try parser.time("2025-12-18", name: "until").timeIntervalSince1970 == 1_766_016_000)
        #expect(throws: Problem.self) { try parser.time("soon", name: "since") }
    }
}
