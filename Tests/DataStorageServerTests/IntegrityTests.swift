import AuditIntegrity
import Crypto
import DataStorageClient
@testable import DataStorageServer
import Foundation
import Logging
import OpenAPICodegenRuntime
import Synchronization
import Testing

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures")
/// A key pair written by `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`.
let privateKeyFile = fixtures.appending(path: "checkpoint-key.pem").path
let publicKeyFile = fixtures.appending(path: "checkpoint-key.pub.pem").path

@Suite("Canonical JSON, Merkle trees and checkpoint keys")
struct IntegrityPrimitiveTests {
    @Test("RFC 8785: its sample object, its numbers, and members in UTF-16 order")
    func canonicalJSON() throws {
        // RFC 8785 section 3.2.2's input and output.
        let input = #"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}"#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(String(decoding: CanonicalJSON.bytes(try JSONReader.decode(JSONValue.self, from: input)), as: UTF8.self) == expected)
        // Appendix B's numbers (as IEEE doubles) and ECMAScript's layout around its thresholds.
        let numbers: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1, "1"), (-1.5, "-1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
            (9007199254740991, "9007199254740991"), (1e-7, "1e-7"), (0.000001, "0.000001"), (123456789012345680000, "123456789012345680000"),
            (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1 + 0.2, "0.30000000000000004"), (295147905179352830000, "295147905179352830000"),
        ]
        for (number, text) in numbers {
            #expect(CanonicalJSON.number(number) == text, "\(number)")
        }
        // Section 3.2.3: sorted by UTF-16 code units, which puts 😀 (U+D83D…) before U+FB33.
        let keys = ["\u{20ac}", "\r", "\u{fb33}", "1", "\u{1F600}", "\u{80}", "\u{f6}"]
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.null) }))
        #expect(String(decoding: CanonicalJSON.bytes(object), as: UTF8.self) == "{\"\\r\":null,\"1\":null,\"\u{80}\":null,\"\u{f6}\":null,\"\u{20ac}\":null,\"\u{1F600}\":null,\"\u{fb33}\":null}")
    }

    @Test("RFC 6962: the tree's shape, and every leaf's audit path leads to the root, for 1 to 17 leaves; a wrong place or path does not")
    func merkleTree() throws {
        let leaves = (0..<17).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) }
        #expect(MerkleTree.root(leafHashes: []) == Array(SHA256.hash(data: [UInt8]())))
        #expect(MerkleTree.root(leafHashes: [leaves[0]]) == leaves[0])
        #expect(MerkleTree.root(leafHashes: Array(leaves[0..<3])) == MerkleTree.nodeHash(MerkleTree.nodeHash(leaves[0], leaves[1]), leaves[2]))
        for size in 1...17 {
            let tree = Array(leaves[0..<size])
            let root = MerkleTree.root(leafHashes: tree)
            for index in 0..<size {
                let path = MerkleTree.auditPath(leafIndex: index, leafHashes: tree)
                #expect(MerkleTree.root(fromLeafHash: tree[index], index: index, size: size, auditPath: path) == root, "leaf \(index) of \(size)")
                if size > 1 {
                    let elsewhere = (index + 1) % size
                    #expect(MerkleTree.root(fromLeafHash: tree[index], index: elsewhere, size: size, auditPath: path) != root, "leaf \(index) of \(size) at \(elsewhere)")
                    #expect(MerkleTree.root(fromLeafHash: tree[index], index: index, size: size, auditPath: path.dropLast() + [MerkleTree.leafHash(Array("forged".utf8))]) != root)
                }
            }
        }
    }

    @Test("keys: OpenSSL's PEM files load, and its signature verifies with ours; an unreadable or wrong file names itself")
    func keyFiles() throws {
        let privateKey = try KeyFile.privateKey(at: privateKeyFile)
        let publicKey = try KeyFile.publicKey(at: publicKeyFile)
        #expect(privateKey.publicKey.rawRepresentation == publicKey.rawRepresentation)
        // `openssl pkeyutl -sign -rawin` of "hello" with the fixture key.
        let openssl = try #require(Data(base64Encoded: "RgeQ99UijCTHFnaMLKZWVMhHxOmsIQM+tJFMna8igxsPl+xi0pMueiFLhEN5oRmPKcFeRK8qrhksF9O64g9EDQ=="))
        #expect(publicKey.isValidSignature(openssl, for: Data("hello".utf8)))
        // What keygen writes reads back.
        let generated = Curve25519.Signing.PrivateKey()
        let file = FileManager.default.temporaryDirectory.appending(path: "key-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try KeyFile.pem(generated).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try KeyFile.privateKey(at: file).rawRepresentation == generated.rawRepresentation)

        #expect(throws: KeyFileError.self) { try KeyFile.privateKey(at: "/nonexistent/key.pem") }
        do {
            _ = try KeyFile.privateKey(at: publicKeyFile)
            Issue.record("a public key was read as a private one")
        } catch {
            #expect(error.path == publicKeyFile && error.reason.contains("PRIVATE KEY"), "\(error)")
        }
    }
}

