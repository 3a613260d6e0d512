@testable import Audit
@testable import DataStorageServer
import Foundation
import Logging
import OpenAPICodegenAsyncHTTPClient
import Synchronization
import TestSupport
import ServiceLifecycle
import Testing

/// A repository over a real one that can be switched to fail like a database that is down,
/// or to hold inserts until released (a request in flight).
final class SwitchableRepository: AuditRepositoryDecorator {
    struct Unavailable: Error {}

    private struct State {
        var down = false
        /// Events the "database" refuses outright, as it would a value it cannot store.
        var refused: Set<UUID> = []
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
        var heldWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let base: any AuditRepository
    private let state = Mutex(State())

    init(_ base: any AuditRepository) { self.base = base }

    var isDown: Bool {
        get { state.withLock { $0.down } }
        set { state.withLock { $0.down = newValue } }
    }

    var refused: Set<UUID> {
        get { state.withLock { $0.refused } }
        set { state.withLock { $0.refused = newValue } }
    }

    /// From now on inserts wait until ``release()``.
    func hold() { state.withLock { $0.holding = true } }

    /// Returns once an insert is waiting.
    func waitForHeldInsert() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.held.isEmpty { state.heldWaiters.append(continuation) }
                return !state.held.isEmpty
            }
            if resumeNow { continuation.resume() }
        }
    }

    func release() {
        let held = state.withLock { state in
            state.holding = false
            defer { state.held = [] }
            return state.held
        }
        held.forEach { $0.resume() }
    }

    func insert(_ events: [StoredAuditEvent]) async throws {
        await withCheckedContinuation { continuation in
            let (wait, waiters) = state.withLock { state in
                guard state.holding else { return (false, [CheckedContinuation<Void, Never>]()) }
                state.held.append(continuation)
                defer { state.heldWaiters = [] }
                return (true, state.heldWaiters)
            }
            waiters.forEach { $0.resume() }
            if !wait { continuation.resume() }
        }
        guard !isDown else { throw Unavailable() }
        if events.contains(where: { refused.contains($0.eventID) }) { throw AuditRepositoryRejection(reason: "value too long") }
        try await base.insert(events)
    }

    func ping() async throws {
        guard !isDown else { throw Unavailable() }
        try await base.ping()
    }
}

private let quiet = Logger(label: "dead-letter-test") { _ in SwiftLogNoOpLogHandler() }

private func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appending(path: "dlq-\(UUID().uuidString)").path
}

func segments(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".dlq") }.sorted()
}

