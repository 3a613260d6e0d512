import Audit
import AuditTesting
import Foundation
import KubernautDataStorageClient
import Logging
import Testing
import TestSupport

/// A `BufferedStore` writing kubernaut's typed payloads to a kubernaut-shaped DataStorage.
@Suite("BufferedStore on kubernaut's contract")
struct KubernautStoreTests {
    static func makeStore(_ fake: FakeKubernautDataStorage, batchSize: Int = 10, writers: Int = 2) throws -> (BufferedStore<KubernautAuditEvent>, ManualClock) {
        let clock = ManualClock()
        let client = KubernautClient(serverURL: URL(string: "http://datastorage.test")!, transport: fake)
        var config = AuditConfig(bufferSize: 2000, batchSize: batchSize, flushInterval: .seconds(3600), retryJitter: 0, attemptTimeout: nil)
        config.flushTimeout = .seconds(86_400)
        config.maxConcurrentBatches = writers
        return (try BufferedStore(client: client, config: config, service: "gateway", logger: Logger(label: "test"), clock: clock), clock)
    }

    static func running(_ store: BufferedStore<KubernautAuditEvent>, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            try await body()
            try await store.close()
            try await group.waitForAll()
        }
    }

    @Test("events of four services go as one batch to kubernaut's batch path, each as it was stored")
    func writesTypedPayloads() async throws {
        let fake = FakeKubernautDataStorage()
        let (store, _) = try Self.makeStore(fake)
        let trail = KubernautEvents.trail()
        try await Self.running(store) {
            for event in trail { try store.store(event) }
            try await store.flush()
        }
        #expect(try fake.writtenEvents() == trail)
        // kubernaut's events carry no ID: nothing is added to what the service built.
        let sent = try JSONDecoder().decode([JSONValue].self, from: try #require(fake.requestBodies.first))
        #expect(sent.allSatisfy { $0.objectValue?["event_id"] == nil })
        #expect(sent.map { $0.objectValue?["event_data"]?.objectValue?["event_type"] } == trail.map { .string($0.eventType) })
    }

    @Test("an event_type that is not its payload's discriminator is refused before buffering, as kubernaut refuses it")
    func discriminatorMismatch() async throws {
        let fake = FakeKubernautDataStorage()
        let (store, _) = try Self.makeStore(fake)
        var event = KubernautEvents.gatewaySignalReceived()
        event.eventType = "gateway.crd.created"
        #expect(throws: AuditStoreError.eventTypeMismatch(eventType: "gateway.crd.created", eventDataType: "gateway.signal.received")) {
            try store.store(event)
        }
        var unmapped = KubernautEvents.notificationMessageSent()
        unmapped.eventType = "notification.message.failed"
        #expect(throws: AuditStoreError.eventTypeMismatch(eventType: "notification.message.failed", eventDataType: "notification.message.sent")) {
            try store.store(unmapped)
        }
        try await store.close()
        #expect(fake.requestBodies.isEmpty)
    }

    @Test("an event breaking kubernaut's constraints is refused with every violation and its JSON path")
    func constraintViolations() throws {
        let (store, _) = try Self.makeStore(FakeKubernautDataStorage())
        var event = KubernautEvents.gatewaySignalReceived()
        event.correlationID = ""
        event.version = String(repeating: "9", count: 21)
        event.eventCategory = .unknown("billing")
        #expect {
            try store.store(event)
        } throws: { error in
            guard case AuditStoreError.invalidEvent(let validation) = error else { return false }
            return Set(validation.violations.map(\.jsonPath)) == ["$.version", "$.event_category", "$.correlation_id"]
        }
    }

    @Test("kubernaut's batch limit: a batch it refuses as too large goes again in pieces, nothing lost, and later batches stay under it")
    func batchLimit() async throws {
        let fake = FakeKubernautDataStorage(maxBatch: 4)
        // One writer, so that no second batch of the old size is taken while the first is refused.
        let (store, _) = try Self.makeStore(fake, batchSize: 10, writers: 1)
        let events = (0..<30).map { KubernautEvents.gatewaySignalReceived(correlationID: "rr-\($0)") }
        try await Self.running(store) {
            for event in events { try store.store(event) }
            try await store.flush()
        }
        #expect(try fake.writtenEvents().map(\.correlationID).sorted() == events.map(\.correlationID).sorted())
        let sizes = try fake.requestBodies.map { try JSONDecoder().decode([JSONValue].self, from: $0).count }
        #expect(sizes.filter { $0 > 4 } == [10, 5], "refused at 10, then at 5, then batches of 2 the server takes: \(sizes)")
    }

    @Test("RecordingAuditStore checks kubernaut's events as BufferedStore does and keeps them")
    func recordingStore() throws {
        let recording = RecordingAuditStore(recording: KubernautAuditEvent.self)
        for event in KubernautEvents.trail() { try recording.store(event) }
        var mismatched = KubernautEvents.aiAnalysisPhaseTransition()
        mismatched.eventType = "aianalysis.error.occurred"
        #expect(throws: AuditStoreError.self) { try recording.store(mismatched) }
        #expect(recording.events(correlationID: "rr-2025-001") == KubernautEvents.trail())
    }
}

