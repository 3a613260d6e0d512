import Audit
import Foundation

/// The events a gateway emits for each signal it handles: received, then a RemediationRequest
/// CRD created (or failing to be), then acknowledged; three events under one correlation ID.
struct SimulatedGateway: Sendable {
    /// Keeps this run's correlation IDs apart from any other run's on a shared server.
    let runID = String(UUID().uuidString.prefix(8)).lowercased()
    static let eventsPerRequest = 3
    private static let alerts = ["HighMemoryUsage", "PodCrashLooping", "NodeNotReady", "DiskPressure", "CertificateExpiring"]
    private static let namespaces = ["payment", "checkout", "inventory", "search"]

    func correlationID(forRequest request: Int) -> String { "rr-\(runID)-\(request)" }

    /// Whether creating the request's CRD fails (one request in ten).
    func fails(request: Int) -> Bool { request % 10 == 7 }

    func event(_ index: Int) -> AuditEvent {
        let request = index / Self.eventsPerRequest
        let alert = Self.alerts[request % Self.alerts.count]
        let namespace = Self.namespaces[request % Self.namespaces.count]
        let payload: JSONValue = ["fingerprint": .string("fp-\(runID)-\(request)"), "alert_name": .string(alert), "namespace": .string(namespace)]
        let (type, action, outcome, status): (String, String, EventOutcome, String) =
            switch index % Self.eventsPerRequest {
            case 0: ("gateway.signal.received", "received", .success, "accepted")
            case 1 where fails(request: request): ("gateway.crd.failed", "create_crd", .failure, "conflict")
            case 1: ("gateway.crd.created", "create_crd", .success, "created")
            default: ("gateway.signal.acknowledged", "acknowledge", .success, "acknowledged")
            }
        var event = AuditEvent(
            type: type, category: .gateway, action: action, outcome: outcome, correlationID: correlationID(forRequest: request),
            data: CommonEnvelope(service: "gateway", operation: action, status: status, payload: payload),
            resourceType: "Signal", resourceID: "fp-\(runID)-\(request)", namespace: namespace,
            severity: outcome == .failure ? "warning" : "info")
        if outcome == .failure {
            event.errorCode = "ERR_CRD_CONFLICT"
            event.errorMessage = "RemediationRequest for \(alert) already exists"
        }
        return event
    }
}
