import DataStorageClient
import Foundation
import Synchronization
import TestSupport
import Testing

/// Records requests and answers each with a canned response.
private final class ScriptedTransport: ClientTransport {
    let requests = Mutex<[HTTPRequest]>([])
    let respond: @Sendable (HTTPRequest) -> HTTPResponse

    init(_ respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.respond = respond
    }

    func send(_ request: HTTPRequest, serverURL: URL, operationID: String) async throws -> HTTPResponse {
        requests.withLock { $0.append(request) }
        return respond(request)
    }

    var last: HTTPRequest? { requests.withLock { $0.last } }
}

private func json(_ status: Int, _ body: String, contentType: String = "application/json") -> HTTPResponse {
    HTTPResponse(statusCode: status, headers: ["Content-Type": contentType], body: Data(body.utf8))
}

private let sampleEvent = AuditEventRequest(
    version: "1.0", eventType: "gateway.signal.received", eventTimestamp: Date(timeIntervalSince1970: 1_765_591_200.25),
    eventCategory: .gateway, eventAction: "received", eventOutcome: .success, actorIP: "10.0.0.1",
    correlationID: "rr-2025-001",
    eventData: .commonEnvelope(CommonEnvelope(service: "gateway", operation: "receive", status: "ok", payload: ["signal": "HighMemory", "count": 3])))

@Suite("Generated DataStorage client over an in-memory transport")
struct GeneratedClientTests {
    let server = URL(string: "http://datastorage.test:8080")!

