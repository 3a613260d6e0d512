import Audit
import Foundation

/// The events a gateway emits for each signal it handles: received, then a RemediationRequest
/// CRD created (or failing to be), then a repeat of the signal deduplicated; three events
/// under one correlation ID, each of its own type.
struct SimulatedGateway: Sendable {
    /// Keeps this run's correlation IDs apart from any other run's on a shared server.
    let runID = String(UUID().uuidString.prefix(8)).lowercased()
    static let eventsPerRequest = 3
    private static let alerts = ["HighMemoryUsage", "PodCrashLooping", "NodeNotReady", "DiskPressure", "CertificateExpiring"]
    private static let namespaces = ["payment", "checkout", "inventory", "search"]

    /// One event of the simulation, in terms both contracts share.
    struct Step {
        var correlationID: String
        var type: String
        var action: String
        var outcome: EventOutcome
        var status: String
        var alert: String
        var namespace: String
        var fingerprint: String
    }

    func correlationID(forRequest request: Int) -> String { "rr-\(runID)-\(request)" }

    /// Whether creating the request's CRD fails (one request in ten).
    func fails(request: Int) -> Bool { request % 10 == 7 }

    func step(_ index: Int) -> Step {
        let request = index / Self.eventsPerRequest
        let (type, action, outcome, status): (String, String, EventOutcome, String) =
            switch index % Self.eventsPerRequest {
            case 0: ("gateway.signal.received", "received", .success, "accepted")
            case 1 where fails(request: request): ("gateway.crd.failed", "create_crd", .failure, "conflict")
            case 1: ("gateway.crd.created", "create_crd", .success, "created")
            default: ("gateway.signal.deduplicated", "deduplicate", .success, "duplicate")
            }
        return Step(
            correlationID: correlationID(forRequest: request), type: type, action: action, outcome: outcome, status: status,
            alert: Self.alerts[request % Self.alerts.count], namespace: Self.namespaces[request % Self.namespaces.count],
            fingerprint: "fp-\(runID)-\(request)")
    }

    /// Tells the events of a run apart on the server: one event per type and correlation ID.
    func key(_ index: Int) -> DemoEventKey {
        let step = step(index)
        return DemoEventKey(correlationID: step.correlationID, type: step.type)
    }

    /// The event in this contract's envelope.
    func event(_ index: Int) -> AuditEvent {
        let step = step(index)
        let payload: JSONValue = ["fingerprint": .string(step.fingerprint), "alert_name": .string(step.alert), "namespace": .string(step.namespace)]
        var event = AuditEvent(
            type: step.type, category: .gateway, action: step.action, outcome: step.outcome, correlationID: step.correlationID,
            data: CommonEnvelope(service: "gateway", operation: step.action, status: step.status, payload: payload),
            resourceType: "Signal", resourceID: step.fingerprint, namespace: step.namespace,
            severity: step.outcome == .failure ? "warning" : "info")
        if step.outcome == .failure {
            event.errorCode = "ERR_CRD_CONFLICT"
            event.errorMessage = "RemediationRequest for \(step.alert) already exists"
        }
        return event
    }
}

/// An event as the demo finds it again on the server.
struct DemoEventKey: Hashable, Sendable {
    var correlationID: String
    var type: String
}