/// Events of three chains, some with values the databases normalise (a time past the
/// microsecond, an IPv6 address in capitals, a parent date with a time, non-ASCII text,
/// numbers JSON can write several ways).
private func chainedEvents(now: Date = Date()) -> [StoredAuditEvent] {
    (0..<12).map { index in
        var event = StoredAuditEvent(accepting: AuditEventRequest(
            eventID: UUID(), version: "1.0", eventType: "gateway.signal.received", eventTimestamp: now.addingTimeInterval(Double(index) + 0.000_000_4),
            eventCategory: .gateway, eventAction: "received", eventOutcome: .success, actorIP: index.isMultiple(of: 2) ? "2001:DB8:0:0:0:0:0:1" : "10.0.0.1",
            correlationID: ["rr-ä", "rr-b", "rr-\u{1F600}"][index % 3], parentEventID: UUID(), parentEventDate: now,
            eventData: .commonEnvelope(CommonEnvelope(
                service: "gateway", operation: "receive", status: "ok",
                payload: ["n": .int(index), "ratio": .double(Double(index) / 4), "big": .double(1e21), "text": "Grüße\n\"quoted\""]))))
        event.severity = index.isMultiple(of: 5) ? "warning" : "info"
        return event
    }
}

/// Every chain of `repository` as its events link up, found through the repository.
func chainFindings(_ repository: any AuditRepository, _ correlationIDs: Set<String>) async throws -> (events: Int, findings: [TrailFinding]) {
    var events = 0
    var findings: [TrailFinding] = []
    for id in correlationIDs.sorted() {
        let (count, finding) = try await TrailVerifier.verifyChain(id, signedHead: nil, pageSize: 5) { after in
            try await repository.chain(correlationID: id, afterIndex: after, limit: 5)
        }
        events += count
        if let finding { findings.append(finding) }
    }
    return (events, findings)
}

/// One way of changing the stored trail behind the server's back, in each database's SQL.
enum Tamper: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case alterRow, deleteRow, reorderRows, truncateChain, rewriteChain, replaceCheckpoint
    var testDescription: String { rawValue }
}

@Suite("Hash chains and signed checkpoints", .serialized)
struct TamperEvidenceTests {
    private let signer = CheckpointSigner(privateKey: try! KeyFile.privateKey(at: privateKeyFile))
    private let publicKey = try! KeyFile.publicKey(at: publicKeyFile)
    private let quiet = Logger(label: "integrity-test") { _ in SwiftLogNoOpLogHandler() }

    @Test("the same events get the same hashes on SQLite and PostgreSQL, and read back they give those hashes again")
    func sameHashesOnBothBackends() async throws {
        let events = chainedEvents()
        var hashes: [Backend: [UUID: String]] = [:]
        for backend in Backend.allCases {
            try await withRepository(backend) { repository in
                try await repository.insert(Array(events[0..<5]))
                try await repository.insert(Array(events[5...]))
                let (read, _) = try await repository.query(AuditQuery())
                hashes[backend] = Dictionary(uniqueKeysWithValues: read.map { ($0.eventID, $0.eventHash ?? "") })
                let (verified, findings) = try await chainFindings(repository, Set(events.map(\.correlationID)))
                #expect(verified == events.count && findings.isEmpty, "\(backend): \(findings)")
            }
        }
        #expect(hashes[.sqlite]?.count == events.count)
        #expect(hashes[.sqlite] == hashes[.postgres])
    }

