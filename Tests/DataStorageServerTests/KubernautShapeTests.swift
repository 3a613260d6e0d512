import AsyncHTTPClient
import AuditTesting
@testable import Audit
@testable import DataStorageServer
import Foundation
import Logging
import NIOPosix
import OpenAPICodegenAsyncHTTPClient
import Testing

/// A batch as kubernaut's services send it (five event types, payloads from kubernaut's
/// published schemas), recorded as JSON: `Fixtures/kubernaut-batch.json`. KubernautStoreTests
/// checks it against kubernaut's spec with openapi-core.
enum KubernautBatch {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/kubernaut-batch.json")

    /// The recorded events, each moved to a recent timestamp (the server keeps a 7-day window)
    /// and to `correlationID`.
    static func events(correlationID: String) throws -> [JSONValue] {
        let recorded = try JSONDecoder().decode([JSONValue].self, from: Data(contentsOf: file))
        let start = Date().addingTimeInterval(-60).timeIntervalSince1970.rounded(.down)
        return recorded.enumerated().map { index, event in
            var members = event.objectValue ?? [:]
            members["event_timestamp"] = .string(RFC3339.format(Date(timeIntervalSince1970: start + Double(index))))
            members["correlation_id"] = .string(correlationID)
            return .object(members)
        }
    }

    static func body(_ events: [JSONValue]) throws -> Data {
        try JSONEncoder().encode(events)
    }
}

@Suite("kubernaut-shaped events on datastorage", .serialized)
struct KubernautShapeTests {
    /// Every event of `correlationID`, oldest first, each as the JSON the query API returned.
    private func readBack(_ client: Client, correlationID: String) async throws -> [StoredAuditEvent] {
        try await client.auditEvents(correlationID: correlationID)
    }

