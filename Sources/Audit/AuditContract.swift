import DataStorageClient
import Foundation

/// The request type of a DataStorage contract that ``BufferedStore`` can buffer and write.
///
/// Two conform: ``AuditEvent``, the envelope of `openapi/datastorage.yaml`, and
/// ``KubernautAuditEvent``, kubernaut's typed payloads from `openapi/kubernaut-datastorage.yaml`.
/// Both are generated types, so a contract change breaks the build of the code that builds
/// events (design rule DD-API-001).
public protocol AuditContractEvent: Sendable {
    /// Ties the events of one request or remediation together; logged when events are lost.
    var correlationID: String { get }
    /// What happened, as `<service>.<entity>.<action>`.
    var eventType: String { get }
    /// Checks the event as the contract's server will, before it may enter a buffer, and
    /// gives it what retries need (the envelope contract's idempotency key).
    static func checkBeforeBuffering(_ event: inout Self) throws(AuditStoreError)
}

/// A generated client that writes batches of one contract's events.
public protocol AuditBatchWriter<Event>: Sendable {
    associatedtype Event: AuditContractEvent
    /// Sends one batch and classifies the answer: written, or why not. Failures of the
    /// client itself (transport, encoding) are thrown as `ClientError`.
    func writeAuditBatch(_ events: [Event]) async throws -> Result<Void, AuditWriteError>
}

extension AuditEventRequest: AuditContractEvent {
    public static func checkBeforeBuffering(_ event: inout AuditEventRequest) throws(AuditStoreError) {
        try EventChecks.requireValid(event, typeName: "AuditEvent") { validator in
            if case .commonEnvelope(let envelope) = event.eventData, case .null = envelope.payload {
                validator.nested("event_data") { $0.report("must not be null", at: "payload") }
            }
        }
        // A kubernaut payload names its own type; the server refuses an event that says otherwise.
        if case .kubernautEventData(let payload) = event.eventData, payload.discriminatorValue != event.eventType {
            throw .eventTypeMismatch(eventType: event.eventType, eventDataType: payload.discriminatorValue)
        }
        // Retries must resend the same ID for the server to recognise them.
        if event.eventID == nil { event.eventID = UUID() }
    }
}

extension Client: AuditBatchWriter {
    public func writeAuditBatch(_ events: [AuditEventRequest]) async throws -> Result<Void, AuditWriteError> {
        Self.classify(try await createAuditEventsBatch(body: events))
    }

    /// Maps each documented status of the batch operation to written or a write error.
    static func classify(_ output: Operations.CreateAuditEventsBatch.Output) -> Result<Void, AuditWriteError> {
        switch output {
        case .created, .accepted:
            .success(())
        case .badRequest(let problem), .unauthorized(let problem), .contentTooLarge(let problem), .internalServerError(let problem),
            .default(_, let problem):
            AuditWriteError.answer(status: output.statusCode, problemType: problem.type, message: problem.detail ?? problem.title)
        }
    }
}

extension AuditWriteError {
    /// A status and problem document from DataStorage as written or a write error: 2xx is
    /// written, a 400 `batch-size-exceeded` problem (kubernaut's name for it) is ``batchTooLarge(message:)``.
    static func answer(status: Int, problemType: String, message: String) -> Result<Void, AuditWriteError> {
        if (200..<300).contains(status) { return .success(()) }
        if status == 400 && problemType.hasSuffix("/batch-size-exceeded") { return .failure(.batchTooLarge(message: message)) }
        return .failure(.http(statusCode: status, message: message))
    }
}
