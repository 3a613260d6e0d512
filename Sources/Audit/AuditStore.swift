/// Where services send audit events.
///
/// `store` never blocks or suspends, so it can be called from synchronous and async code
/// alike; delivery happens in the background. `Event` is the request type of the contract
/// the store writes: ``AuditEvent`` (this package's envelope contract) unless the store
/// says otherwise, ``KubernautAuditEvent`` for kubernaut's typed payloads.
public protocol AuditStore<Event>: Sendable {
    associatedtype Event: AuditContractEvent = AuditEvent
    /// Validates the event and queues it for delivery, or says why it cannot.
    func store(_ event: consuming Event) throws(AuditStoreError)
    /// Returns once every event stored so far is written. Throws if any was lost, when the
    /// store's deadline passes first, and `CancellationError` when the calling task is cancelled.
    func flush() async throws
    /// Stops accepting events, writes what is buffered, and reports lifetime losses.
    func close() async throws
}

/// Why the store did not take an event, or did not deliver everything.
public enum AuditStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The event breaks the contract; every violation is listed. Not counted as a drop.
    case invalidEvent(ValidationError)
    /// `event_type` differs from the discriminator inside `event_data`.
    case eventTypeMismatch(eventType: String, eventDataType: String)
    /// The buffer is full; the event was dropped and counted.
    case bufferFull(correlationID: String)
    /// The store is closed (or closing) and takes no more events.
    case closed
    /// Some of the events a flush covered could not be written.
    case flushFailed(failedBatches: Int, lostEvents: Int)
    /// `flush()` stopped waiting after `after`, with `undeliveredEvents` of the events it
    /// covered not yet written; `writersStarted` is false when nothing was writing at all
    /// (the store was neither run, as a `Service` or by `run()`, nor closed).
    case flushTimedOut(after: Duration, undeliveredEvents: Int, writersStarted: Bool)
    /// `close()` finished, but over the store's lifetime events were dropped or batches failed.
    case closedWithLosses(droppedEvents: Int, failedBatches: Int, lostEvents: Int)
    /// `close()` gave up waiting for the last writes.
    case closeTimedOut(undeliveredEvents: Int)
    /// `run()` was called while the store's writer was already running.
    case alreadyRunning

    public var description: String {
        switch self {
        case .invalidEvent(let error): "invalid audit event: \(error)"
        case .eventTypeMismatch(let outer, let inner): "event_type mismatch: outer=\(outer), event_data=\(inner)"
        case .bufferFull(let correlationID): "audit buffer full: event dropped (correlation_id=\(correlationID))"
        case .closed: "audit store is closed"
        case .flushFailed(let batches, let events): "audit flush failed: \(batches) batch(es) with \(events) event(s) could not be written"
        case .flushTimedOut(let after, let undelivered, let writersStarted):
            "audit flush timed out after \(after): \(undelivered) event(s) undelivered"
                + (writersStarted ? "" : "; the store's writers never started (run it in a ServiceGroup, or call run())")
        case .closedWithLosses(let dropped, let batches, let lost):
            "audit store closed with losses: \(dropped) event(s) dropped, \(batches) batch(es) with \(lost) event(s) failed"
        case .closeTimedOut(let undelivered): "timeout waiting for audit store to close: \(undelivered) event(s) undelivered"
        case .alreadyRunning: "the audit store's writer is already running"
        }
    }
}