    @Test("createAuditEvent POSTs JSON to the events path and decodes 201")
    func create() async throws {
        let transport = ScriptedTransport { _ in
            json(201, #"{"event_id":"e621e1f8-c36c-495a-93fc-0c247a3e6e5f","event_timestamp":"2025-12-13T02:00:00.25Z","message":"stored"}"#)
        }
        let client = Client(serverURL: server, transport: transport)
        let output = try await client.createAuditEvent(body: sampleEvent)
        guard case .created(let created) = output else {
            Issue.record("expected 201, got \(output)")
            return
        }
        #expect(created.eventID == UUID(uuidString: "e621e1f8-c36c-495a-93fc-0c247a3e6e5f"))
        #expect(output.statusCode == 201)
        let request = try #require(transport.last)
        #expect(request.method == .post)
        #expect(request.path == "/api/v1/audit/events")
        #expect(request.headers["Content-Type"] == "application/json")
        let sent = try JSONDecoder().decode(JSONValue.self, from: try #require(request.body))
        #expect(sent.objectValue?["correlation_id"] == "rr-2025-001")
        #expect(sent.objectValue?["event_timestamp"] == "2025-12-13T02:00:00.25Z")
        #expect(sent.objectValue?["actor_id"] == nil, "absent optionals are omitted, not null")
    }

    @Test("the batch endpoint sends a top-level JSON array")
    func batch() async throws {
        let transport = ScriptedTransport { _ in json(201, #"{"event_ids":[],"message":"ok"}"#) }
        let client = Client(serverURL: server, transport: transport)
        _ = try await client.createAuditEventsBatch(body: [sampleEvent, sampleEvent])
        let body = try decodeBothWays([AuditEventRequest].self, from: try #require(transport.last?.body))
        #expect(body == [sampleEvent, sampleEvent])
        #expect(transport.last?.path == "/api/v1/audit/events/batch")
    }

    @Test("problem+json errors decode into RFC7807Problem")
    func problem() async throws {
        let transport = ScriptedTransport { _ in
            json(400, #"{"type":"https://kubernaut.ai/problems/validation-error","title":"Validation Error","status":400,"field_errors":{"$.version":"required"}}"#, contentType: "application/problem+json")
        }
        let output = try await Client(serverURL: server, transport: transport).createAuditEvent(body: sampleEvent)
        guard case .badRequest(let problem) = output else {
            Issue.record("expected 400, got \(output)")
            return
        }
        #expect(problem.title == "Validation Error")
        #expect(problem.fieldErrors == ["$.version": "required"])
    }

    @Test("undocumented statuses come back through default, not as thrown errors")
    func undocumented() async throws {
        let transport = ScriptedTransport { _ in
            json(418, #"{"type":"about:blank","title":"teapot","status":418}"#, contentType: "application/problem+json")
        }
        let output = try await Client(serverURL: server, transport: transport).createAuditEvent(body: sampleEvent)
        guard case .default(let status, let problem) = output else {
            Issue.record("expected default, got \(output)")
            return
        }
        #expect(status == 418 && problem.title == "teapot")
    }

    @Test("a body that does not match the documented schema is a decoding error")
    func decodingError() async throws {
        let transport = ScriptedTransport { _ in json(201, #"{"unexpected":true}"#) }
        await #expect {
            _ = try await Client(serverURL: server, transport: transport).createAuditEvent(body: sampleEvent)
        } throws: { error in
            if case ClientError.decoding("createAuditEvent", 201, _) = error { true } else { false }
        }
    }

    @Test("query parameters are typed and percent-encoded")
    func query() async throws {
        let transport = ScriptedTransport { _ in json(200, #"{"data":[],"pagination":{"limit":10,"offset":0,"total":0,"has_more":false}}"#) }
        let output = try await Client(serverURL: server, transport: transport).queryAuditEvents(
            eventOutcome: .failure, correlationID: "rr 1&x=2", since: "24h", limit: 10, detailKey: "task_id")
        #expect(transport.last?.path == "/api/v1/audit/events?event_outcome=failure&correlation_id=rr%201%26x%3D2&since=24h&limit=10&detail_key=task_id")
        guard case .ok(let page) = output else {
            Issue.record("expected 200")
            return
        }
        #expect(page.pagination.hasMore == false)
        #expect(page.data == [])
    }

    @Test("the bearer middleware authenticates every call")
    func bearer() async throws {
        let transport = ScriptedTransport { request in
            request.headers["Authorization"] == "Bearer s3cret" ? json(200, #"{"data":[],"pagination":{"limit":50,"offset":0,"total":0,"has_more":false}}"#) : json(401, #"{"type":"t","title":"no","status":401}"#, contentType: "application/problem+json")
        }
        let client = Client(serverURL: server, transport: transport, middlewares: [BearerTokenMiddleware(token: "s3cret")])
        #expect(try await client.queryAuditEvents().statusCode == 200)
        #expect(try await Client(serverURL: server, transport: transport).queryAuditEvents().statusCode == 401)
    }
}

@Suite("Generated DataStorage models")
struct GeneratedModelTests {
    @Test("JSON round trip keeps every field; dates decode with and without fractions")
    func roundTrip() throws {
        let data = try JSONEncoder().encode(sampleEvent)
        #expect(try decodeBothWays(AuditEventRequest.self, from: data) == sampleEvent)
        let whole = #"{"version":"1.0","event_type":"t","event_timestamp":"2025-12-13T02:00:00Z","event_category":"gateway","event_action":"a","event_outcome":"pending","correlation_id":"c","event_data":{"version":"1.0","service":"s","operation":"o","status":"ok","payload":null},"duration_ms":null}"#
        let decoded = try decodeBothWays(AuditEventRequest.self, from: Data(whole.utf8))
        #expect(decoded.eventTimestamp == Date(timeIntervalSince1970: 1_765_591_200))
        #expect(decoded.durationMs == nil)
        #expect(decoded.eventOutcome == .pending)
    }

    @Test("unknown enum values decode, re-encode unchanged, and fail validation")
    func openEnums() throws {
        let text = #"{"version":"1.0","event_type":"t","event_timestamp":"2025-12-13T02:00:00Z","event_category":"martian","event_action":"a","event_outcome":"success","correlation_id":"c","event_data":{"version":"1.0","service":"s","operation":"o","status":"ok","payload":null}}"#
        let decoded = try decodeBothWays(AuditEventRequest.self, from: Data(text.utf8))
        #expect(decoded.eventCategory == .unknown("martian"))
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(decoded))
        #expect(again.objectValue?["event_category"] == "martian")
        #expect(throws: ValidationError.self) { try decoded.validate() }
    }

    @Test("validate() reports every violation with its JSON path")
    func validation() {
        var event = sampleEvent
        event.version = ""
        event.correlationID = String(repeating: "x", count: 256)
        event.actorIP = String(repeating: "1", count: 46)
        event.eventOutcome = .unknown("maybe")
        #expect {
            try event.validate()
        } throws: { error in
            guard let error = error as? ValidationError else { return false }
            return error.violations.map(\.jsonPath) == ["$.version", "$.event_outcome", "$.actor_ip", "$.actor_ip", "$.correlation_id"]
        }
        #expect(throws: Never.self) { try sampleEvent.validate() }
    }

    @Test("the client-supplied event_id travels as the idempotency key")
    func eventID() throws {
        var event = sampleEvent
        event.eventID = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(event))
        #expect(json.objectValue?["event_id"] == "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")
    }

    @Test("compatibility: a newer server's response (new fields, new enum values) decodes in this client")
    func newerServer() async throws {
        let fixture = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "Fixtures/query-response-from-a-newer-server.json"))
        _ = try decodeBothWays(AuditEventsQueryResponse.self, from: fixture)
        let transport = ScriptedTransport { _ in HTTPResponse(statusCode: 200, headers: ["Content-Type": "application/json"], body: fixture) }
        let client = Client(serverURL: URL(string: "http://datastorage.test")!, transport: transport)
        guard case .ok(let page) = try await client.queryAuditEvents(correlationID: "rr-2026-042") else {
            Issue.record("expected the 200 page to decode")
            return
        }
        let event = try #require(page.data.first)
        #expect(event.eventCategory == .unknown("billing") && event.eventOutcome == .unknown("partial"))
        guard case .commonEnvelope(let envelope) = event.eventData else {
            Issue.record("expected the envelope, got \(event.eventData)")
            return
        }
        #expect(envelope.payload == ["invoice": "INV-7"] && event.correlationID == "rr-2026-042")
        #expect(page.pagination.total == 1 && !page.pagination.hasMore)
    }

    @Test("a response with fields this client does not know still decodes")
    func forwardCompatible() throws {
        let text = #"{"event_id":"e621e1f8-c36c-495a-93fc-0c247a3e6e5f","event_timestamp":"2025-12-13T02:00:00Z","message":"ok","shard":7}"#
        let decoded = try decodeBothWays(AuditEventResponse.self, from: Data(text.utf8))
        #expect(decoded.message == "ok")
    }
}

@Suite("Request encoding")
struct RequestEncodingTests {
    @Test("the direct writer and JSONEncoder produce the same event JSON, for both shapes of event_data")
    func sameAsFoundation() throws {
        var event = sampleEvent
        event.eventID = UUID()
        event.parentEventDate = Date(timeIntervalSince1970: 1_700_000_000.123456)
        event.eventData = .commonEnvelope(CommonEnvelope(
            service: "gateway", operation: "receive", status: "ok", payload: ["signal": "HighMemory"],
            sourcePayload: ["raw": ["nested": [1, 2.5, nil]]]))
        var kubernautShaped = sampleEvent
        kubernautShaped.eventType = "aianalysis.phase.transition"
        kubernautShaped.eventData = .kubernautEventData(try JSONDecoder().decode(KubernautEventData.self, from: Data(
            #"{"event_type": "aianalysis.phase.transition", "old_phase": "Pending", "new_phase": "Investigating"}"#.utf8)))
        let batch = [event, sampleEvent, kubernautShaped]
        let direct = try JSONDecoder().decode(JSONValue.self, from: StreamingJSONEncoder().encode(batch))
        let viaEncoder = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(batch))
        #expect(direct == viaEncoder)
        #expect(try decodeBothWays([AuditEventRequest].self, from: StreamingJSONEncoder().encode(batch)) == batch)
    }
}
