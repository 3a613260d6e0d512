import Audit
import Synchronization

/// An `AuditStore` for a service's own tests: it keeps every event it takes, after the
/// checks `BufferedStore` runs, so a test asserts on what the service recorded without
/// a DataStorage (kubernaut's Go tests use its `MockAuditStore` the same way).
///
/// ```swift
/// let audit = RecordingAuditStore()
/// let gateway = Gateway(audit: audit)          // the service under test
/// try await gateway.receive(signal)
/// let events = audit.events(correlationID: "rr-2025-001")
/// #expect(events.map(\.eventType) == ["gateway.signal.received"])
/// ```
///
/// For kubernaut's contract, `RecordingAuditStore(recording: KubernautAuditEvent.self)`.
public final class RecordingAuditStore<Event: AuditContractEvent>: AuditStore {
    private struct State {
        var events: [Event] = []
        var refusal: AuditStoreError?
        var closed = false
        /// Tasks in ``waitForEvents(count:correlationID:)``, by an ID that lets a cancelled wait withdraw.
        var waiters: [Int: (isSatisfied: @Sendable ([Event]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
        var lastWaiterID = 0
    }

    private let state = Mutex(State())

    /// Creates a store recording events of `Event`'s contract.
    public init(recording: Event.Type) {}

    /// Checks the event as `BufferedStore` does and records it; throws the refusal set
    /// by ``refuseStores(with:)``, and `AuditStoreError.closed` after ``close()``.
    public func store(_ event: consuming Event) throws(AuditStoreError) {
        var recorded = copy event
        try Event.checkBeforeBuffering(&recorded)
        let outcome = state.withLock { state -> Result<[CheckedContinuation<Void, Never>], AuditStoreError> in
            if state.closed { return .failure(.closed) }
            if let refusal = state.refusal { return .failure(refusal) }
            state.events.append(recorded)
            let events = state.events
            let ready = state.waiters.filter { $0.value.isSatisfied(events) }
            for id in ready.keys { state.waiters[id] = nil }
            return .success(ready.values.map(\.continuation))
        }
        switch outcome {
        case .success(let waiters): waiters.forEach { $0.resume() }
        case .failure(let error): throw error
        }
    }

    /// Returns at once: every recorded event counts as written.
    public func flush() async throws {
        if state.withLock({ $0.closed }) { throw AuditStoreError.closed }
    }

    /// Stops taking events; the recorded ones stay readable.
    public func close() async throws {
        state.withLock { $0.closed = true }
    }

    /// Every event taken so far, in the order `store` took them.
    public var events: [Event] { state.withLock { $0.events } }

    /// The events of one correlation ID, in the order `store` took them.
    public func events(correlationID: String) -> [Event] {
        events.filter { $0.correlationID == correlationID }
    }

    /// The events of one `event_type`, in the order `store` took them.
    public func events(ofType eventType: String) -> [Event] {
        events.filter { $0.eventType == eventType }
    }

    /// Makes `store` refuse every event with `error` (for example `.bufferFull(correlationID:)`,
    /// to test how the service reacts to a full buffer) until called again with nil.
    public func refuseStores(with error: AuditStoreError?) {
        state.withLock { $0.refusal = error }
    }

    /// Forgets the recorded events.
    public func removeAll() {
        state.withLock { $0.events = [] }
    }

    /// Returns once `count` events of `correlationID` (or of any correlation ID when nil) are
    /// recorded, for services that store from background tasks; returns early when the task
    /// is cancelled (a test's time limit, for example).
    public func waitForEvents(count: Int, correlationID: String? = nil) async {
        let isSatisfied: @Sendable ([Event]) -> Bool = { events in
            events.lazy.filter { correlationID == nil || $0.correlationID == correlationID }.count >= count
        }
        let id = state.withLock { state in
            state.lastWaiterID += 1
            return state.lastWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if Task.isCancelled || isSatisfied(state.events) { return true }
                    state.waiters[id] = (isSatisfied, continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }
}

extension RecordingAuditStore where Event == AuditEvent {
    /// Creates a store recording events of this package's envelope contract.
    public convenience init() {
        self.init(recording: AuditEvent.self)
    }
}
