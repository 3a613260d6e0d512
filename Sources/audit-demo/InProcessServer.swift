import DataStorageClient
import DataStorageServer
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A DataStorage server in this process on a free loopback port, over SQLite in a temporary
/// directory (or PostgreSQL), with its dead-letter journal beside it.
struct InProcessServer: Sendable {
    let url: URL
    /// The storage, which `--chaos` takes away for a while.
    let repository: OutageRepository

    static func with<T: Sendable>(
        storage: String?, logger: Logger, _ body: @Sendable (InProcessServer) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appending(path: "audit-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var services: [any Service] = []
        let base: any AuditRepository
        if let storage {
            let postgres = try PostgresAuditRepository(url: storage, logger: logger)
            services.append(postgres)
            base = postgres
        } else {
            base = try await SQLiteAuditRepository.open(path: directory.appending(path: "audit.sqlite").path, logger: logger)
        }
        let repository = OutageRepository(base)
        var configuration = ServerConfiguration(port: 0, deadLetterDirectory: directory.appending(path: "dlq").path)
        configuration.deadLetterReplayInterval = .milliseconds(250)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = try await DataStorageService(configuration: configuration, repository: repository, logger: logger) {
            portContinuation.yield($0)
        }
        let group = ServiceGroup(services: services + [server], gracefulShutdownSignals: [.sigint, .sigterm], cancellationSignals: [], logger: logger)
        let result = try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result = try await body(InProcessServer(url: URL(string: "http://127.0.0.1:\(port)")!, repository: repository))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
        try await (base as? SQLiteAuditRepository)?.close()
        return result
    }
}

/// A repository that can be made to fail like a database that went away.
final class OutageRepository: AuditRepositoryDecorator {
    struct StorageDown: Error, CustomStringConvertible {
        var description: String { "storage taken away by --chaos" }
    }

    let base: any AuditRepository
    private let down = Atomic(false)

    init(_ base: any AuditRepository) { self.base = base }

    var isDown: Bool {
        get { down.load(ordering: .relaxed) }
        set { down.store(newValue, ordering: .relaxed) }
    }

    func insert(_ events: [StoredAuditEvent]) async throws {
        guard !isDown else { throw StorageDown() }
        try await base.insert(events)
    }

    func ping() async throws {
        guard !isDown else { throw StorageDown() }
        try await base.ping()
    }
}
