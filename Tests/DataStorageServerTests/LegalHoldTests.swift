import AuditIntegrity
import DataStorageClient
import OpenAPICodegenAsyncHTTPClient
import OpenAPICodegenRuntime
@testable import DataStorageServer
import Foundation
import Testing

@Suite("Legal holds", .serialized)
struct LegalHoldTests {
    @Test("place, list and release a hold: who and why recorded from the token, events flagged, both steps audited in the chain", arguments: Backend.allCases)
    func lifecycle(backend: Backend) async throws {
        let tokens = FileManager.default.temporaryDirectory.appending(path: "hold-tokens-\(UUID().uuidString)").path
        try "secret-1 alice@legal\nsecret-2\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        try await withRepository(backend) { repository in
            let configuration = ServerConfiguration(port: 0, authTokenFile: tokens)
            try await serve(repository, configuration) { _, url in
                let alice = tokenClient(url, "secret-1")
                let unnamed = tokenClient(url, "secret-2")
                let held = (0..<3).map { event($0, correlationID: "rr-held") }
                let free = (0..<2).map { event($0, correlationID: "rr-free") }
                guard case .created = try await alice.createAuditEventsBatch(body: held + free) else { throw CommandFailed(description: "batch refused") }

                guard case .created(let hold) = try await alice.placeLegalHold(body: LegalHoldRequest(correlationID: "rr-held", reason: "case 2026-114")) else {
                    Issue.record("the hold was not placed")
                    return
                }
                #expect(hold.placedBy == "alice@legal" && hold.reason == "case 2026-114" && hold.releasedAt == nil)
                guard case .conflict = try await unnamed.placeLegalHold(body: LegalHoldRequest(correlationID: "rr-held", reason: "again")) else {
                    Issue.record("a second hold on the same correlation_id was not refused")
                    return
                }
                guard case .ok(let listed) = try await alice.listLegalHolds() else { throw CommandFailed(description: "no list") }
                #expect(listed.data == [hold])
                #expect(try await flags(alice) == ["rr-free": [false], "rr-held": [true]])

                guard case .ok(let released) = try await unnamed.releaseLegalHold(correlationID: "rr-held", body: LegalHoldRelease(reason: "case closed")) else {
                    Issue.record("the hold was not released")
                    return
                }
                // A token without a name is recorded by its digest, never by itself.
                #expect(released.releasedBy?.hasPrefix("token-") == true && released.releasedBy?.count == 14 && released.releaseReason == "case closed")
                #expect(released.placedBy == hold.placedBy && released.releasedAt != nil)
                guard case .notFound = try await alice.releaseLegalHold(correlationID: "rr-held", body: LegalHoldRelease(reason: "twice")) else {
                    Issue.record("releasing a hold not in force was not refused")
                    return
                }
                guard case .ok(let after) = try await alice.listLegalHolds() else { throw CommandFailed(description: "no list") }
                #expect(after.data.isEmpty)
                #expect(try await flags(alice) == ["rr-free": [false], "rr-held": [false]])

                // Both steps are events of the held chain, which still verifies: legal_hold is outside the hashes.
                guard case .ok(let chain) = try await alice.getAuditChain(correlationID: "rr-held") else { throw CommandFailed(description: "no chain") }
                let steps = chain.data.suffix(2)
                #expect(steps.map(\.eventType) == ["datastorage.legal_hold.placed", "datastorage.legal_hold.released"])
                #expect(steps.map(\.actorID) == ["alice@legal", released.releasedBy])
                #expect(steps.map { $0.eventData.envelope?.payload } == [["reason": "case 2026-114"], ["reason": "case closed"]])
                let (verified, findings) = try await chainFindings(repository, ["rr-held", "rr-free"])
                #expect(verified == 7 && findings.isEmpty, "\(findings)")
            }
        }
    }

    @Test("without a token file the caller is recorded as anonymous; NUL characters are refused up front")
    func anonymousAndNUL() async throws {
        try await withServer { client, _ in
            guard case .created(let hold) = try await client.placeLegalHold(body: LegalHoldRequest(correlationID: "rr-1", reason: "r")) else {
                Issue.record("the hold was not placed")
                return
            }
            #expect(hold.placedBy == "anonymous")
            guard case .badRequest(let problem) = try await client.placeLegalHold(body: LegalHoldRequest(correlationID: "rr-\u{0}", reason: "r")) else {
                Issue.record("a NUL character was not refused")
                return
            }
            #expect(problem.fieldErrors?["$.correlation_id"] == "must not contain NUL characters", "\(problem)")
        }
    }
}

private func tokenClient(_ url: URL, _ token: String) -> Client {
    Client(serverURL: url, transport: AsyncHTTPClientTransport(), middlewares: [BearerTokenMiddleware(token: token)])
}

/// Each correlation_id's events' legal_hold flags, as the query API shows them.
private func flags(_ client: Client) async throws -> [String: Set<Bool>] {
    guard case .ok(let page) = try await client.queryAuditEvents(limit: 1000) else { throw CommandFailed(description: "query refused") }
    return Dictionary(grouping: page.data, by: \.correlationID).mapValues { Set($0.map { $0.legalHold ?? false }) }
}
