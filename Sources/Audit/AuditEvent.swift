@_exported import DataStorageClient
import Foundation

/// An audit event: the request type generated from `openapi/datastorage.yaml`.
///
/// Because the store speaks the generated type, renaming a field in the contract breaks
/// the build of every caller (design rule DD-API-001) instead of corrupting the trail.
public typealias AuditEvent = AuditEventRequest

extension AuditEventRequest {
    /// Creates an event ready to store: a fresh `eventID` (the server's idempotency
    /// key), version "1.0", retention 2555 days and `isSensitive` false.
    ///
    /// - Parameters:
    ///   - type: What happened, as `<service>.<entity>.<action>` (`gateway.signal.received`).
    ///   - category: The business domain.
    ///   - action: The action performed (`received`).
    ///   - outcome: How it went.
    ///   - correlationID: Ties the events of one request or remediation together.
    ///   - data: The service, operation, status and details of the event. (An event carrying
    ///     one of kubernaut's typed payloads instead sets `eventData` to
    ///     `AuditEventData.kubernautEventData(_:)`.)
    ///   - timestamp: When it happened; now by default. Encoded in UTC.
    ///   - actorType: Who acted (`service`); the server uses `service` when absent.
    ///   - actorID: Which one (`gateway-service`).
    ///   - resourceType: What was acted on (`Signal`).
    ///   - resourceID: Which one (a fingerprint, a CRD name).
    ///   - namespace: The Kubernetes namespace, when there is one.
    ///   - clusterID: The cluster, when there are several.
    ///   - severity: `info`, `warning`, `error`…; the server uses `info` when absent.
    ///   - durationMs: How long the action took, in milliseconds.
    public init(
        type: String,
        category: EventCategory,
        action: String,
        outcome: EventOutcome,
        correlationID: String,
        data: CommonEnvelope,
        timestamp: Date = Date(),
        actorType: String? = nil,
        actorID: String? = nil,
        resourceType: String? = nil,
        resourceID: String? = nil,
        namespace: String? = nil,
        clusterID: String? = nil,
        severity: String? = nil,
        durationMs: Int? = nil
    ) {
        self.init(
            eventID: UUID(), version: "1.0", eventType: type, eventTimestamp: timestamp, eventCategory: category,
            eventAction: action, eventOutcome: outcome, actorType: actorType, actorID: actorID, resourceType: resourceType,
            resourceID: resourceID, correlationID: correlationID, namespace: namespace, clusterID: clusterID,
            severity: severity, durationMs: durationMs, retentionDays: 2555, isSensitive: false, eventData: .commonEnvelope(data))
    }
}

extension CommonEnvelope {
    /// An envelope whose payload is any `Encodable` value, converted through JSON.
    public init(service: String, operation: String, status: String, encoding payload: some Encodable) throws {
        self.init(service: service, operation: operation, status: status, payload: try JSONValue(encoding: payload))
    }

    /// A copy carrying `source` (for example the raw alert the event is about).
    public func withSourcePayload(_ source: JSONValue) -> CommonEnvelope {
        var copy = self
        copy.sourcePayload = source
        return copy
    }

    /// The envelope as JSON.
    public func jsonData() throws -> Data {
        try JSONEncoder().encode(self)
    }

    /// Decodes an envelope from JSON.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(CommonEnvelope.self, from: json)
    }
}