    @Test("concurrent batches of the same chains make unbroken chains; a retried batch and the dead-letter replay add each event once", arguments: Backend.allCases)
    func concurrentAndRetriedBatches(backend: Backend) async throws {
        try await withRepository(backend) { repository in
            let batches = (0..<8).map { _ in chainedEvents() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in batches { group.addTask { try await repository.insert(batch) } }
                try await group.waitForAll()
            }
            try await repository.insert(batches[3] + chainedEvents())  // a retry with new events after it
            // What the dead-letter queue replays is a batch of accepted events, like any other.
            let directory = FileManager.default.temporaryDirectory.appending(path: "chain-dlq-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let queue = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: ServerMetrics())
            try await queue.append(chainedEvents())
            #expect(try await queue.replay(into: repository) == 12)
            try await queue.shutdown()
            let (verified, findings) = try await chainFindings(repository, Set(chainedEvents().map(\.correlationID)))
            #expect(findings.isEmpty, "\(findings)")
            #expect(verified == 8 * 12 + 12 + 12)
            #expect(try await repository.query(AuditQuery()).total == verified)
        }
    }

    @Test("an intact trail verifies: every checkpoint, chain and event; checkpoints chain, and only a moved chain makes a new one", arguments: Backend.allCases)
    func intactTrailVerifies(backend: Backend) async throws {
        try await withCheckpointedServer(backend) { client, publish, _ in
            guard case .notFound = try await client.getLatestAuditCheckpoint() else {
                Issue.record("a checkpoint before any was published")
                return
            }
            #expect(try await publish() == nil, "nothing to sign yet")
            try await write(chainedEvents(), through: client)
            let first = try #require(try await publish())
            #expect(try await publish() == nil, "nothing moved")
            try await write(chainedEvents(), through: client)
            let second = try #require(try await publish())
            #expect(first.sequence == 1 && second.sequence == 2 && second.previousRoot == first.root && second.eventCount == 24 && second.chainCount == 3)
            let report = try await TrailVerifier(client: client, publicKey: publicKey).verify()
            #expect(report.findings.isEmpty, "\(report.findings)")
            #expect(report.checkpointsVerified == 2 && report.chainsVerified == 3 && report.eventsVerified == 24)
            // Another key's verifier rejects every checkpoint.
            let stranger = try await TrailVerifier(client: client, publicKey: Curve25519.Signing.PrivateKey().publicKey).verify()
            #expect(stranger.findings == [.checkpointSignatureInvalid(sequence: 1), .checkpointSignatureInvalid(sequence: 2)])
        }
    }

    @Test("publishers taking a checkpoint at the same moment take turns; the server takes one as it shuts down", arguments: Backend.allCases)
    func publishersTakeTurnsAndShutdownPublishes(backend: Backend) async throws {
        try await withRepository(backend) { repository in
            try await repository.insert(chainedEvents())
            let publishers = (0..<2).map { _ in CheckpointPublisher(repository: repository, signer: signer, interval: .seconds(3600), logger: quiet) }
            async let first = publishers[0].publish()
            async let second = publishers[1].publish()
            let published = try await [first, second].compactMap { $0 }
            #expect(published.map(\.sequence) == [1], "one signs, the other finds nothing new")
            var configuration = ServerConfiguration(port: 0)
            configuration.checkpointSigner = signer
            try await serve(repository, configuration) { client, _ in try await write(chainedEvents(), through: client) }
            let last = try #require(try await repository.latestCheckpoint())
            #expect(last.sequence == 2 && last.eventCount == 24 && last.previousRoot == published.first?.root)
        }
    }

    @Test("tampering with the database is detected and named", arguments: Tamper.allCases, Backend.allCases)
    func tamperingIsDetected(tamper: Tamper, backend: Backend) async throws {
        try await withCheckpointedServer(backend) { client, publish, sql in
            let events = chainedEvents().filter { $0.correlationID == "rr-b" }  // a chain of four
            try await write(events, through: client)
            let checkpoint = try #require(try await publish())
            let ids = events.map { "'\($0.eventID.uuidString.lowercased())'" }
            let sqlite = backend == .sqlite
            let expected: TrailFinding
            switch tamper {
            case .alterRow:
                try await sql(sqlite
                    ? "UPDATE audit_events SET document = json_set(document, '$.event_outcome', 'failure') WHERE event_id = \(ids[1])"
                    : "UPDATE audit_events SET event_outcome = 'failure' WHERE event_id = \(ids[1])")
                expected = .eventAltered(correlationID: "rr-b", chainIndex: 2, eventID: events[1].eventID)
            case .deleteRow:
                try await sql("DELETE FROM audit_events WHERE event_id = \(ids[1])")
                expected = .eventMissing(correlationID: "rr-b", chainIndex: 2)
            case .reorderRows:
                for (id, index) in [(ids[1], 3), (ids[2], 2)] {
                    try await sql(sqlite
                        ? "UPDATE audit_events SET chain_index = \(index), document = json_set(document, '$.chain_index', \(index)) WHERE event_id = \(id)"
                        : "UPDATE audit_events SET chain_index = \(index) WHERE event_id = \(id)")
                }
                expected = .linkBroken(correlationID: "rr-b", chainIndex: 2, eventID: events[2].eventID)
            case .truncateChain:
                try await sql("DELETE FROM audit_events WHERE event_id IN (\(ids[2]), \(ids[3]))")
                expected = .chainTruncated(correlationID: "rr-b", checkpointed: 4, found: 2)
            case .rewriteChain:
                // Every hash recomputed after the change: the chain holds together, the checkpoint does not.
                var previous: [UInt8]?
                for (index, var event) in events.enumerated() {
                    if index == 1 { event.eventOutcome = .failure }
                    let hash = AuditChainHash.link(previous: previous, content: try AuditChainHash.contentDigest(of: event))
                    let links = "previous_event_hash = \(previous.map { "'\(Hex.encode($0))'" } ?? "NULL"), event_hash = '\(Hex.encode(hash))'"
                    try await sql(sqlite
                        ? "UPDATE audit_events SET document = json_set(document, '$.event_outcome', '\(event.eventOutcome.rawValue)', '$.event_hash', '\(Hex.encode(hash))'\(previous.map { ", '$.previous_event_hash', '\(Hex.encode($0))'" } ?? "")) WHERE event_id = \(ids[index])"
                        : "UPDATE audit_events SET event_outcome = '\(event.eventOutcome.rawValue)', \(links) WHERE event_id = \(ids[index])")
                    previous = hash
                }
                expected = .chainDiffersFromCheckpoint(correlationID: "rr-b", chainLength: 4)
            case .replaceCheckpoint:
                let forged = String(repeating: "0", count: 64)
                try await sql("UPDATE audit_checkpoints SET document = replace(document, '\(checkpoint.root)', '\(forged)') WHERE sequence = 1")
                expected = .checkpointSignatureInvalid(sequence: 1)
            }
            let report = try await TrailVerifier(client: client, publicKey: publicKey).verify()
            #expect(report.findings.first == expected, "\(report.findings)")
        }
    }

    @Test("an event's proof verifies with the public key alone; a changed proof does not; an event no checkpoint covers has none yet")
    func inclusionProof() async throws {
        try await withCheckpointedServer(.postgres) { client, publish, _ in
            let events = chainedEvents()
            try await write(events, through: client)
            try #require(try await publish() != nil)
            for event in events {
                guard case .ok(let proof) = try await client.getAuditEventProof(eventID: event.eventID) else {
                    Issue.record("no proof for \(event.eventID)")
                    return
                }
                #expect(try proof.failure(publicKey: publicKey) == nil)
                if var changed = Optional(proof), !changed.laterContentDigests.isEmpty {
                    changed.laterContentDigests[0] = String(repeating: "1", count: 64)
                    #expect(try changed.failure(publicKey: publicKey) == "the later events do not lead to the signed chain head")
                }
                var moved = proof
                moved.leafIndex = (moved.leafIndex + 1) % moved.checkpoint.chainCount
                #expect(try moved.failure(publicKey: publicKey) == "the audit path does not lead to the checkpoint's root")
                var altered = proof
                altered.event.eventAction = "deleted"
                #expect(try altered.failure(publicKey: publicKey) == "the event's content does not give its event_hash")
            }
            let late = chainedEvents()[0]
            try await write([late], through: client)
            guard case .notFound = try await client.getAuditEventProof(eventID: late.eventID) else {
                Issue.record("a proof for an event written after the checkpoint")
                return
            }
        }
    }

    @Test("datastorage verify exits 0 on an intact trail and 1 naming what changed; keygen's keys sign; a missing key file stops the start, no key is warned of")
    func commandLine() async throws {
        try await withCheckpointedServer(.sqlite) { client, publish, sql in
            try await write(chainedEvents(), through: client)
            try #require(try await publish() != nil)
            let url = client.core.serverURL.absoluteString
            let intact = try await runDataStorage(["verify", "--public-key", publicKeyFile, "--url", url])
            #expect(intact.status == 0 && intact.output.contains("3 chains, 12 events verified; 0 findings"), "\(intact)")
            try await sql("DELETE FROM audit_events WHERE chain_index = 2 AND correlation_id = 'rr-b'")
            let broken = try await runDataStorage(["verify", "--public-key", publicKeyFile, "--url", url])
            #expect(broken.status != 0 && broken.output.contains("FAIL chain 'rr-b' event 2 is missing (deleted)"), "\(broken)")
        }
        let directory = FileManager.default.temporaryDirectory.appending(path: "keygen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (privatePath, publicPath) = (directory.appending(path: "key.pem").path, directory.appending(path: "key.pub.pem").path)
        let keygen = try await runDataStorage(["keygen", "--private-key", privatePath, "--public-key", publicPath])
        #expect(keygen.status == 0, "\(keygen)")
        #expect(try KeyFile.privateKey(at: privatePath).publicKey.rawRepresentation == KeyFile.publicKey(at: publicPath).rawRepresentation)
        #expect(try FileManager.default.attributesOfItem(atPath: privatePath)[.posixPermissions] as? Int == 0o600)
        let again = try await runDataStorage(["keygen", "--private-key", privatePath, "--public-key", publicPath])
        #expect(again.status != 0 && again.output.contains("exists"), "\(again)")

        let missing = directory.appending(path: "absent.pem").path
        let start = try await runDataStorage([
            "--port", String(try freePort()), "--storage", "sqlite:\(directory.appending(path: "db.sqlite").path)",
            "--dlq-dir", directory.appending(path: "dlq").path, "--checkpoint-key", missing,
        ])
        #expect(start.status != 0 && start.output.contains("key file \(missing): cannot be read"), "\(start)")
        #expect(!start.output.contains("datastorage listening"))
        // Without a key it says so before it serves (here it then stops: the address is not this machine's).
        let unsigned = try await runDataStorage([
            "--host", "203.0.113.1", "--port", String(try freePort()), "--storage", "sqlite:\(directory.appending(path: "db.sqlite").path)",
            "--dlq-dir", directory.appending(path: "dlq").path,
        ])
        #expect(unsigned.output.contains("no checkpoint signing key"), "\(unsigned)")
    }

    @Test("an export verifies offline with the public key alone: covered events proven, later ones counted; a changed line is named, also through datastorage verify --export", arguments: Backend.allCases)
    func exportVerifiesOffline(backend: Backend) async throws {
        try await withCheckpointedServer(backend) { client, publish, _ in
            let events = chainedEvents()
            try await write(events, through: client)
            try #require(try await publish() != nil)
            let late = Array(chainedEvents(now: Date().addingTimeInterval(60)).prefix(2))  // chains rr-ä and rr-b, after the checkpoint
            try await write(late, through: client)
            // From the fourth event on: each chain's first event is left out, so every proof starts at chain_index 2.
            let lines = try await export(client, since: RFC3339.format(events[3].eventTimestamp))
            #expect(lines.first?.checkpoint != nil)
            let exported = lines.compactMap(\.event)
            #expect(Set(exported.map(\.eventID)) == Set((events[3...] + late).map(\.eventID)))
            let order = exported.map { [Array($0.correlationID.utf8.map(Int.init)), [Int($0.chainIndex ?? 0)]] }
            #expect(order == order.sorted { $0.lexicographicallyPrecedes($1) { $0.lexicographicallyPrecedes($1) } }, "chains in byte order, events in chain order")
            #expect(lines.compactMap(\.chainProof).map(\.firstIndex) == [2, 2, 2])
            let report = try await ExportVerifier(publicKey: publicKey).verify(lines.asyncSequence)
            #expect(report == ExportReport(eventsVerified: 9, eventsNotCovered: 2, chainsVerified: 3, findings: []))
            // An event stored before hash chains (no chain members) is counted, not proven, and no finding.
            var unchained = try #require(late.first)
            (unchained.correlationID, unchained.chainIndex, unchained.previousEventHash, unchained.eventHash) = ("rr-unchained", nil, nil, nil)
            #expect(try await ExportVerifier(publicKey: publicKey).verify((lines + [AuditExportLine(event: unchained)]).asyncSequence)
                == ExportReport(eventsVerified: 9, eventsNotCovered: 3, chainsVerified: 3, findings: []))

            // A window that ends before the checkpoint's heads: each proof reads the events after the window.
            let window = try await export(client, since: RFC3339.format(events[3].eventTimestamp), until: RFC3339.format(events[7].eventTimestamp))
            #expect(window.compactMap(\.event).map(\.eventID).count == 5)
            #expect(try await ExportVerifier(publicKey: publicKey).verify(window.asyncSequence) == ExportReport(eventsVerified: 5, eventsNotCovered: 0, chainsVerified: 3, findings: []))

            // Only one chain, by correlation_id.
            let only = try await export(client, correlationIDs: ["rr-b"])
            #expect(only.compactMap(\.event).count == 5 && only.compactMap(\.event).allSatisfy { $0.correlationID == "rr-b" })
            #expect(try await ExportVerifier(publicKey: publicKey).verify(only.asyncSequence) == ExportReport(eventsVerified: 4, eventsNotCovered: 1, chainsVerified: 1, findings: []))

            // An event changed in the file; one changed with its event_hash recomputed to match; the checkpoint's root.
            let target = try #require(lines.firstIndex { $0.event?.correlationID == "rr-b" && $0.event?.chainIndex == 3 })
            var altered = lines
            altered[target].event?.eventAction = "deleted"
            let alteredEvent = try #require(altered[target].event)
            #expect(try await ExportVerifier(publicKey: publicKey).verify(altered.asyncSequence).findings
                == [.eventAltered(correlationID: "rr-b", chainIndex: 3, eventID: alteredEvent.eventID)])
            altered[target].event?.eventHash = Hex.encode(AuditChainHash.link(
                previous: alteredEvent.previousEventHash.flatMap(Hex.decode), content: try AuditChainHash.contentDigest(of: alteredEvent)))
            #expect(try await ExportVerifier(publicKey: publicKey).verify(altered.asyncSequence).findings
                == [.eventNotInSignedChain(correlationID: "rr-b", chainIndex: 3, eventID: alteredEvent.eventID)])
            var forged = lines
            forged[0].checkpoint?.root = String(repeating: "0", count: 64)
            let forgedFindings = try await ExportVerifier(publicKey: publicKey).verify(forged.asyncSequence).findings
            #expect(forgedFindings.first == .checkpointSignatureInvalid(sequence: 1) && forgedFindings.count == 4, "\(forgedFindings)")

            let directory = FileManager.default.temporaryDirectory.appending(path: "export-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            for (name, content) in [("intact", lines), ("altered", altered)] {
                var file = Data()
                for line in content { file += try StreamingJSONEncoder().encode(line) + Data("\n".utf8) }
                try file.write(to: directory.appending(path: name))
            }
            let intact = try await runDataStorage(["verify", "--public-key", publicKeyFile, "--export", directory.appending(path: "intact").path])
            #expect(intact.status == 0 && intact.output.contains("3 chains, 9 events verified, 2 not covered by the checkpoint; 0 findings"), "\(intact)")
            let broken = try await runDataStorage(["verify", "--public-key", publicKeyFile, "--export", directory.appending(path: "altered").path])
            #expect(broken.status != 0 && broken.output.contains("FAIL chain 'rr-b' event 3 (\(alteredEvent.eventID)): not the event the signed chain holds there"), "\(broken)")
        }
    }

    @Test("an export streams: its first lines arrive before the repository is asked for the second page", .timeLimit(.minutes(2)))
    func exportStreams() async throws {
        try await withRepository(.sqlite) { base, _ in
            let repository = SecondExportPageGate(base: base)
            try await serve(repository, ServerConfiguration(port: 0)) { client, _ in
                let events = (0..<1200).map { event($0, correlationID: "rr-\($0 % 7)") }
                for batch in stride(from: 0, to: events.count, by: 1000) {
                    guard case .created = try await client.createAuditEventsBatch(body: Array(events[batch..<min(batch + 1000, events.count)])) else {
                        throw CommandFailed(description: "the batch was not stored")
                    }
                }
                guard case .ok(let lines) = try await client.exportAuditEvents() else { throw CommandFailed(description: "no export") }
                var received = 0
                for try await line in lines where line.event != nil {
                    received += 1
                    // Had the server built the whole export before sending, this line would never come.
                    if received == 1 { repository.releaseSecondPage() }
                }
                #expect(received == events.count)
                #expect(repository.pagesAsked == 3)
            }
        }
    }

    /// A server over a fresh repository with checkpoints signed by the fixture key; `body`
    /// gets its client, a way to publish a checkpoint now, and SQL on its database.
    private func withCheckpointedServer(
        _ backend: Backend,
        _ body: @escaping @Sendable (Client, _ publish: @Sendable () async throws -> Checkpoint?, _ sql: @escaping @Sendable (String) async throws -> Void) async throws -> Void
    ) async throws {
        try await withRepository(backend) { repository, sql in
            var configuration = ServerConfiguration(port: 0)
            configuration.checkpointSigner = signer
            let publisher = CheckpointPublisher(repository: repository, signer: signer, interval: .seconds(3600), logger: quiet)
            try await serve(repository, configuration) { client, _ in
                try await body(client, { try await publisher.publish() }, sql)
            }
        }
    }
}

