import AuditIntegrity
import DataStorageClient
@testable import DataStorageServer
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport

private let quiet = Logger(label: "retention-test") { _ in SwiftLogNoOpLogHandler() }

@Suite("Retention", .serialized)
struct RetentionTests {
    private let signer = CheckpointSigner(privateKey: try! KeyFile.privateKey(at: privateKeyFile))
    private let publicKey = try! KeyFile.publicKey(at: publicKeyFile)

    @Test("retention deletes expired chain prefixes only: a later expired event waits, category floors and legal holds keep theirs; the trail verifies after, from the signed starts", arguments: Backend.allCases)
    func expiredPrefixesGo(backend: Backend) async throws {
        let start = Date()
        try await withRepository(backend) { repository in
            // Days before `start`, retention_days.
            let chains: [String: [(age: Double, retention: Int)]] = [
                "rt-all": [(40, 30), (39, 30), (38, 30), (37, 30), (36, 30)],
                "rt-prefix": [(40, 30), (39, 30), (38, 30), (37, 100), (36, 30)],
                "rt-held": [(40, 30), (39, 30), (38, 30)],
                "rt-fresh": [(1, 30), (0, 30)],
            ]
            for (id, ages) in chains.sorted(by: { $0.key < $1.key }) {
                try await repository.insert(ages.map { agedEvent(id, age: $0.age, retention: $0.retention, before: start) })
            }
            // Expired by its retention_days, kept by its category's floor.
            try await repository.insert([40, 39].map { agedEvent("rt-floored", age: $0, retention: 30, category: .security, before: start) })
            let hold = LegalHold(correlationID: "rt-held", reason: "case 7", placedBy: "legal", placedAt: start)
            try await repository.placeLegalHold(hold, auditedBy: holdEvent("rt-held", at: start))
            let publisher = CheckpointPublisher(repository: repository, signer: signer, interval: .seconds(3600), logger: quiet)
            let before = try #require(try await publisher.publish())

            let now = Mutex(start)
            let metrics = ServerMetrics()
            let retention = RetentionService(
                repository: repository, policy: RetentionPolicy(categoryFloors: ["security": 60]), interval: .seconds(3600), batchSize: 2,
                signer: signer, clock: ServerClock(ManualClock()), now: { now.withLock { $0 } }, metrics: metrics, logger: quiet)

            // Twenty days earlier, nothing had expired.
            now.withLock { $0 = start.addingTimeInterval(-20 * 86_400) }
            #expect(try await retention.enforce().map(\.eventsPurged) == [0])
            now.withLock { $0 = start }
            let passes = try await retention.enforce()
            // Passes of at most two, until one finds fewer: five of rt-all and three of rt-prefix.
            #expect(passes.map(\.eventsPurged) == [2, 2, 2, 2, 0], "\(passes.map(\.eventsPurged))")
            #expect(passes.dropLast().allSatisfy { $0.checkpoint != nil } && passes.last?.checkpoint == nil)

            let kept = try await remaining(repository)
            #expect(kept["rt-all"] == nil)
            #expect(kept["rt-prefix"] == [4, 5], "an expired event after one still kept waits for it")
            #expect(kept["rt-held"] == [1, 2, 3, 4], "the held chain keeps every event, the hold's own record included")
            #expect(kept["rt-fresh"] == [1, 2] && kept["rt-floored"] == [1, 2])

            // The last checkpoint signs where each chain now starts, and the trail verifies from there.
            let latest = try #require(try await repository.latestCheckpoint())
            #expect(latest.sequence == before.sequence + 4 && latest.eventCount == before.eventCount)
            let heads = Dictionary(uniqueKeysWithValues: try #require(try await repository.checkpointChains(sequence: latest.sequence, afterCorrelationID: nil, limit: 100)).map { ($0.correlationID, $0) })
            let all = try #require(heads["rt-all"])
            #expect(all.purgedLength == 5 && all.purgedHead == all.head)
            #expect(heads["rt-prefix"]?.purgedLength == 3 && heads["rt-held"]?.purgedLength == nil && heads["rt-fresh"]?.purgedLength == nil)
            // The heads the first checkpoint signed are still served as it signed them.
            let first = try #require(try await repository.checkpointChains(sequence: before.sequence, afterCorrelationID: nil, limit: 100))
            #expect(MerkleTree.root(leafHashes: try first.map { try $0.leafHash }) == Hex.decode(before.root))
            try await serve(repository, ServerConfiguration(port: 0)) { client, _ in
                let report = try await TrailVerifier(client: client, publicKey: publicKey).verify()
                #expect(report.findings.isEmpty, "\(report.findings)")
                #expect(report.chainsVerified == 5 && report.eventsVerified == 2 + 4 + 2 + 2)
            }
            let exposition = metrics.exposition
            #expect(exposition.contains("\(ServerMetrics.retentionPurgedName) 8"), "\(exposition)")
            // The oldest kept: the held chain's and the floored chain's first events, 40 days old.
            let oldest = try #require(sample(ServerMetrics.retentionOldestEventName, in: exposition))
            #expect(abs(oldest - start.addingTimeInterval(-40 * 86_400).timeIntervalSince1970) < 0.001, "\(exposition)")

            // Released, the held chain's expired events go; the hold's two records stay.
            _ = try await repository.releaseLegalHold(correlationID: "rt-held", release: { $0 }, auditedBy: holdEvent("rt-held", at: start))
            #expect(try await retention.enforce().map(\.eventsPurged) == [2, 1])
            #expect(try await remaining(repository)["rt-held"] == [4, 5])
        }
    }

    @Test("however large the pass, an expired event waits behind a kept one of its chain", arguments: Backend.allCases)
    func expiredWaitsBehindKept(backend: Backend) async throws {
        let now = Date()
        try await withRepository(backend) { repository in
            try await repository.insert([(40.0, 30), (39, 100), (38, 30)].map { agedEvent("rt-wait", age: $0.0, retention: $0.1, before: now) })
            let pass = try await repository.purgeExpired(RetentionPolicy(), now: now, limit: 100, checkpoint: nil)
            #expect(pass.eventsPurged == 1 && pass.checkpoint == nil)
            #expect(try await remaining(repository)["rt-wait"] == [2, 3])
        }
    }

    @Test("an event removed behind retention's back stops the pass, naming its chain, and nothing is deleted", arguments: Backend.allCases)
    func gapStopsThePass(backend: Backend) async throws {
        let now = Date()
        try await withRepository(backend) { repository, sql in
            let events = [40.0, 39, 38].map { agedEvent("rt-gap", age: $0, retention: 30, before: now) }
            try await repository.insert(events)
            try await sql("DELETE FROM audit_events WHERE event_id = '\(events[1].eventID.uuidString.lowercased())'")
            do {
                _ = try await repository.purgeExpired(RetentionPolicy(), now: now, limit: 10, checkpoint: nil)
                Issue.record("a chain with a hole was purged")
            } catch let gap as RetentionFoundChainGap {
                #expect(gap.correlationID == "rt-gap" && gap.indexes == 1...3, "\(gap)")
            }
            #expect(try await remaining(repository)["rt-gap"] == [1, 3])
        }
    }

    @Test("PostgreSQL: a month all of whose events may go is dropped whole, with the earlier events of its chains elsewhere; a month holding a held event is purged row by row around it")
    func expiredPartitionsDrop() async throws {
        let now = Date()
        try await withRepository(.postgres) { repository, sql in
            for (month, from, to) in [("2024_03", "2024-03-01", "2024-04-01"), ("2024_04", "2024-04-01", "2024-05-01")] {
                try await sql("CREATE TABLE audit_events_\(month) PARTITION OF audit_events FOR VALUES FROM ('\(from)') TO ('\(to)')")
            }
            func stamped(_ correlationID: String, _ timestamps: [String]) -> [StoredAuditEvent] {
                timestamps.map { text in
                    let date = text == "now" ? now : ISO8601DateFormatter().date(from: text)!
                    return agedEvent(correlationID, age: now.timeIntervalSince(date) / 86_400, retention: 30, before: now)
                }
            }
            try await repository.insert(stamped("rt-p", ["2024-03-10T12:00:00Z", "2024-03-11T12:00:00Z", "now"]))
            // Its first event is older than any monthly partition: it is in the DEFAULT one.
            try await repository.insert(stamped("rt-q", ["2023-06-01T12:00:00Z", "2024-03-12T12:00:00Z", "2024-03-13T12:00:00Z"]))
            try await repository.insert(stamped("rt-held", ["2024-04-10T12:00:00Z", "2024-04-11T12:00:00Z"]))
            try await repository.insert(stamped("rt-r", ["2024-04-12T12:00:00Z", "2024-04-13T12:00:00Z"]))
            try await repository.placeLegalHold(
                LegalHold(correlationID: "rt-held", reason: "case 9", placedBy: "legal", placedAt: now), auditedBy: holdEvent("rt-held", at: now))

            let metrics = ServerMetrics()
            let retention = RetentionService(
                repository: repository, policy: RetentionPolicy(), interval: .seconds(3600), batchSize: 1000, signer: signer,
                clock: ServerClock(ManualClock()), now: { now }, metrics: metrics, logger: quiet)
            let passes = try await retention.enforce()
            #expect(passes.map(\.partitionsDropped) == [["audit_events_2024_03"], []])
            #expect(passes.map(\.eventsPurged) == [5, 2], "four in March, and rt-q's first; then rt-r's two in April")
            let text = exposition(metrics)
            #expect(text.contains("\(ServerMetrics.retentionPartitionsDroppedName) 1") && text.contains("\(ServerMetrics.retentionPurgedName) 7"), "\(text)")
            await #expect(throws: (any Error).self, "March is gone") { try await sql("SELECT 1 FROM audit_events_2024_03") }
            try await sql("SELECT 1 FROM audit_events_2024_04")
            let kept = try await remaining(repository)
            #expect(kept == ["rt-p": [3], "rt-held": [1, 2, 3]], "\(kept)")
            try await serve(repository, ServerConfiguration(port: 0)) { client, _ in
                let report = try await TrailVerifier(client: client, publicKey: publicKey).verify()
                #expect(report.findings.isEmpty && report.chainsVerified == 4 && report.eventsVerified == 4, "\(report)")
            }
        }
    }

    @Test("a database made before retention is brought up to date: heads get the purged columns, checkpoint chains the key holding them, old checkpoints still verify", arguments: Backend.allCases)
    func migratesOldSchema(backend: Backend) async throws {
        let now = Date()
        try await withRepository(backend) { repository, sql in
            try await repository.insert([40.0, 39].map { agedEvent("rt-old", age: $0, retention: 30, before: now) })
            try await repository.insert([agedEvent("rt-new", age: 0, retention: 30, before: now)])
            let publisher = CheckpointPublisher(repository: repository, signer: signer, interval: .seconds(3600), logger: quiet)
            let first = try #require(try await publisher.publish())
            // The tables as they were made before retention, rows kept.
            let old = backend == .sqlite
                ? [
                    "ALTER TABLE audit_chain_heads DROP COLUMN purged_length", "ALTER TABLE audit_chain_heads DROP COLUMN purged_head",
                    "ALTER TABLE audit_checkpoint_chains RENAME TO newer",
                    "CREATE TABLE audit_checkpoint_chains (correlation_id TEXT, chain_length INTEGER, head TEXT NOT NULL, checkpoint_sequence INTEGER NOT NULL, PRIMARY KEY (correlation_id, chain_length))",
                    "INSERT INTO audit_checkpoint_chains SELECT correlation_id, chain_length, head, checkpoint_sequence FROM newer", "DROP TABLE newer",
                ]
                : [
                    "ALTER TABLE audit_chain_heads DROP COLUMN purged_length, DROP COLUMN purged_head",
                    "ALTER TABLE audit_checkpoint_chains DROP CONSTRAINT audit_checkpoint_chains_pkey, DROP COLUMN purged_length, DROP COLUMN purged_head, ADD PRIMARY KEY (correlation_id, chain_length)",
                ]
            for statement in old { try await sql(statement) }
            try await repository.migrate()
            try await repository.migrate()  // and again, as every start does

            let retention = RetentionService(
                repository: repository, policy: RetentionPolicy(), interval: .seconds(3600), batchSize: 100, signer: signer,
                clock: ServerClock(ManualClock()), now: { now }, metrics: ServerMetrics(), logger: quiet)
            #expect(try await retention.enforce().map(\.eventsPurged) == [2])
            let heads = try #require(try await repository.checkpointChains(sequence: first.sequence + 1, afterCorrelationID: nil, limit: 10))
            #expect(heads.map(\.purgedLength) == [nil, 2] && heads.map(\.chainLength) == [1, 2], "\(heads)")
            let signed = try #require(try await repository.checkpointChains(sequence: first.sequence, afterCorrelationID: nil, limit: 10))
            #expect(MerkleTree.root(leafHashes: try signed.map { try $0.leafHash }) == Hex.decode(first.root))
            try await serve(repository, ServerConfiguration(port: 0)) { client, _ in
                let report = try await TrailVerifier(client: client, publicKey: publicKey).verify()
                #expect(report.findings.isEmpty && report.checkpointsVerified == 2 && report.eventsVerified == 1, "\(report)")
            }
        }
    }

    @Test("the server runs retention on its clock's interval, and counts what it deleted")
    func serverRunsRetention() async throws {
        let now = Date()
        let clock = ManualClock()
        try await withRepository(.sqlite) { repository in
            try await repository.insert([40.0, 39].map { agedEvent("rt-served", age: $0, retention: 30, before: now) })
            var configuration = ServerConfiguration(port: 0)
            configuration.retentionInterval = .seconds(600)
            try await serve(repository, configuration, clock: clock) { _, url in
                await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(600)))
                clock.advance(by: .seconds(600))
                // Once the pass is done the service sleeps toward the next interval.
                await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(600)))
                let kept = try await remaining(repository)
                #expect(kept["rt-served"] == nil)
                let metrics = try await metricsText(url)
                #expect(metrics.contains("\(ServerMetrics.retentionPurgedName) 2"), "\(metrics)")
            }
        }
    }
}

