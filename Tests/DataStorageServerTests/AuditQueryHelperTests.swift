import AuditTesting
import Foundation
import Testing

@Suite("AuditTesting: reading a trail back")
struct AuditQueryHelperTests {
    @Test("auditEvents(correlationID:) reads every page and returns the trail oldest first, without other correlation IDs")
    func trail() async throws {
        try await withServer { client, _ in
            let now = Date()
            // Stored newest first, so that the order returned is the helper's doing.
            let trail = (0..<5).reversed().map { event($0, correlationID: "rr-7", at: now.addingTimeInterval(Double($0 - 10))) }
            guard case .created = try await client.createAuditEventsBatch(body: trail + [event(9, correlationID: "rr-8")]) else {
                Issue.record("expected 201")
                return
            }
            let read = try await client.auditEvents(correlationID: "rr-7", pageSize: 2)
            #expect(read.map(\.eventID) == trail.reversed().map(\.eventID))
        }
    }
}