extension Array where Element: Sendable {
    /// The elements, one after another, as an export's lines arrive.
    fileprivate var asyncSequence: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}

/// Every line of an export.
private func export(_ client: Client, since: String? = nil, until: String? = nil, correlationIDs: [String]? = nil) async throws -> [AuditExportLine] {
    guard case .ok(let lines) = try await client.exportAuditEvents(since: since, until: until, correlationID: correlationIDs) else {
        throw CommandFailed(description: "no export")
    }
    var all: [AuditExportLine] = []
    for try await line in lines { all.append(line) }
    return all
}

/// Holds an export's second page back until the test releases it.
private final class SecondExportPageGate: AuditRepositoryDecorator {
    let base: any AuditRepository
    private let asked = Mutex(0)
    private let (released, release) = AsyncStream.makeStream(of: Void.self)

    init(base: any AuditRepository) { self.base = base }

    var pagesAsked: Int { asked.withLock { $0 } }

    func releaseSecondPage() { release.finish() }

    func exportPage(_ selection: AuditExportSelection, after cursor: AuditExportCursor?, limit: Int) async throws -> [StoredAuditEvent] {
        let page = asked.withLock { count in
            count += 1
            return count
        }
        if page == 2 { for await _ in released {} }
        return try await base.exportPage(selection, after: cursor, limit: limit)
    }
}

