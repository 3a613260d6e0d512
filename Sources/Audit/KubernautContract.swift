// Only this file sees kubernaut's generated module: its type names (AuditEventRequest, Client…)
// are those of our own contract too, which the rest of Audit uses unqualified.
public import KubernautDataStorageClient
import OpenAPICodegenRuntime

/// An audit event in kubernaut's current contract: the request type generated from
/// `openapi/kubernaut-datastorage.yaml`, whose `eventData` is one of kubernaut's typed payloads
/// chosen by `eventType`.
///
/// A ``BufferedStore`` created with a kubernaut client buffers these and writes them to
/// kubernaut's DataStorage. kubernaut's events carry no ID: its server cannot recognise a
/// retried batch, so a batch whose answer was lost is stored twice there.
public typealias KubernautAuditEvent = KubernautDataStorageClient.AuditEventRequest

/// The generated client of kubernaut's DataStorage audit API.
public typealias KubernautClient = KubernautDataStorageClient.Client

extension KubernautDataStorageClient.AuditEventRequest: AuditContractEvent {
    /// Checks the event as kubernaut's DataStorage does: every constraint of the request and
    /// of the payload schema, and that `eventType` is the payload's discriminator value.
    public static func checkBeforeBuffering(_ event: inout KubernautDataStorageClient.AuditEventRequest) throws(AuditStoreError) {
        try EventChecks.requireValid(event, typeName: "AuditEventRequest")
        let payloadType = event.eventData.discriminatorValue
        if payloadType != event.eventType {
            throw .eventTypeMismatch(eventType: event.eventType, eventDataType: payloadType)
        }
    }
}

extension KubernautDataStorageClient.Client: AuditBatchWriter {
    public func writeAuditBatch(_ events: [KubernautDataStorageClient.AuditEventRequest]) async throws -> Result<Void, AuditWriteError> {
        let output = try await createAuditEventsBatch(body: events)
        switch output {
        case .created:
            return .success(())
        case .default(let status, let problem):
            return AuditWriteError.answer(status: status, problemType: problem.type, message: problem.detail ?? problem.title)
        }
    }
}
