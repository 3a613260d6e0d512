import Audit
import Foundation
// Only here: kubernaut's payload types; its other names are those of our own contract.
import KubernautDataStorageClient

extension SimulatedGateway {
    /// The event in kubernaut's contract: the same step, with kubernaut's gateway payload.
    func kubernautEvent(_ index: Int) -> KubernautAuditEvent {
        let step = step(index)
        let payloadType: GatewayAuditPayload.EventType =
            switch step.type {
            case "gateway.signal.received": .gatewaySignalReceived
            case "gateway.crd.created": .gatewayCrdCreated
            case "gateway.crd.failed": .gatewayCrdFailed
            default: .gatewaySignalDeduplicated
            }
        let duplicate = payloadType == .gatewaySignalDeduplicated
        let failed = step.outcome == .failure
        return KubernautAuditEvent(
            version: "1.0", eventType: step.type, eventTimestamp: Date(), eventCategory: .gateway, eventAction: step.action,
            eventOutcome: failed ? .failure : .success, actorType: "service", actorID: "gateway-service",
            resourceType: "Signal", resourceID: step.fingerprint, correlationID: step.correlationID, namespace: step.namespace,
            severity: failed ? "warning" : "info", errorCode: failed ? "ERR_CRD_CONFLICT" : nil,
            errorMessage: failed ? "RemediationRequest for \(step.alert) already exists" : nil,
            eventData: .gatewayAuditPayload(GatewayAuditPayload(
                eventType: payloadType, signalType: .alert, signalName: step.alert, namespace: step.namespace,
                fingerprint: step.fingerprint, severity: "critical", deduplicationStatus: duplicate ? .duplicate : .new,
                occurrenceCount: duplicate ? 2 : 1)))
    }
}
