@testable import Audit
import AuditIntegrity
@testable import DataStorageServer
import Foundation
import Logging
import PostgresNIO
import SQLiteNIO
import ServiceLifecycle
import Testing

enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// `scripts/test` starts PostgreSQL and sets this; running `swift test` alone fails the
/// PostgreSQL cases with a message instead of silently skipping them.
let postgresURL = ProcessInfo.processInfo.environment["DATASTORAGE_TEST_POSTGRES_URL"]

private let quiet = Logger(label: "repository-test") { _ in SwiftLogNoOpLogHandler() }

/// A fresh, migrated repository of the given kind for one test: a new SQLite file, or a
/// new PostgreSQL database.
func withRepository(_ backend: Backend, _ body: (any AuditRepository) async throws -> Void) async throws {
    try await withRepository(backend) { repository, _ in try await body(repository) }
}

/// A fresh repository, and a way to run SQL on its database behind its back, as someone
/// with access to the database (not to the server) would.
func withRepository(_ backend: Backend, _ body: (any AuditRepository, _ sql: @escaping @Sendable (String) async throws -> Void) async throws -> Void) async throws {
    switch backend {
    case .sqlite:
        let file = FileManager.default.temporaryDirectory.appending(path: "audit-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: file) }
        let repository = try await SQLiteAuditRepository.open(path: file.path, logger: quiet)
        do {
            try await body(repository) { sql in
                let connection = try await SQLiteConnection.open(storage: .file(path: file.path), logger: quiet)
                do { _ = try await connection.query(sql, []) } catch {
                    try await connection.close()
                    throw error
                }
                try await connection.close()
            }
        } catch {
            try? await repository.close()  // an open connection must not be released unclosed
            throw error
        }
        try await repository.close()
    case .postgres:
        guard let base = postgresURL else {
            Issue.record("DATASTORAGE_TEST_POSTGRES_URL is not set: run scripts/test, which starts PostgreSQL")
            return
        }
        let database = "audit_\(UUID().uuidString.prefix(8).lowercased())"
        try await adminQuery(base, "CREATE DATABASE \(database)")
        let url = base.replacingOccurrences(of: "/audit_test", with: "/\(database)")
        let repository = try PostgresAuditRepository(url: url, logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await repository.run() }
            try await repository.migrate()
            do {
                try await body(repository) { sql in try await adminQuery(base, sql, database: database) }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
        try await adminQuery(base, "DROP DATABASE \(database) WITH (FORCE)")
    }
}

/// Runs `sql` as the cluster's administrator, in `database`.
func adminQuery(_ url: String, _ sql: String, database: String = "postgres") async throws {
    let components = URLComponents(string: url)!
    let client = PostgresClient(
        configuration: .init(host: components.host!, port: components.port!, username: components.user!, password: nil, database: database, tls: .disable),
        backgroundLogger: quiet)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        try await client.query(PostgresQuery(unsafeSQL: sql))
        group.cancelAll()
    }
}

func stored(_ index: Int, correlationID: String = "rr-1", at timestamp: Date = Date()) -> StoredAuditEvent {
    let request = event(index, correlationID: correlationID, at: timestamp)
    return StoredAuditEvent(
        eventID: request.eventID!, version: request.version, eventType: request.eventType, eventTimestamp: request.eventTimestamp,
        eventCategory: request.eventCategory, eventAction: request.eventAction, eventOutcome: request.eventOutcome,
        actorType: "service", actorID: "gateway-service", actorIP: "10.0.0.\(index % 250)", resourceType: "Signal",
        resourceID: "fp-\(index)", correlationID: request.correlationID, namespace: "payment", clusterID: nil, severity: "info",
        durationMs: index, errorCode: nil, errorMessage: nil, retentionDays: 30, isSensitive: false, eventData: request.eventData,
        eventDate: StoredTime.utcDate(timestamp))
}

/// An event with every member set, none left nil, so that reading it back checks them all.
func everyMemberSet() -> StoredAuditEvent {
    let timestamp = Date(timeIntervalSince1970: 1_765_591_200.123456)
    return StoredAuditEvent(
        eventID: UUID(), version: "1.0", eventType: "gateway.signal.received", eventTimestamp: timestamp,
        eventCategory: .gateway, eventAction: "received", eventOutcome: .failure, actorType: "service", actorID: "gateway-service",
        actorIP: "10.0.0.7", resourceType: "Signal", resourceID: "fp-7", correlationID: "rr-7", parentEventID: UUID(),
        parentEventDate: Date(timeIntervalSince1970: 1_765_497_600), namespace: "payment", clusterID: "cluster-1", severity: "warning",
        durationMs: 42, errorCode: "E42", errorMessage: "it failed", retentionDays: 30, isSensitive: true,
        eventData: .commonEnvelope(CommonEnvelope(
            version: "1.0", service: "gateway", operation: "receive", status: "failed",
            payload: ["task_id": "t-7", "n": 7, "nested": ["list": [1, "two", .null]]], sourcePayload: ["raw": "alert"])),
        eventDate: StoredTime.utcDate(timestamp),
        // The repository derives legal_hold when read, and replaces the chain members with the event's place in its chain.
        legalHold: true, chainIndex: 99, previousEventHash: String(repeating: "a", count: 64), eventHash: String(repeating: "b", count: 64))
}

/// The members of `value` that are nil, by name.
func nilMembers(of value: Any) -> [String] {
    Mirror(reflecting: value).children.compactMap { child in
        let mirror = Mirror(reflecting: child.value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty ? child.label ?? "?" : nil
    }
}

@Suite("Audit repositories, SQLite and PostgreSQL alike", .serialized)
struct RepositoryTests {
    @Test("insert and read back every member of a stored event", arguments: Backend.allCases)
    func roundTrip(backend: Backend) async throws {
        let event = everyMemberSet()
        #expect(nilMembers(of: event).isEmpty, "the fixture must set every member the contract has")
        try await withRepository(backend) { repository in
            let first = stored(1, correlationID: event.correlationID)
            try await repository.insert([first, event])
            let (read, total) = try await repository.query(AuditQuery())
            #expect(total == 2)
            var back = try #require(read.first { $0.eventID == event.eventID })
            // Stored to the microsecond; the Double read back may differ in its last bits.
            #expect(abs(back.eventTimestamp.timeIntervalSince(event.eventTimestamp)) < 0.000_001)
            back.eventTimestamp = event.eventTimestamp
            // The chain members are the server's: second in its chain, after the first event.
            let before = try #require(read.first { $0.eventID == first.eventID })
            #expect(before.chainIndex == 1 && before.previousEventHash == nil)
            #expect(back.chainIndex == 2 && back.previousEventHash == before.eventHash)
            let content = try AuditChainHash.contentDigest(of: back)
            #expect(back.eventHash == Hex.encode(AuditChainHash.link(previous: before.eventHash.flatMap(Hex.decode), content: content)))
            #expect(back.legalHold == false, "no hold is in force")
            var expected = event
            (expected.legalHold, expected.chainIndex, expected.previousEventHash, expected.eventHash) =
                (back.legalHold, back.chainIndex, back.previousEventHash, back.eventHash)
            #expect(back == expected, "\(backend)")
        }
    }

    @Test("every column of audit_events is a member of the contract's stored event, and every member has a column")
    func columnsMatchContract() throws {
        let members = Set(try #require(try JSONValue(encoding: everyMemberSet()).objectValue).keys)
        // legal_hold is not stored with the event: it is read from the holds in force.
        #expect(Set(AuditColumn.all.map(\.member)) == members.subtracting(["legal_hold"]))
        #expect(AuditColumn.equalityFilters.count == 5, "each filter names a real column")
    }

    @Test("the NUL check walks every member of the contract's envelope")
    func envelopeMembersMatchContract() throws {
        let envelope = try #require(everyMemberSet().eventData.envelope)
        let members = AuditAPI.envelopeMembers(envelope)
        let contract = Set(try #require(try JSONValue(encoding: envelope).objectValue).keys)
        #expect(Set(members.strings.map(\.0) + members.json.map(\.0)) == contract)
    }

    @Test("re-inserting stored events changes nothing", arguments: Backend.allCases)
    func idempotent(backend: Backend) async throws {
        try await withRepository(backend) { repository in
            let events = (0..<3).map { stored($0) }
            try await repository.insert(events)
            try await repository.insert(events + [stored(9)])
            #expect(try await repository.query(AuditQuery()).total == 4)
        }
    }

    @Test("text with tabs, newlines, carriage returns, backslashes and a literal \\N reads back as written", arguments: Backend.allCases)
    func escapes(backend: Backend) async throws {
        var event = stored(0)
        let awkward = "tab\there, line\nbreak, return\r, back\\slash, \\N, \\t, quote \" ü"
        event.errorMessage = awkward
        event.actorID = "\\N"
        event.eventData.envelope?.status = awkward
        event.eventData.envelope?.payload = ["text": .string(awkward)]
        try await withRepository(backend) { repository in
            try await repository.insert([event])
            let back = try #require(try await repository.query(AuditQuery()).events.first)
            #expect(back.errorMessage == awkward && back.actorID == "\\N")
            #expect(back.eventData == event.eventData)
        }
    }

    @Test("every filter, pagination and newest-first order", arguments: Backend.allCases)
    func filters(backend: Backend) async throws {
        try await withRepository(backend) { repository in
            let start = Date().addingTimeInterval(-3600)
            let events = (0..<10).map { stored($0, correlationID: $0 < 6 ? "a" : "b", at: start.addingTimeInterval(Double($0) * 60)) }
            try await repository.insert(events)
            var query = AuditQuery()
            query.correlationID = "a"
            query.limit = 2
            query.offset = 1
            let page = try await repository.query(query)
            #expect(page.total == 6)
            #expect(page.events.map(\.eventID) == [events[4].eventID, events[3].eventID])
            var since = AuditQuery()
            since.since = start.addingTimeInterval(7 * 60)
            #expect(try await repository.query(since).total == 3)
            var until = AuditQuery()
            until.until = start.addingTimeInterval(60)
            #expect(try await repository.query(until).total == 2)
            var outcome = AuditQuery()
            outcome.eventOutcome = "failure"
            #expect(try await repository.query(outcome).total == 4)
            var detail = AuditQuery()
            detail.detail = DetailFilter(key: "service", value: "gateway")
            #expect(try await repository.query(detail).total == 10)
            detail.detail = DetailFilter(key: "service", value: "' OR 1=1 --")
            #expect(try await repository.query(detail).total == 0)
            var type = AuditQuery()
            type.eventType = "gateway.signal.received"
            type.severity = "info"
            type.eventCategory = "gateway"
            #expect(try await repository.query(type).total == 10)
        }
    }

    @Test("event_data comes back with its nulls, at the top and nested", arguments: Backend.allCases)
    func nullsInEventData(backend: Backend) async throws {
        try await withRepository(backend) { repository in
            var nullPayload = stored(0)
            nullPayload.eventData.envelope?.payload = .null
            var nested = stored(1)
            nested.eventData.envelope?.payload = ["kept": .null, "list": [.null, 1]]
            nested.eventData.envelope?.sourcePayload = ["raw": .null]
            try await repository.insert([nullPayload, nested])
            let byID = Dictionary(uniqueKeysWithValues: try await repository.query(AuditQuery()).events.map { ($0.eventID, $0) })
            #expect(byID[nullPayload.eventID]?.eventData == nullPayload.eventData)
            #expect(byID[nested.eventID]?.eventData == nested.eventData)
        }
    }

    @Test("concurrent batches all commit, each whole", arguments: Backend.allCases)
    func concurrentBatches(backend: Backend) async throws {
        try await withRepository(backend) { repository in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<8 {
                    group.addTask { try await repository.insert((0..<50).map { stored(batch * 50 + $0) }) }
                }
                try await group.waitForAll()
            }
            #expect(try await repository.query(AuditQuery()).total == 400)
        }
    }

    @Test("PostgreSQL: a failing row rolls the whole batch back")
    func atomicity() async throws {
        try await withRepository(.postgres) { repository in
            var bad = stored(2)
            bad.actorIP = "not an address"
            await #expect(throws: (any Error).self) { try await repository.insert([stored(0), stored(1), bad]) }
            let total = try await repository.query(AuditQuery()).total
            #expect(total == 0)
        }
    }

    @Test("PostgreSQL: a value the table cannot hold is a rejection, not an outage")
    func rejection() async throws {
        try await withRepository(.postgres) { (repository: any AuditRepository) async throws in
            var tooLong = stored(0)
            tooLong.version = String(repeating: "9", count: 11)  // event_version is VARCHAR(10)
            await #expect(throws: AuditRepositoryRejection.self) { try await repository.insert([stored(1), tooLong]) }
            #expect(try await repository.query(AuditQuery()).total == 0)
        }
    }

    @Test("PostgreSQL: writes land whatever the month, the DEFAULT partition catching the rest")
    func partitions() async throws {
        try await withRepository(.postgres) { repository in
            let now = Date()
            let dates = [now, now.addingTimeInterval(-35 * 86_400), now.addingTimeInterval(100 * 86_400), now.addingTimeInterval(-400 * 86_400)]
            try await repository.insert(dates.enumerated().map { stored($0.offset, at: $0.element) })
            #expect(try await repository.query(AuditQuery()).total == 4)
        }
    }

    @Test("monthly partitions run from last month to three ahead, across a year boundary")
    func partitionNames() {
        let december = Date(timeIntervalSince1970: 1_765_591_200)  // 2025-12-13
        let partitions = PostgresAuditRepository.monthlyPartitions(around: december)
        #expect(partitions.map(\.name) == ["audit_events_2025_11", "audit_events_2025_12", "audit_events_2026_01", "audit_events_2026_02", "audit_events_2026_03"])
        #expect(partitions[1].from == "2025-12-01" && partitions[1].to == "2026-01-01")
    }
}