/// The value of an unlabelled metric in a Prometheus exposition.
private func sample(_ name: String, in exposition: String) -> Double? {
    exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
}

/// Each correlation_id's chain indexes still stored.
private func remaining(_ repository: any AuditRepository) async throws -> [String: [Int64]] {
    var query = AuditQuery()
    query.limit = 1000
    let (events, _) = try await repository.query(query)
    return Dictionary(grouping: events, by: \.correlationID).mapValues { $0.compactMap(\.chainIndex).sorted() }
}

/// An accepted event of `correlationID`, `age` days before `date`, kept `retention` days.
private func agedEvent(_ correlationID: String, age: Double, retention: Int, category: EventCategory = .gateway, before date: Date) -> StoredAuditEvent {
    StoredAuditEvent(accepting: AuditEventRequest(
        eventID: UUID(), version: "1.0", eventType: "gateway.signal.received", eventTimestamp: date.addingTimeInterval(-age * 86_400),
        eventCategory: category, eventAction: "received", eventOutcome: .success, correlationID: correlationID, retentionDays: retention,
        eventData: .commonEnvelope(CommonEnvelope(service: "gateway", operation: "receive", status: "ok", payload: [:]))))
}

/// A hold's audit record, as the server writes one.
private func holdEvent(_ correlationID: String, at date: Date) -> StoredAuditEvent {
    agedEvent(correlationID, age: 0, retention: 2555, before: date)
}