/// What `/metrics` would print for these metrics.
func exposition(_ metrics: ServerMetrics) -> String {
    var bytes: [UInt8] = []
    metrics.registry.emit(into: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

/// The events the journal in `directory` holds when opened again, as after a restart.
private func depthAfterRestart(_ directory: String) async throws -> Int {
    let reopened = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: ServerMetrics())
    let depth = await reopened.depth
    try await reopened.shutdown()
    return depth
}

func count(_ repository: any AuditRepository) async throws -> Int {
    var query = AuditQuery()
    query.limit = 1
    return try await repository.query(query).total
}

@Suite("Dead-letter journal format")
struct JournalFormatTests {
    let payloads = [Data("[1]".utf8), Data(#"[{"a":2},{"b":3}]"#.utf8), Data("[4,5,6]".utf8)]

    func segment() -> [UInt8] {
        JournalFormat.magic + payloads.enumerated().flatMap { index, payload in JournalFormat.frame(eventCount: index + 1, payload: payload) }
    }

    @Test("CRC-32 matches the standard check value")
    func checksum() {
        var crc = CRC32()
        crc.update(Array("123456789".utf8))
        #expect(crc.value == 0xCBF4_3926)
    }

    @Test("records read back as written")
    func roundTrip() {
        let (records, damage) = JournalFormat.read(Data(segment()))
        #expect(damage == nil)
        #expect(records.map(\.payload) == payloads)
        #expect(records.map(\.eventCount) == [1, 2, 3])
    }

    @Test("a tail cut anywhere inside the last record is reported, and the records before it survive")
    func tornTail() {
        let bytes = segment()
        let lastRecord = JournalFormat.headerSize + payloads[2].count
        for cut in 1..<lastRecord {
            let (records, damage) = JournalFormat.read(Data(bytes.dropLast(cut)))
            #expect(records.map(\.payload) == Array(payloads[0..<2]), "cut \(cut)")
            #expect(damage?.offset == bytes.count - lastRecord, "cut \(cut)")
            #expect(damage?.skippedBytes == lastRecord - cut, "cut \(cut)")
        }
    }

    @Test("a flipped byte fails the checksum; nothing after it is trusted")
    func corruption() {
        var bytes = segment()
        let secondPayload = JournalFormat.magic.count + JournalFormat.headerSize + payloads[0].count + JournalFormat.headerSize
        bytes[secondPayload + 3] ^= 0x01
        let (records, damage) = JournalFormat.read(Data(bytes))
        #expect(records.map(\.payload) == [payloads[0]])
        #expect(damage?.reason == "checksum mismatch")
    }

    @Test("a file that is not a segment is refused whole")
    func foreignFile() {
        let (records, damage) = JournalFormat.read(Data("hello, world".utf8))
        #expect(records.isEmpty && damage?.reason == "missing segment header")
    }
}

/// A test's stand-in for fsync: the real one, counting syncs and the records each made
/// durable, or failing with EIO while `failing` is set.
final class SyncLog: Sendable {
    let synced = Mutex((syncs: 0, records: 0))
    let answered = Mutex(0)
    let failing = Mutex(false)

    func sync(_ descriptor: Int32, journal directory: String) -> Int32 {
        guard !failing.withLock({ $0 }) else {
            errno = EIO
            return -1
        }
        let result = fsync(descriptor)
        let records = segments(in: directory).last.flatMap { FileManager.default.contents(atPath: directory + "/" + $0) }.map { JournalFormat.read($0).records.count }
        synced.withLock { $0 = ($0.syncs + 1, records ?? 0) }
        return result
    }
}

@Suite("Dead-letter queue")
struct DeadLetterQueueTests {
    @Test("appended events survive a restart and replay exactly once; segments go once committed")
    func survivesRestart() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = (0..<5).map { stored($0) }
        let first = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: ServerMetrics())
        try await first.append(Array(events[0..<2]))
        try await first.append(Array(events[2...]))
        #expect(await first.depth == 5)
        try await first.shutdown()

        let metrics = ServerMetrics()
        let reopened = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: metrics)
        #expect(await reopened.depth == 5)
        try await withRepository(.sqlite) { repository in
            try await repository.insert([events[0]])  // already stored before the outage: not stored twice
            #expect(try await reopened.replay(into: repository) == 5)
            #expect(try await count(repository) == 5)
            #expect(segments(in: directory).isEmpty)
            #expect(try await reopened.replay(into: repository) == 0)
            #expect(try await count(repository) == 5)
        }
        #expect(await reopened.depth == 0)
        let text = exposition(metrics)
        #expect(text.contains("datastorage_dlq_replayed_total 5") && text.contains("datastorage_dlq_depth 0"))
        try await reopened.shutdown()
    }

    @Test("concurrent appends share fsyncs (group commit; one each with it off), each answered once its record is synced", arguments: [true, false])
    func groupCommit(enabled: Bool) async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = SyncLog()
        let metrics = ServerMetrics()
        let queue = try await DeadLetterQueue(directory: directory, groupCommit: enabled, logger: quiet, metrics: metrics) {
            log.sync($0, journal: directory)
        }
        let writers = 8, appendsEach = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<appendsEach {
                        try await queue.append([stored(writer * appendsEach + index)])
                        // Answered only once synced: never more answers than synced records.
                        let answers = log.answered.withLock { count in
                            count += 1
                            return count
                        }
                        #expect(answers <= log.synced.withLock { $0.records })
                    }
                }
            }
            try await group.waitForAll()
        }
        let syncs = log.synced.withLock { $0.syncs }
        if enabled {
            #expect(syncs < writers * appendsEach, "8 writers never shared a sync")
        } else {
            #expect(syncs == writers * appendsEach)
        }
        #expect(await queue.depth == writers * appendsEach)
        let text = exposition(metrics)
        #expect(text.contains("datastorage_dlq_syncs_total \(syncs)") && text.contains("datastorage_dlq_enqueued_total \(writers * appendsEach)"))
        try await queue.shutdown()
        #expect(try await depthAfterRestart(directory) == writers * appendsEach, "every record readable")
    }

    @Test("a failed sync fails every append of its group and leaves the journal as it was")
    func failedSync() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = SyncLog()
        let queue = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: ServerMetrics()) { log.sync($0, journal: directory) }
        try await queue.append([stored(0)])
        log.failing.withLock { $0 = true }
        await withTaskGroup(of: Bool.self) { group in
            for index in 1...4 {
                group.addTask { (try? await queue.append([stored(index)])) == nil }
            }
            for await refused in group { #expect(refused) }
        }
        #expect(await queue.depth == 1)
        log.failing.withLock { $0 = false }
        try await queue.append([stored(5)])
        try await queue.shutdown()
        #expect(try await depthAfterRestart(directory) == 2, "the failed records were cut off; the ones before and after read back")
    }

    @Test("a torn tail is skipped with the damage counted; the intact records are replayed")
    func tornTail() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = (0..<3).map { stored($0) }
        let writer = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: ServerMetrics())
        for event in events { try await writer.append([event]) }
        try await writer.shutdown()
        let file = directory + "/" + segments(in: directory)[0]
        let handle = try #require(FileHandle(forUpdatingAtPath: file))
        try handle.truncate(atOffset: try handle.seekToEnd() - 7)  // a crash mid-write of the third record
        try handle.close()

        let metrics = ServerMetrics()
        let queue = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: metrics)
        #expect(await queue.depth == 2)
        try await withRepository(.sqlite) { repository in
            #expect(try await queue.replay(into: repository) == 2)
            let ids = try await repository.query(AuditQuery()).events.map(\.eventID)
            #expect(Set(ids) == Set(events[0..<2].map(\.eventID)))
        }
        #expect(exposition(metrics).contains("datastorage_dlq_damaged_segments_total 1"))
        #expect(segments(in: directory).isEmpty)
        try await queue.shutdown()
    }

    @Test("a record the database refuses outright is set aside in a rejected file; the rest replays")
    func refusedRecord() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = (0..<3).map { stored($0) }
        let metrics = ServerMetrics()
        let queue = try await DeadLetterQueue(directory: directory, logger: quiet, metrics: metrics)
        for event in events { try await queue.append([event]) }
        try await withRepository(.sqlite) { (base: any AuditRepository) async throws in
            let repository = SwitchableRepository(base)
            repository.refused = [events[1].eventID]
            #expect(try await queue.replay(into: repository) == 2)
            #expect(Set(try await base.query(AuditQuery()).events.map(\.eventID)) == [events[0].eventID, events[2].eventID])
        }
        #expect(await queue.depth == 0)
        let rejected = try #require(FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasPrefix("rejected-") })
        let (records, damage) = JournalFormat.read(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + rejected)))
        #expect(damage == nil && records.count == 1)
        #expect(try JSONDecoder().decode([StoredAuditEvent].self, from: records[0].payload).map(\.eventID) == [events[1].eventID])
        #expect(exposition(metrics).contains("datastorage_dlq_rejected_total 1"))
        try await queue.shutdown()
    }

    @Test("replay stops at a failed insert, keeps the segment, and resumes where it stopped")
    func resumes() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = (0..<4).map { stored($0) }
        // One record a segment, so that replay crosses segment boundaries.
        let queue = try await DeadLetterQueue(directory: directory, segmentBytes: 1, logger: quiet, metrics: ServerMetrics())
        for event in events { try await queue.append([event]) }
        #expect(segments(in: directory).count == 4)
        try await withRepository(.sqlite) { (base: any AuditRepository) async throws in
            let repository = SwitchableRepository(base)
            repository.isDown = true
            await #expect(throws: SwitchableRepository.Unavailable.self) { try await queue.replay(into: repository) }
            #expect(await queue.depth == 4 && segments(in: directory).count == 4)
            repository.isDown = false
            #expect(try await queue.replay(into: repository) == 4)
            #expect(try await count(base) == 4)
        }
        #expect(segments(in: directory).isEmpty)
        try await queue.shutdown()
    }
}