    @Test("a recorded kubernaut batch, with an envelope event among it, is stored and read back as written", arguments: Backend.allCases)
    func recordedBatch(backend: Backend) async throws {
        try await withServer(backend: backend) { client, url in
            var sent = try KubernautBatch.events(correlationID: "rr-kubernaut-1")
            let envelope = event(0, correlationID: "rr-kubernaut-1", at: Date().addingTimeInterval(-1))
            sent.append(try JSONValue(encoding: envelope))
            let response = try await post(url, path: "/api/v1/audit/events/batch", body: KubernautBatch.body(sent))
            #expect(response.status == 201, "\(String(describing: response.problem))")

            let stored = try await readBack(client, correlationID: "rr-kubernaut-1")
            try #require(stored.count == sent.count)
            for (written, read) in zip(sent, stored) {
                let readJSON = try #require(try JSONValue(encoding: read).objectValue)
                for (member, value) in try #require(written.objectValue) {
                    // The server adds event_id and event_date and fills defaults; what was written comes back.
                    #expect(readJSON[member] == value, "\(member) of \(written.objectValue?["event_type"] ?? .null)")
                }
            }
            #expect(stored.prefix(5).allSatisfy { if case .kubernautEventData = $0.eventData { true } else { false } })
            #expect(stored.last?.eventData == envelope.eventData)
        }
    }

    @Test("the single-event endpoint takes a kubernaut event too; a member its payload schema does not define is not kept")
    func singleEvent() async throws {
        try await withServer { client, url in
            let one = try KubernautBatch.events(correlationID: "rr-kubernaut-2")[1]
            var withExtra = try #require(one.objectValue)
            var data = try #require(withExtra["event_data"]?.objectValue)
            data["not_in_the_schema"] = "dropped"
            withExtra["event_data"] = .object(data)
            let response = try await post(url, path: "/api/v1/audit/events", body: JSONEncoder().encode(JSONValue.object(withExtra)))
            #expect(response.status == 201, "\(String(describing: response.problem))")
            let stored = try await readBack(client, correlationID: "rr-kubernaut-2")
            #expect(try stored.map { try JSONValue(encoding: $0.eventData) } == [one.objectValue?["event_data"]])
        }
    }

    @Test("a payload is validated against the schema its event_type maps to, every violation with its path")
    func payloadValidation() async throws {
        try await withServer { client, url in
            var events = try KubernautBatch.events(correlationID: "rr-kubernaut-3")
            var gateway = try #require(events[0].objectValue)
            var payload = try #require(gateway["event_data"]?.objectValue)
            payload["signal_type"] = "metric"
            payload["deduplication_status"] = "maybe"
            payload["occurrence_count"] = "twice"
            gateway["event_data"] = .object(payload)
            events[0] = .object(gateway)
            // A member of the wrong type does not decode: the answer names it, and nothing is stored.
            let undecodable = try await post(url, path: "/api/v1/audit/events/batch", body: KubernautBatch.body(events))
            #expect(undecodable.status == 400)
            #expect(undecodable.problem?.detail?.contains("KubernautEventData: Expected to decode Int32 but found a string instead. (at [0].event_data.occurrence_count)") == true, "\(String(describing: undecodable.problem))")

            payload["occurrence_count"] = 2
            gateway["event_data"] = .object(payload)
            let refused = try await post(url, path: "/api/v1/audit/events/batch", body: KubernautBatch.body([.object(gateway)]))
            #expect(refused.status == 400)
            #expect(Set(refused.problem?.fieldErrors?.keys.map { $0 } ?? []) == ["$.event_data.signal_type", "$.event_data.deduplication_status"])
            #expect(try await readBack(client, correlationID: "rr-kubernaut-3").isEmpty)
        }
    }

    @Test("an event whose event_type differs from its payload's, or that names no known payload, is refused")
    func eventTypeRules() async throws {
        try await withServer { client, url in
            let events = try KubernautBatch.events(correlationID: "rr-kubernaut-4")
            var mismatched = try #require(events[1].objectValue)
            mismatched["event_type"] = "gateway.signal.received"
            let mismatch = try await post(url, path: "/api/v1/audit/events", body: JSONEncoder().encode(JSONValue.object(mismatched)))
            #expect(mismatch.status == 400)
            #expect(mismatch.problem?.fieldErrors?.keys.map { $0 } == ["$.event_data.event_type"])
            #expect(mismatch.problem?.fieldErrors?["$.event_data.event_type"]?.contains("aianalysis.phase.transition") == true)

            var unknown = try #require(events[1].objectValue)
            unknown["event_type"] = "aianalysis.phase.exploded"
            unknown["event_data"] = ["event_type": "aianalysis.phase.exploded", "old_phase": "a", "new_phase": "b"]
            let unknownType = try await post(url, path: "/api/v1/audit/events", body: JSONEncoder().encode(JSONValue.object(unknown)))
            #expect(unknownType.status == 400)
            #expect(unknownType.problem?.fieldErrors?["$.event_data.event_type"]?.contains("not a known event_type") == true)

            var neither = try #require(events[1].objectValue)
            neither["event_data"] = ["service": "gateway", "old_phase": "a"]
            let shapeless = try await post(url, path: "/api/v1/audit/events", body: JSONEncoder().encode(JSONValue.object(neither)))
            #expect(shapeless.status == 400)
            #expect(shapeless.problem?.detail?.contains("AuditEventData matches none of its variants") == true)
            #expect(try await readBack(client, correlationID: "rr-kubernaut-4").isEmpty)
        }
    }

    @Test("the library's kubernaut client writes to datastorage through BufferedStore, and reads back through kubernaut's query contract", arguments: Backend.allCases)
    func kubernautClient(backend: Backend) async throws {
        try await withServer(backend: backend) { client, url in
            let events = try KubernautBatch.events(correlationID: "rr-kubernaut-5").map {
                try JSONDecoder().decode(KubernautAuditEvent.self, from: JSONEncoder().encode($0))
            }
            let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let kubernaut = KubernautClient(serverURL: url, transport: AsyncHTTPClientTransport(client: http))
            var config = AuditConfig.default
            config.batchSize = 2
            let store = try BufferedStore(client: kubernaut, config: config, service: "kubernaut", logger: Logger(label: "k") { _ in SwiftLogNoOpLogHandler() })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                for event in events { try store.store(event) }
                try await store.flush()
                try await store.close()
                try await group.waitForAll()
            }
            let page = try await kubernaut.queryAuditEvents(correlationID: "rr-kubernaut-5")
            try await http.shutdown()
            guard case .ok(let response) = page else {
                Issue.record("expected 200, got \(page)")
                return
            }
            let read = try #require(response.data).sorted { $0.eventTimestamp < $1.eventTimestamp }
            #expect(read.map(\.eventData) == events.map(\.eventData))
            #expect(read.map(\.eventType) == events.map(\.eventType))
            #expect(try await readBack(client, correlationID: "rr-kubernaut-5").count == events.count)
        }
    }
}