/// Our reading of kubernaut's spec, checked by someone else's: every request body the store
/// sends is validated by openapi-core (PyPI, installed by scripts/test) against our copy of the
/// contract and, when it is beside the checkout, kubernaut's published spec itself.
@Suite("kubernaut request bodies, checked by an independent validator")
struct IndependentValidationTests {
    static let root: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appending(path: "Package.swift").path) { directory.deleteLastPathComponent() }
        return directory
    }()

    @Test("every batch the store sends for kubernaut is valid; an envelope batch is not")
    func bodiesAreValid() async throws {
        guard let python = ProcessInfo.processInfo.environment["SWIFT_AUDIT_OPENAPI_PYTHON"] else {
            Issue.record("SWIFT_AUDIT_OPENAPI_PYTHON is not set: run scripts/test, which installs openapi-core")
            return
        }
        let fake = FakeKubernautDataStorage(maxBatch: 3)
        let (store, _) = try KubernautStoreTests.makeStore(fake, batchSize: 10, writers: 1)
        try await KubernautStoreTests.running(store) {
            for correlationID in ["rr-1", "rr-2"] {
                for event in KubernautEvents.trail(correlationID: correlationID) { try store.store(event) }
            }
            try await store.flush()
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "kubernaut-bodies-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, body) in fake.requestBodies.enumerated() {
            let file = directory.appending(path: "batch-\(index).json")
            try body.write(to: file)
            files.append(file.path)
        }
        // The control: our own envelope, which kubernaut's validation refuses for want of a discriminator.
        let envelope = directory.appending(path: "envelope.json")
        try Data(#"[{"version":"1.0","event_type":"gateway.signal.received","event_timestamp":"2025-12-13T02:00:00Z","event_category":"gateway","event_action":"received","event_outcome":"success","correlation_id":"rr-1","event_data":{"service":"gateway","operation":"receive","status":"ok","payload":{}}}]"#.utf8).write(to: envelope)
        for spec in Self.kubernautSpecs {
            let result = try await runProcess(python, [Self.script, spec.path, "POST", "/api/v1/audit/events/batch"] + files)
            #expect(result.status == 0, "\(spec.lastPathComponent): \(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.components(separatedBy: "valid: ").count - 1 == files.count, "\(result.standardOutput)")
            let control = try await runProcess(python, [Self.script, spec.path, "POST", "/api/v1/audit/events/batch", envelope.path])
            #expect(control.status == 1 && control.standardOutput.contains("discriminating property 'event_type'"), "\(control.standardOutput)\(control.standardError)")
        }
        #expect(files.count >= 3, "the batch limit of 3 split the eight events")
    }

    /// Our copy of kubernaut's contract, and kubernaut's published spec when it is beside the checkout.
    static var kubernautSpecs: [URL] {
        let published = root.deletingLastPathComponent().appending(path: "shared/specs/kubernaut-data-storage-v1.yaml")
        return [root.appending(path: "openapi/kubernaut-datastorage.yaml")] + (FileManager.default.fileExists(atPath: published.path) ? [published] : [])
    }

    static let script = root.appending(path: "scripts/validate-requests.py").path

    @Test("the recorded kubernaut batch datastorage's tests post is valid in kubernaut's contract and in ours; an event_data of neither shape is not")
    func recordedBatchIsValid() async throws {
        guard let python = ProcessInfo.processInfo.environment["SWIFT_AUDIT_OPENAPI_PYTHON"] else {
            Issue.record("SWIFT_AUDIT_OPENAPI_PYTHON is not set: run scripts/test, which installs openapi-core")
            return
        }
        let recorded = Self.root.appending(path: "Tests/DataStorageServerTests/Fixtures/kubernaut-batch.json").path
        let datastorage = Self.root.appending(path: "openapi/datastorage.yaml").path
        for spec in Self.kubernautSpecs.map(\.path) + [datastorage] {
            let result = try await runProcess(python, [Self.script, spec, "POST", "/api/v1/audit/events/batch", recorded])
            #expect(result.status == 0 && result.standardOutput.contains("(5 events)"), "\(spec): \(result.standardOutput)\(result.standardError)")
        }
        // In ours, event_data is exactly one of the envelope and kubernaut's payloads (openapi-core reads the oneOf too).
        let neither = FileManager.default.temporaryDirectory.appending(path: "neither-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: neither) }
        try Data(#"[{"version":"1.0","event_type":"gateway.signal.received","event_timestamp":"2025-12-13T02:00:00Z","event_category":"gateway","event_action":"received","event_outcome":"success","correlation_id":"rr-1","event_data":{"service":"gateway"}}]"#.utf8).write(to: neither)
        let refused = try await runProcess(python, [Self.script, datastorage, "POST", "/api/v1/audit/events/batch", neither.path])
        #expect(refused.status == 1 && refused.standardOutput.contains("INVALID"), "\(refused.standardOutput)\(refused.standardError)")
    }
}
