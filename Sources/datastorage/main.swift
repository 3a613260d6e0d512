import ArgumentParser
import DataStorageServer
import Foundation
import Logging
import ServiceLifecycle

/// `datastorage`: the DataStorage reference server.
@main
struct DataStorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datastorage", abstract: "Serves the audit API of openapi/datastorage.yaml over SQLite or PostgreSQL.")

    @Option(help: "Address to listen on (env DATASTORAGE_HOST).")
    var host = ProcessInfo.processInfo.environment["DATASTORAGE_HOST"] ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (env DATASTORAGE_PORT).")
    var port = Int(ProcessInfo.processInfo.environment["DATASTORAGE_PORT"] ?? "") ?? 8080

    @Option(help: "sqlite:PATH or postgres://user[:password]@host[:port]/database (env DATASTORAGE_STORAGE).")
    var storage = ProcessInfo.processInfo.environment["DATASTORAGE_STORAGE"] ?? "sqlite:./datastorage.sqlite"

    @Option(help: "Largest request body in bytes, clamped to 1–50 MiB (env DATASTORAGE_MAX_BODY_BYTES).")
    var maxBodyBytes = Int(ProcessInfo.processInfo.environment["DATASTORAGE_MAX_BODY_BYTES"] ?? "") ?? 5 * 1024 * 1024

    @Option(help: "Largest batch (env DATASTORAGE_MAX_BATCH).")
    var maxBatch = Int(ProcessInfo.processInfo.environment["DATASTORAGE_MAX_BATCH"] ?? "") ?? 1000

    @Option(help: "Directory of the durable dead-letter journal (env DATASTORAGE_DLQ_DIR).")
    var dlqDir = ProcessInfo.processInfo.environment["DATASTORAGE_DLQ_DIR"] ?? "./datastorage-dlq"

    @Option(help: "Seconds /readyz answers 503 before shutdown stops accepting requests (env DATASTORAGE_DRAIN_SECONDS).")
    var drainSeconds = Double(ProcessInfo.processInfo.environment["DATASTORAGE_DRAIN_SECONDS"] ?? "") ?? 5

    @Option(help: "A file of accepted bearer tokens, one per line; the operations the contract secures (the audit endpoints) then need one (env DATASTORAGE_AUTH_TOKEN_FILE).")
    var authTokenFile: String?

    func validate() throws {
        guard storage.hasPrefix("sqlite:") || storage.hasPrefix("postgres://") || storage.hasPrefix("postgresql://") else {
            throw ValidationError("--storage must be sqlite:PATH or postgres://user@host:port/database")
        }
        guard drainSeconds.isFinite, drainSeconds >= 0 else { throw ValidationError("--drain-seconds must be 0 or more") }
    }

    func run() async throws {
        let logger = Logger(label: "datastorage")
        do {
            try await serve(logger: logger)
        } catch {
            // Some libraries keep the cause out of `description` (PostgresNIO's PSQLError says
            // only "Generic description to prevent accidental leakage of sensitive data"); an
            // operator needs it, so the failure is printed as the error reflects itself.
            logger.critical("datastorage stopped", metadata: ["error": "\(String(reflecting: error))"])
            throw ExitCode.failure
        }
    }

    private func serve(logger: Logger) async throws {
        let repository: any AuditRepository
        var services: [any Service] = []
        if storage.hasPrefix("sqlite:") {
            repository = try await SQLiteAuditRepository.open(path: String(storage.dropFirst("sqlite:".count)), logger: logger)
        } else {
            let postgres = try PostgresAuditRepository(url: storage, logger: logger)
            services.append(postgres)
            repository = postgres
        }
        let configuration = ServerConfiguration(
            host: host, port: port, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch,
            authTokenFile: authTokenFile ?? ProcessInfo.processInfo.environment["DATASTORAGE_AUTH_TOKEN_FILE"],
            deadLetterDirectory: dlqDir, shutdownDrainDelay: .milliseconds(Int64(drainSeconds * 1000)))
        let server = try await DataStorageService(configuration: configuration, repository: repository, logger: logger) { port in
            logger.info("datastorage listening", metadata: ["port": "\(port)"])
        }
        // The repository's pool starts first and stops last, after the server has drained.
        let group = ServiceGroup(
            configuration: .init(services: (services + [server]).map { .init(service: $0) },
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try await (repository as? SQLiteAuditRepository)?.close()
    }
}