func metricsText(_ url: URL) async throws -> String {
    let response = try await AsyncHTTPClientTransport().send(HTTPRequest(method: .get, path: "/metrics"), serverURL: url, operationID: "raw")
    return String(decoding: response.body ?? Data(), as: UTF8.self)
}

@Suite("Server fallback to the dead-letter queue", .serialized)
struct ServerDeadLetterTests {
    @Test("database down: 202 for events and batches, journalled, then replayed once it answers")
    func fallbackAndReplay() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        var configuration = ServerConfiguration(port: 0, deadLetterDirectory: directory)
        configuration.deadLetterReplayInterval = .seconds(1)
        try await withRepository(.sqlite) { base in
            let repository = SwitchableRepository(base)
            try await serve(repository, configuration, clock: clock) { client, url in
                await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(1)))  // the replayer is waiting
                repository.isDown = true
                let single = event(0)
                guard case .accepted(let accepted) = try await client.createAuditEvent(body: single) else {
                    Issue.record("expected 202 for a single event")
                    return
                }
                #expect(accepted.status == "accepted" && accepted.count == nil)
                let batch = (1...4).map { event($0) }
                guard case .accepted(let batchAccepted) = try await client.createAuditEventsBatch(body: batch) else {
                    Issue.record("expected 202 for a batch")
                    return
                }
                #expect(batchAccepted.count == 4)
                #expect(segments(in: directory).count == 1)
                #expect(try await count(base) == 0)
                var text = try await metricsText(url)
                #expect(text.contains("datastorage_dlq_depth 5") && text.contains("datastorage_dlq_enqueued_total 5"))
                #expect(text.contains(#"datastorage_http_requests_total{status="202"} 2"#))
                #expect(try await client.checkReadiness().statusCode == 503)

