import DataStorageClient
@testable import DataStorageServer
import Foundation
import TestSupport
import Testing

/// The dead-letter journal's own disk failing while the database is down: the directory
/// removed, the disk full, the file system read-only. A small tmpfs of the test's own plays
/// the disk; mounting one needs root, as `scripts/test` runs here.
@Suite("Faults of the journal's disk", .serialized, .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct JournalDiskFaultTests {
    @Test("directory removed: the server makes it again and journals; events of the removed segment are counted lost, the rest replayed")
    func directoryRemoved() async throws {
        try await withJournalOnTmpfs(megabytes: 8) { directory, repository, client, url, replayNow in
            repository.isDown = true
            let first = (0..<3).map { event($0) }
            #expect(try await client.createAuditEventsBatch(body: first).statusCode == 202)
            try FileManager.default.removeItem(atPath: directory)
            let second = (3..<6).map { event($0) }
            #expect(try await client.createAuditEventsBatch(body: second).statusCode == 202, "the directory is made again")
            #expect(FileManager.default.fileExists(atPath: directory))
            #expect(try await readinessReason(client) == "database_unreachable", "the journal itself is fine again")

            repository.isDown = false
            try await replayNow()
            let stored = Set(try await repository.base.query(AuditQuery()).events.map(\.eventID))
            #expect(stored == Set(second.compactMap(\.eventID)))
            let text = try await metricsText(url)
            #expect(text.contains("datastorage_dlq_lost_total 3") && text.contains("datastorage_dlq_depth 0"), "\(text)")
        }
    }

    @Test("disk full: 202 only for events on disk, 500 for the rest, /readyz names the journal, and recovery once replay frees space")
    func diskFull() async throws {
        // Requests up to 1 MiB on a 4 MiB disk: ready until less than 1 MiB is free.
        try await withJournalOnTmpfs(megabytes: 4, maxBodyBytes: 1024 * 1024) { _, repository, client, _, replayNow in
            repository.isDown = true
            #expect(try await readinessReason(client) == "database_unreachable")
            var accepted: [AuditEventRequest] = []
            var refused = 0
            // About 40 KiB a batch: the disk fills after some hundred.
            for round in 0..<300 where refused < 3 {
                let batch = (0..<100).map { event(round * 100 + $0) }
                switch try await client.createAuditEventsBatch(body: batch).statusCode {
                case 202: accepted += batch
                case 500: refused += 1
                default: Issue.record("batch \(round) answered neither 202 nor 500")
                }
            }
            #expect(!accepted.isEmpty && refused == 3, "\(accepted.count) accepted, \(refused) refused")
            #expect(try await readinessReason(client) == "database_unreachable,dead_letter_journal_unwritable")

            repository.isDown = false
            try await replayNow()
            // Everything answered 202 is stored; nothing answered 500 is.
            var query = AuditQuery()
            query.limit = 100_000
            let stored = Set(try await repository.base.query(query).events.map(\.eventID))
            #expect(stored == Set(accepted.compactMap(\.eventID)))
            #expect(try await readinessReason(client) == nil, "the replay freed the disk")
            repository.isDown = true
            #expect(try await client.createAuditEventsBatch(body: [event(99_999)]).statusCode == 202)
        }
    }

    @Test("read-only file system: 500, never 202; /readyz names the journal; back to 202 once it is writable")
    func readOnly() async throws {
        try await withJournalOnTmpfs(megabytes: 8) { directory, repository, client, _, _ in
            repository.isDown = true
            // Before the first append: a file open for writing would keep the remount from happening.
            let mountPoint = URL(fileURLWithPath: directory).deletingLastPathComponent().path
            try runCommand("/bin/mount", ["-o", "remount,ro", mountPoint])
            #expect(try await client.createAuditEvent(body: event(1)).statusCode == 500)
            #expect(try await readinessReason(client) == "database_unreachable,dead_letter_journal_unwritable")
            try runCommand("/bin/mount", ["-o", "remount,rw", mountPoint])
            #expect(try await readinessReason(client) == "database_unreachable")
            #expect(try await client.createAuditEvent(body: event(2)).statusCode == 202)
        }
    }
}

private func readinessReason(_ client: Client) async throws -> String? {
    if case .serviceUnavailable(let response) = try await client.checkReadiness() { return response.reason }
    return nil
}

/// A server over SQLite whose database can be taken down, journalling to a fresh tmpfs of
/// `megabytes`; `body` gets the journal's directory, the repository, a client, the server's
/// URL, and a way to run the replayer now (its clock is manual).
private func withJournalOnTmpfs(
    megabytes: Int, maxBodyBytes: Int = 5 * 1024 * 1024,
    _ body: @escaping @Sendable (String, SwitchableRepository, Client, URL, _ replayNow: @Sendable () async throws -> Void) async throws -> Void
) async throws {
    let mountPoint = FileManager.default.temporaryDirectory.appending(path: "journal-disk-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", mountPoint])
    defer {
        // Lazily: the journal's last segment may still be open as the server's objects go.
        _ = try? runCommand("/bin/umount", ["-l", mountPoint])
        try? FileManager.default.removeItem(atPath: mountPoint)
    }
    // A directory on the tmpfs, so that it can be removed.
    let directory = mountPoint + "/dlq"
    let clock = ManualClock()
    let configuration = ServerConfiguration(port: 0, maxBodyBytes: maxBodyBytes, deadLetterDirectory: directory)
    try await withRepository(.sqlite) { base in
        let repository = SwitchableRepository(base)
        try await serve(repository, configuration, clock: clock) { client, url in
            await clock.waitForSleeper(until: clock.now.advanced(by: configuration.deadLetterReplayInterval))
            try await body(directory, repository, client, url) {
                clock.advance(by: configuration.deadLetterReplayInterval)
                await clock.waitForSleeper(until: clock.now.advanced(by: configuration.deadLetterReplayInterval))
            }
        }
    }
}
