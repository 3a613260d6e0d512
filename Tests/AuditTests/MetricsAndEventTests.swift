@testable import Audit
import Foundation
import MetricsTestKit
import Testing
import TestSupport

@Suite("Metrics")
struct MetricsTests {
    @Test("all six metrics, labelled with the service")
    func allSix() async throws {
        let config = Harness.config { $0.bufferSize = 12; $0.batchSize = 12; $0.flushInterval = .seconds(1); $0.maxConcurrentBatches = 1 }
        let harness = try Harness(config: config, fake: FakeDataStorage { $0 == 0 ? .status(400) : .status(201) })
        // Filled before the writers start, so the buffer is certainly full.
        for index in 0..<12 { try harness.store.store(makeEvent(index)) }
        #expect(throws: AuditStoreError.bufferFull(correlationID: "rr-1")) { try harness.store.store(makeEvent()) }
        try await harness.running {
            await harness.fake.waitForRequests(1)  // the full batch, refused with 400
            for index in 0..<5 { try harness.store.store(makeEvent(index)) }
            await harness.clock.waitForSleepers(count: 1)
            harness.clock.advance(by: .seconds(1))  // the tick samples 5 waiting, reports the drop, lets them go
            await harness.fake.waitForRequests(2)
            try await harness.store.flush()
        }
        let service = [("service", "gateway")]
        #expect(try harness.metrics.expectCounter("audit_events_buffered_total", service).totalValue == 17)
        #expect(try harness.metrics.expectCounter("audit_events_dropped_total", service).totalValue == 1)
        #expect(try harness.metrics.expectCounter("audit_events_written_total", service).totalValue == 5)
        #expect(try harness.metrics.expectCounter("audit_batches_failed_total", service).totalValue == 1)
        #expect(try harness.metrics.expectGauge("audit_buffer_size", service).values.first == 5)
        #expect(try harness.metrics.expectTimer("audit_write_duration_seconds", service).values.count == 2)
        #expect(harness.logs.all.contains { $0.level == .warning && $0.message == "audit buffer full: events dropped" && $0.metadata["dropped"] == "1" })
        #expect(AuditMetricNames.all.count == 6)
    }
}

@Suite("Events and envelopes")
struct EventTests {
    @Test("the factory sets an ID, version 1.0, now, retention 2555 and not sensitive")
    func factory() throws {
        let before = Date()
        let event = makeEvent()
        #expect(event.eventID != nil)
        #expect(event.eventID != makeEvent().eventID)
        #expect(event.version == "1.0")
        #expect(event.retentionDays == 2555)
        #expect(event.isSensitive == false)
        #expect(event.eventTimestamp >= before && event.eventTimestamp <= Date())
        #expect(throws: Never.self) { try event.validate() }
    }

    @Test("CommonEnvelope: version 1.0, source payload, JSON both ways")
    func envelope() throws {
        struct Alert: Codable { var name: String }
        let envelope = try CommonEnvelope(service: "gateway", operation: "receive", status: "ok", encoding: Alert(name: "HighMemory"))
            .withSourcePayload(["raw": "alert"])
        #expect(envelope.version == "1.0")
        #expect(envelope.payload == ["name": "HighMemory"])
        let decoded = try CommonEnvelope(json: envelope.jsonData())
        #expect(decoded == envelope)
        let json = try JSONDecoder().decode(JSONValue.self, from: envelope.jsonData())
        #expect(json.objectValue?["source_payload"] == ["raw": "alert"])
    }

    @Test("an envelope missing required members is refused at decoding")
    func envelopeRequired() {
        #expect(throws: DecodingError.self) { try CommonEnvelope(json: Data(#"{"version":"1.0","service":"s"}"#.utf8)) }
    }

    @Test("our event_data has no discriminator, so no event_type check applies to it")
    func noDiscriminator() {
        #expect(!(CommonEnvelope.self is any DiscriminatedUnion.Type))
        #expect(discriminatorMismatch(eventType: "a", eventData: makeEvent().eventData) == nil)
    }
}

@Suite("Documentation")
struct DocumentationTests {
    @Test("every audit metric named in the README (tables, PromQL, alerts) is one the store emits, and all six are documented")
    func readmeMetricNames() throws {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appending(path: "Package.swift").path) { root.deleteLastPathComponent() }
        let readme = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        // The metrics section, with its PromQL and alerts: from its heading to the next
        // section (other sections name the `audit_events` table).
        let start = try #require(readme.range(of: "### Metrics"))
        let rest = readme[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        // Prometheus adds _bucket, _sum and _count to a histogram's series.
        let named = Set(section.matches(of: /\b(audit_[a-z_]+)\b/).map { match in
            String(match.output.1).replacing(/_(bucket|sum|count)$/, with: "")
        })
        #expect(named == Set(AuditMetricNames.all))
    }
}

@Suite("README test store")
struct ReadmeTestStoreTests {
    @Test("the README's test store writes through its in-memory transport, on a manual clock")
    func writes() async throws {
        let store = try makeTestStore(clock: ManualClock())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            try store.store(makeEvent())
            try await store.flush()
            try await store.close()
            try await group.waitForAll()
        }
    }
}