                // Still down at the next look: nothing moves.
                clock.advance(by: .seconds(1))
                await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(1)))
                #expect(try await count(base) == 0)

                repository.isDown = false
                clock.advance(by: .seconds(1))
                await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(1)))
                let ids = try await base.query(AuditQuery()).events.map(\.eventID)
                #expect(ids.count == 5 && Set(ids) == Set(([single] + batch).compactMap(\.eventID)))
                #expect(segments(in: directory).isEmpty)
                text = try await metricsText(url)
                #expect(text.contains("datastorage_dlq_depth 0") && text.contains("datastorage_dlq_replayed_total 5"))
                // The client retrying a 202'd batch (which it must not, but might) stores nothing twice.
                #expect(try await client.createAuditEventsBatch(body: batch).statusCode == 201)
                #expect(try await count(base) == 5)
            }
        }
    }

    @Test("events the database refuses outright get 400, and are not journalled")
    func refusedByDatabase() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withRepository(.sqlite) { base in
            let repository = SwitchableRepository(base)
            try await serve(repository, ServerConfiguration(port: 0, deadLetterDirectory: directory)) { client, _ in
                let refused = event(0)
                repository.refused = [refused.eventID!]
                guard case .badRequest(let problem) = try await client.createAuditEvent(body: refused) else {
                    Issue.record("expected 400")
                    return
                }
                #expect(problem.type.hasSuffix("rejected-by-database"))
                #expect(segments(in: directory).isEmpty)
            }
        }
    }

    @Test("500 only when the database and the queue both fail, and without a queue")
    func bothFail() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for queue in [directory, nil] {
            try await withRepository(.sqlite) { base in
                let repository = SwitchableRepository(base)
                try await serve(repository, ServerConfiguration(port: 0, deadLetterDirectory: queue)) { client, _ in
                    repository.isDown = true
                    if let queue {
                        // The journal's directory becomes a file: the queue cannot write either.
                        try FileManager.default.removeItem(atPath: queue)
                        try Data().write(to: URL(fileURLWithPath: queue))
                    }
                    guard case .internalServerError(let problem) = try await client.createAuditEvent(body: event(0)) else {
                        Issue.record("expected 500")
                        return
                    }
                    #expect(problem.type.hasSuffix("storage-unavailable") && problem.status == 500)
                }
            }
        }
    }

    @Test("graceful shutdown: /readyz says shutting_down, the request in flight completes, the queue is flushed")
    func gracefulShutdown() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        var configuration = ServerConfiguration(port: 0, deadLetterDirectory: directory, shutdownDrainDelay: .seconds(5))
        configuration.deadLetterReplayInterval = .seconds(60)
        try await withRepository(.sqlite) { base in
            let repository = SwitchableRepository(base)
            let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
            let server = try await DataStorageService(configuration: configuration, repository: repository, logger: quiet, clock: clock) {
                portContinuation.yield($0)
            }
            let group = ServiceGroup(services: [server], gracefulShutdownSignals: [], cancellationSignals: [], logger: quiet)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let url = URL(string: "http://127.0.0.1:\(await iterator.next()!)")!
                let client = Client(serverURL: url, transport: AsyncHTTPClientTransport())

                // One event goes to the journal while the database is down; it comes back.
                repository.isDown = true
                let journalled = event(0)
                #expect(try await client.createAuditEvent(body: journalled).statusCode == 202)
                repository.isDown = false

                repository.hold()
                let inFlight = Task { try await client.createAuditEvent(body: event(1)).statusCode }
                await repository.waitForHeldInsert()
                await group.triggerGracefulShutdown()
                await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(5)))
                guard case .serviceUnavailable(let readiness) = try await client.checkReadiness() else {
                    Issue.record("expected 503 while draining")
                    return
                }
                #expect(readiness.reason == "shutting_down")

                clock.advance(by: .seconds(5))
                repository.release()
                #expect(try await inFlight.value == 201)
                try await tasks.waitForAll()
            }
            // Both the request in flight and the journalled event were stored before the end.
            #expect(try await count(base) == 2)
            #expect(segments(in: directory).isEmpty)
        }
    }
}
