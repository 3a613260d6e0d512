@testable import Audit
@testable import DataStorageServer
import Foundation
import AsyncHTTPClient
import Logging
import NIOPosix
import OpenAPICodegenAsyncHTTPClient
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// The repository root, for scripts and built executables.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

/// Starts a process with its output going to `output`, an open descriptor (or a file when nil).
///
/// posix_spawn rather than Foundation's `Process`, whose exit monitoring never saw
/// `pg_ctl start` finish (the server it leaves running inherits the session).
func spawnProcess(_ executable: String, _ arguments: [String], outputFile: String? = nil, outputDescriptor: Int32? = nil) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let outputFile {
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    } else if let outputDescriptor {
        posix_spawn_file_actions_adddup2(&actions, outputDescriptor, 1)
    }
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else { throw CommandFailed(description: "cannot run \(executable): \(String(cString: strerror(spawned)))") }
    return pid
}

/// The wait status of a process once it exits.
@discardableResult
func waitForExit(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    return status
}

/// Runs a command to completion; throws with its output when it fails. The output goes to
/// a file: a pipe would stay open in a server the command starts, and never reach its end.
func runCommand(_ executable: String, _ arguments: [String]) throws {
    let log = FileManager.default.temporaryDirectory.appending(path: "command-\(UUID().uuidString).log").path
    defer { unlink(log) }
    let status = waitForExit(try spawnProcess(executable, arguments, outputFile: log))
    guard status == 0 else {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw CommandFailed(description: "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status)): \(text)")
    }
}

/// The `datastorage` executable as a child process, for faults only a process can have.
final class DataStorageProcess {
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "datastorage").path

    let arguments: [String]
    private(set) var pid: pid_t = 0
    /// The server's output: "" once it listens, then all of it when it exits.
    private var outputs: AsyncStream<String>?

    init(arguments: [String]) { self.arguments = arguments }

    /// Starts the server and returns once it listens (it logs so), by reading its output.
    func start() async throws {
        try launch()
        try await waitUntilListening()
    }

    /// Returns once the launched server listens; throws with its output if it exits first.
    func waitUntilListening() async throws {
        var iterator = outputs?.makeAsyncIterator()
        if let failure = await iterator?.next(), !failure.isEmpty {
            throw CommandFailed(description: "datastorage exited before listening: \(failure)")
        }
    }

    /// Starts the server without waiting for it, so that several can start at the same moment.
    func launch() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw CommandFailed(description: "\(Self.executable) is missing: build it first (scripts/test runs swift build --build-tests)")
        }
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw CommandFailed(description: "pipe: \(errno)") }
        pid = try spawnProcess(Self.executable, arguments, outputDescriptor: descriptors[1])
        close(descriptors[1])
        let output = FileHandle(fileDescriptor: descriptors[0], closeOnDealloc: true)
        // Read the output until the server exits (closing the pipe early would kill it with
        // SIGPIPE at its next log line), and report whether it ever said it listens.
        let (lines, continuation) = AsyncStream.makeStream(of: String.self)
        Thread.detachNewThread {
            var text = ""
            var listening = false
            while case let chunk = output.availableData, !chunk.isEmpty {  // blocks until output or exit
                text += String(decoding: chunk, as: UTF8.self)
                if !listening, text.contains("datastorage listening") {
                    listening = true
                    continuation.yield("")
                }
            }
            continuation.yield(text)
            continuation.finish()
        }
        outputs = lines
    }

    /// SIGKILL: no graceful shutdown, requests in flight are cut.
    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        waitForExit(pid)
    }

    /// SIGTERM: graceful shutdown; returns its wait status, or nil when it was still running
    /// 20 s later (it is then killed).
    func terminate() async -> Int32? {
        _ = Glibc.kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<400 {
            if waitpid(pid, &status, WNOHANG) == pid { return status }
            try? await Task.sleep(for: .milliseconds(50))  // a child's exit has no async signal to await
        }
        kill()
        return nil
    }
}

