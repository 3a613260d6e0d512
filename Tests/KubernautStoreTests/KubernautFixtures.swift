import Audit
import Foundation
import KubernautDataStorageClient
import OpenAPICodegenRuntime
import Synchronization
import TestSupport

/// kubernaut's DataStorage as its batch endpoint answers, over no network: it records each
/// request body as sent, answers 201, and refuses a batch above `maxBatch` events with 400
/// `batch-size-exceeded` as kubernaut does (its default maximum is 500).
final class FakeKubernautDataStorage: ClientTransport {
    private let bodies = Mutex<[Data]>([])
    private let maxBatch: Int

    init(maxBatch: Int = 500) {
        self.maxBatch = maxBatch
    }

    /// Every request body, in the order sent, refused ones included.
    var requestBodies: [Data] { bodies.withLock { $0 } }

    /// The events of the batches answered 201.
    func writtenEvents() throws -> [KubernautAuditEvent] {
        try requestBodies.map { try JSONDecoder().decode([KubernautAuditEvent].self, from: $0) }.filter { $0.count <= maxBatch }.flatMap { $0 }
    }

    func send(_ request: HTTPRequest, serverURL: URL, operationID: String) async throws -> HTTPResponse {
        let body = request.body ?? Data()
        bodies.withLock { $0.append(body) }
        // A body that is not a JSON array is refused as kubernaut refuses it: not retried, so a
        // writer regression fails the test (flush reports the loss) instead of retrying forever.
        guard let count = try? JSONDecoder().decode([JSONValue].self, from: body).count else {
            let problem = #"{"type":"https://kubernaut.ai/problems/validation-error","title":"Bad Request","status":400,"detail":"request body is not a JSON array"}"#
            return HTTPResponse(statusCode: 400, headers: ["Content-Type": "application/problem+json"], body: Data(problem.utf8))
        }
        guard count <= maxBatch else {
            let problem = #"{"type":"https://kubernaut.ai/problems/batch-size-exceeded","title":"Bad Request","status":400,"detail":"batch size \#(count) exceeds maximum \#(maxBatch)"}"#
            return HTTPResponse(statusCode: 400, headers: ["Content-Type": "application/problem+json"], body: Data(problem.utf8))
        }
        let ids = (0..<count).map { _ in "\"\(UUID().uuidString.lowercased())\"" }.joined(separator: ",")
        return HTTPResponse(statusCode: 201, headers: ["Content-Type": "application/json"], body: Data(#"{"event_ids":[\#(ids)],"message":"created"}"#.utf8))
    }
}

/// Events of several of kubernaut's services, built from the payload schemas of its contract:
/// payloads that carry `event_type` themselves (gateway, orchestrator, workflow execution) and
/// payloads that do not (notification, AI analysis), whose `event_type` the union writes.
enum KubernautEvents {
    static let timestamp = Date(timeIntervalSince1970: 1_765_591_200)  // 2025-12-13T02:00:00Z

    static func gatewaySignalReceived(correlationID: String = "rr-2025-001") -> KubernautAuditEvent {
        KubernautAuditEvent(
            version: "1.0", eventType: "gateway.signal.received", eventTimestamp: timestamp, eventCategory: .gateway,
            eventAction: "received", eventOutcome: .success, actorType: "service", actorID: "gateway-service",
            resourceType: "Signal", resourceID: "fp-abc", correlationID: correlationID, namespace: "payment",
            eventData: .gatewayAuditPayload(GatewayAuditPayload(
                eventType: .gatewaySignalReceived, originalPayload: ["alertname": "HighMemory", "value": 0.97],
                signalLabels: ["team": "core"], signalType: .alert, signalName: "HighMemory", namespace: "payment",
                fingerprint: "fp-abc", severity: "critical", deduplicationStatus: .new, occurrenceCount: 1)))
    }

    static func orchestratorLifecycleCompleted(correlationID: String = "rr-2025-001") -> KubernautAuditEvent {
        KubernautAuditEvent(
            version: "1.0", eventType: "orchestrator.lifecycle.completed", eventTimestamp: timestamp, eventCategory: .orchestration,
            eventAction: "completed", eventOutcome: .success, correlationID: correlationID, namespace: "payment", durationMs: 4200,
            eventData: .remediationOrchestratorAuditPayload(RemediationOrchestratorAuditPayload(
                eventType: .orchestratorLifecycleCompleted, rrName: "rr-2025-001", namespace: "payment", outcome: .success, durationMs: 4200)))
    }

    static func notificationMessageSent(correlationID: String = "rr-2025-001") -> KubernautAuditEvent {
        KubernautAuditEvent(
            version: "1.0", eventType: "notification.message.sent", eventTimestamp: timestamp, eventCategory: .notification,
            eventAction: "sent", eventOutcome: .success, correlationID: correlationID,
            eventData: .notificationMessageSentPayload(NotificationMessageSentPayload(
                notificationID: "n-1", channel: "slack", subject: "Remediation complete", body: "rr-2025-001 completed",
                priority: "high", type: "status-update", metadata: ["thread": "t-9"])))
    }

    static func aiAnalysisPhaseTransition(correlationID: String = "rr-2025-001") -> KubernautAuditEvent {
        KubernautAuditEvent(
            version: "1.0", eventType: "aianalysis.phase.transition", eventTimestamp: timestamp, eventCategory: .analysis,
            eventAction: "phase_transition", eventOutcome: .success, correlationID: correlationID,
            eventData: .aiAnalysisPhaseTransitionPayload(AIAnalysisPhaseTransitionPayload(oldPhase: "Pending", newPhase: "Investigating")))
    }

    /// One of each, for one remediation.
    static func trail(correlationID: String = "rr-2025-001") -> [KubernautAuditEvent] {
        [gatewaySignalReceived(correlationID: correlationID), aiAnalysisPhaseTransition(correlationID: correlationID),
         orchestratorLifecycleCompleted(correlationID: correlationID), notificationMessageSent(correlationID: correlationID)]
    }
}