private func write(_ events: [StoredAuditEvent], through client: Client) async throws {
    let requests = try events.map { try JSONReader.decode(AuditEventRequest.self, from: StreamingJSONEncoder().encode($0)) }
    guard case .created = try await client.createAuditEventsBatch(body: requests) else {
        throw CommandFailed(description: "the batch was not stored")
    }
}

/// Runs the `datastorage` executable to its end (with only `environment`'s variables, when given);
/// its exit status and everything it printed.
func runDataStorage(_ arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory.appending(path: "datastorage-\(UUID().uuidString).log").path
    defer { try? FileManager.default.removeItem(atPath: log) }
    let pid = try environment.map { variables in
        // Only these variables: none of the test run's own can reach the command.
        try spawnProcess("/usr/bin/env", ["-i"] + variables.map { "\($0.key)=\($0.value)" } + [DataStorageProcess.executable] + arguments, outputFile: log)
    } ?? spawnProcess(DataStorageProcess.executable, arguments, outputFile: log)
    var status: Int32 = 0
    // A child's exit has no async signal to await; polling keeps the cooperative threads free
    // for the in-process server the child talks to.
    while waitpid(pid, &status, WNOHANG) != pid {
        try await Task.sleep(for: .milliseconds(20))
    }
    return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}