/// A port nothing listens on right now.
func freePort() throws -> Int {
    let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A PostgreSQL cluster of one test's own (through `scripts/pg-cluster`), so that stopping
/// it disturbs no other test.
struct PrivateCluster {
    let directory = FileManager.default.temporaryDirectory.appending(path: "pg-\(UUID().uuidString.prefix(8))").path
    let port: Int
    private let script = packageRoot.appending(path: "scripts/pg-cluster").path

    init() throws { port = try freePort() }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    func start() throws { try runCommand(script, ["start", directory, String(port)]) }
    func stop() throws { try runCommand(script, ["stop", directory]) }
    func destroy() { try? runCommand(script, ["destroy", directory]) }
}

/// Every stored event, page by page.
func allEvents(_ repository: any AuditRepository) async throws -> [StoredAuditEvent] {
    var query = AuditQuery()
    query.limit = 1000
    var events: [StoredAuditEvent] = []
    while true {
        let page = try await repository.query(query)
        events += page.events
        query.offset += page.events.count
        if page.events.isEmpty || query.offset >= page.total { return events }
    }
}

private let quiet = Logger(label: "fault-test") { _ in SwiftLogNoOpLogHandler() }

@Suite("Faults", .serialized)
struct FaultTests {
    @Test("PostgreSQL stopped mid-stream: 202s, the journal grows, it drains after the restart, and the count is exact")
    func databaseStopped() async throws {
        let cluster = try PrivateCluster()
        defer { cluster.destroy() }
        try cluster.start()
        let journal = FileManager.default.temporaryDirectory.appending(path: "dlq-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: journal) }
        // Short enough that the outage is quick to meet, long enough that an insert on a machine
        // busy with the rest of the suite (a cold consumer build) is not taken for one: with 1 s,
        // first-phase batches were journalled under load and the phase counts went wrong; with
        // 3 s too, once concurrent batches of the same 40 chains waited for each other's chain
        // locks (200 of the first 1000 events journalled in a CI run).
        let repository = try PostgresAuditRepository(url: cluster.url, logger: quiet, operationTimeout: .seconds(8))
        let clock = ManualClock()
        var configuration = ServerConfiguration(port: 0, deadLetterDirectory: journal)
        configuration.deadLetterReplayInterval = .seconds(1)
        let phase = 1000
        let sent = (0..<(3 * phase)).map { event($0, correlationID: "rr-\($0 % 40)") }

        try await withThrowingTaskGroup(of: Void.self) { pool in
            pool.addTask { try await repository.run() }
            defer { pool.cancelAll() }
            try await serve(repository, configuration, clock: clock) { client, url in
                let store = try BufferedStore(
                    client: client, config: AuditConfig(batchSize: 100, flushInterval: .milliseconds(20), retryBaseDelay: .milliseconds(50), flushTimeout: .seconds(300)),
                    service: "gateway", logger: quiet)
                try await withThrowingTaskGroup(of: Void.self) { writer in
                    writer.addTask { try await store.run() }
                    for event in sent[0..<phase] { try store.store(event) }
                    try await store.flush()
                    #expect(try await count(repository) == phase)

                    try cluster.stop()
                    for event in sent[phase..<(2 * phase)] { try store.store(event) }
                    try await store.flush()
                    let journalled = try await metricsText(url)
                    #expect(journalled.contains("datastorage_dlq_depth \(phase)"), "the whole middle phase is in the journal")
                    #expect(journalled.contains(#"datastorage_http_requests_total{status="202"}"#))

                    try cluster.start()
                    for event in sent[(2 * phase)...] { try store.store(event) }
                    try await store.flush()
                    try await store.close()
                    try await writer.waitForAll()
                }
                // The replayer looks once a clock second; each look either finds the database or not.
                for _ in 0..<600 {
                    let storedCount = try? await count(repository)
                    if segments(in: journal).isEmpty, storedCount == sent.count { break }
                    clock.advance(by: .seconds(1))
                    await clock.waitForSleeper(until: clock.now.advanced(by: .seconds(1)))
                }
                let stored = try await allEvents(repository)
                #expect(stored.count == sent.count)
                #expect(Set(stored.map(\.eventID)) == Set(sent.compactMap(\.eventID)))
                #expect(try await metricsText(url).contains("datastorage_dlq_depth 0"))
            }
        }
    }

    @Test("replicas started at the same moment on a fresh PostgreSQL database all start: migrations and partitions take turns")
    func replicasStartTogether() async throws {
        let base = try #require(postgresURL, "run scripts/test, which starts PostgreSQL")
        // Without the lock around partition creation, one of two failed in 3 of 3 tries.
        for _ in 0..<3 {
            let database = "replicas_\(UUID().uuidString.prefix(8).lowercased())"
            try await adminQuery(base, "CREATE DATABASE \(database)")
            let directory = FileManager.default.temporaryDirectory.appending(path: "replicas-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let replicas = try (0..<3).map { index in
                DataStorageProcess(arguments: [
                    "--port", String(try freePort()), "--storage", base.replacingOccurrences(of: "/audit_test", with: "/\(database)"),
                    "--dlq-dir", "\(directory)/\(index)", "--drain-seconds", "0",
                ])
            }
            for replica in replicas { try replica.launch() }
            do {
                for replica in replicas { try await replica.waitUntilListening() }
            } catch {
                for replica in replicas { replica.kill() }  // none is left running when one failed
                throw error
            }
            for replica in replicas { #expect(await replica.terminate() == 0) }
            try await adminQuery(base, "DROP DATABASE \(database) WITH (FORCE)")
        }
    }

    @Test("two replicas on one PostgreSQL, batches spread over both, one SIGKILLed with a batch in flight: every event stored exactly once, in one unbroken hash chain per correlation_id")
    func replicaKilledMidStream() async throws {
        let base = try #require(postgresURL, "run scripts/test, which starts PostgreSQL")
        let database = "spread_\(UUID().uuidString.prefix(8).lowercased())"
        try await adminQuery(base, "CREATE DATABASE \(database)")
        let storage = base.replacingOccurrences(of: "/audit_test", with: "/\(database)")
        let directory = FileManager.default.temporaryDirectory.appending(path: "spread-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ports = [try freePort(), try freePort()]
        let replicas = ports.enumerated().map { index, port in
            DataStorageProcess(arguments: ["--port", String(port), "--storage", storage, "--dlq-dir", "\(directory)/\(index)", "--drain-seconds", "0"])
        }
        for replica in replicas { try replica.launch() }
        for replica in replicas { try await replica.waitUntilListening() }

        // A load balancer's part: batches go to the replicas in turn, and one a replica fails
        // to answer goes to the other, which then gets them all. The twentieth request to the
        // first replica is sent and, while it is in flight, that replica is killed: it may have
        // committed the batch or not.
        let urls = ports.map { URL(string: "http://127.0.0.1:\($0)")! }
        let victim = replicas[0].pid
        let requests = Atomic<Int>(0)
        let down = Mutex<Set<URL>>([])
        let httpClient = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: AsyncHTTPClientTransport.failFastConfiguration())
        let http = AsyncHTTPClientTransport(client: httpClient)
        let spread = InMemoryTransport { request, _ in
            let number = requests.add(1, ordering: .relaxed).newValue
            var lastError: (any Error)?
            for offset in 0..<urls.count {
                let url = urls[(number + offset) % urls.count]
                if down.withLock({ $0.contains(url) }) { continue }
                do {
                    if number == 40, url == urls[0] {
                        async let answer = http.send(request, serverURL: url, operationID: "spread")
                        _ = Glibc.kill(victim, SIGKILL)
                        return try await answer
                    }
                    return try await http.send(request, serverURL: url, operationID: "spread")
                } catch {
                    // The store gave up on this attempt (its attemptTimeout): the replica is slow, not down.
                    if Task.isCancelled { throw error }
                    down.withLock { _ = $0.insert(url) }
                    lastError = error
                }
            }
            throw lastError ?? CommandFailed(description: "no replica")
        }
        let config = AuditConfig(batchSize: 50, flushInterval: .milliseconds(20), maxRetries: 8, retryBaseDelay: .milliseconds(100), attemptTimeout: .seconds(5), flushTimeout: .seconds(300))
        let store = try BufferedStore(client: Client(serverURL: urls[0], transport: spread), config: config, service: "gateway", logger: quiet)
        let sent = (0..<4000).map { event($0, correlationID: "rr-\($0 % 40)") }
        do {
            try await withThrowingTaskGroup(of: Void.self) { writer in
                writer.addTask { try await store.run() }
                for event in sent { try store.store(event) }
                try await store.flush()
                try await store.close()
                try await writer.waitForAll()
            }
        } catch {
            for replica in replicas { replica.kill() }  // none is left running when the test fails
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        #expect(waitForExit(victim) & 0x7f == SIGKILL, "the first replica was killed mid-stream")
        #expect(down.withLock { $0 } == [urls[0]])
        #expect(requests.load(ordering: .relaxed) >= 40)

        let repository = try PostgresAuditRepository(url: storage, logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { pool in
            pool.addTask { try await repository.run() }
            let stored = try await allEvents(repository)
            #expect(stored.count == sent.count, "each event once")
            #expect(Set(stored.map(\.eventID)) == Set(sent.compactMap(\.eventID)))
            // Both replicas linked into the same chains: each one whole, each event in it once.
            let (chained, findings) = try await chainFindings(repository, Set(stored.map(\.correlationID)))
            #expect(chained == sent.count && findings.isEmpty, "\(findings)")
            pool.cancelAll()
        }
        #expect(await replicas[1].terminate() == 0)
        try await adminQuery(base, "DROP DATABASE \(database) WITH (FORCE)")
    }

    @Test("a start-up failure prints its real cause, not a library's generic line")
    func startupFailureNamesItsCause() async throws {
        let base = try #require(postgresURL, "run scripts/test, which starts PostgreSQL")
        // A table of the same name that is not partitioned: the migration's first partition fails.
        let database = "unmigratable_\(UUID().uuidString.prefix(8).lowercased())"
        try await adminQuery(base, "CREATE DATABASE \(database)")
        try await adminQuery(base, "CREATE TABLE audit_events (event_id UUID)", database: database)
        let directory = FileManager.default.temporaryDirectory.appending(path: "unmigratable-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = DataStorageProcess(arguments: [
            "--port", String(try freePort()), "--storage", base.replacingOccurrences(of: "/audit_test", with: "/\(database)"),
            "--dlq-dir", directory, "--drain-seconds", "0",
        ])
        try server.launch()
        do {
            try await server.waitUntilListening()
            server.kill()
            Issue.record("datastorage started on a database it cannot migrate")
        } catch {
            // PostgreSQL's own words, which PSQLError's description hides.
            #expect("\(error)".contains(#"message: "audit_events" is not partitioned"#), "\(error)")
            server.kill()  // it has exited; this reaps it
        }
        try await adminQuery(base, "DROP DATABASE \(database) WITH (FORCE)")
    }

    @Test("SIGTERM ends datastorage on PostgreSQL gracefully: exit 0, soon")
    func gracefulExitOnPostgres() async throws {
        let base = try #require(postgresURL, "run scripts/test, which starts PostgreSQL")
        let directory = FileManager.default.temporaryDirectory.appending(path: "sigterm-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try freePort()
        let server = DataStorageProcess(arguments: [
            "--port", String(port), "--storage", base, "--dlq-dir", directory, "--drain-seconds", "0",
        ])
        try await server.start()
        let client = Client(serverURL: URL(string: "http://127.0.0.1:\(port)")!, transport: AsyncHTTPClientTransport())
        #expect(try await client.checkReadiness().statusCode == 200)
        #expect(await server.terminate() == 0)
    }

    @Test("the server killed and restarted mid-stream: retries and idempotent IDs give an exact count")
    func serverKilled() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "killed-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try freePort()
        let server = DataStorageProcess(arguments: [
            "--port", String(port), "--storage", "sqlite:\(directory)/audit.sqlite", "--dlq-dir", "\(directory)/dlq", "--drain-seconds", "0",
        ])
        try await server.start()
        let url = URL(string: "http://127.0.0.1:\(port)")!
        let client = Client(serverURL: url, transport: AsyncHTTPClientTransport())
        // Retries spread over about 20 s, far more than a restart takes.
        let config = AuditConfig(batchSize: 200, flushInterval: .milliseconds(20), maxRetries: 8, retryBaseDelay: .milliseconds(100), attemptTimeout: .seconds(5), flushTimeout: .seconds(300))
        let store = try BufferedStore(client: client, config: config, service: "gateway", logger: quiet)
        let sent = (0..<4000).map { event($0, correlationID: "rr-\($0 % 40)") }
        try await withThrowingTaskGroup(of: Void.self) { writer in
            writer.addTask { try await store.run() }
            for event in sent[0..<2000] { try store.store(event) }
            server.kill()  // batches of the first half are in flight or queued
            try await server.start()
            for event in sent[2000...] { try store.store(event) }
            try await store.flush()
            try await store.close()
            try await writer.waitForAll()
        }
        var received: [StoredAuditEvent] = []
        while true {
            guard case .ok(let page) = try await client.queryAuditEvents(limit: 1000, offset: received.count), !page.data.isEmpty else { break }
            received += page.data
        }
        #expect(await server.terminate() == 0)
        #expect(received.count == sent.count)
        #expect(Set(received.map(\.eventID)) == Set(sent.compactMap(\.eventID)))
    }
}
