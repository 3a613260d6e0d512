@testable import Audit
import AuditTesting
import Testing

@Suite("AuditTesting: RecordingAuditStore")
struct RecordingAuditStoreTests {
    @Test("records valid events in order; filters by correlation ID and event type")
    func records() throws {
        let audit = RecordingAuditStore()
        try audit.store(makeEvent(0, correlationID: "rr-1"))
        var other = makeEvent(1, correlationID: "rr-2")
        other.eventType = "gateway.crd.created"
        try audit.store(other)
        try audit.store(makeEvent(2, correlationID: "rr-1"))
        #expect(audit.events.map(\.correlationID) == ["rr-1", "rr-2", "rr-1"])
        #expect(audit.events(correlationID: "rr-1").map(\.eventData.envelope?.payload) == [["n": .int(0)], ["n": .int(2)]])
        #expect(audit.events(ofType: "gateway.crd.created").map(\.correlationID) == ["rr-2"])
        audit.removeAll()
        #expect(audit.events.isEmpty)
    }

    @Test("refuses an invalid event with the BufferedStore's error, and records nothing")
    func refusesInvalid() {
        let audit = RecordingAuditStore()
        var event = makeEvent()
        event.correlationID = ""
        #expect {
            try audit.store(event)
        } throws: { error in
            guard case AuditStoreError.invalidEvent(let validation) = error else { return false }
            return validation.violations.map(\.jsonPath) == ["$.correlation_id"]
        }
        #expect(audit.events.isEmpty)
    }

    @Test("a scripted refusal (a full buffer) is thrown until lifted; after close every store is refused")
    func refusals() async throws {
        let audit = RecordingAuditStore()
        audit.refuseStores(with: .bufferFull(correlationID: "rr-1"))
        #expect(throws: AuditStoreError.bufferFull(correlationID: "rr-1")) { try audit.store(makeEvent()) }
        audit.refuseStores(with: nil)
        try audit.store(makeEvent())
        try await audit.flush()
        try await audit.close()
        #expect(throws: AuditStoreError.closed) { try audit.store(makeEvent()) }
        await #expect(throws: AuditStoreError.closed) { try await audit.flush() }
        #expect(audit.events.count == 1)
    }

    @Test("waitForEvents returns once a background task has stored enough events of the correlation ID; a cancelled wait returns")
    func waits() async throws {
        let audit = RecordingAuditStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await audit.waitForEvents(count: 2, correlationID: "rr-2") }
            group.addTask {
                for index in 0..<4 { try audit.store(makeEvent(index, correlationID: index.isMultiple(of: 2) ? "rr-1" : "rr-2")) }
            }
            try await group.waitForAll()
        }
        #expect(audit.events(correlationID: "rr-2").count == 2)
        let waiting = Task { await audit.waitForEvents(count: 100) }
        waiting.cancel()
        await waiting.value
    }
}
