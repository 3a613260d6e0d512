import ArgumentParser
import AsyncHTTPClient
import AuditIntegrity
import Crypto
import DataStorageClient
import DataStorageServer
import Foundation
import Logging
import OpenAPICodegenAsyncHTTPClient
import OpenAPICodegenRuntime
import ServiceLifecycle

/// `datastorage`: the DataStorage reference server, and the tools around its audit trail.
@main
struct DataStorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datastorage", abstract: "The DataStorage reference server and its trail verifier.",
        subcommands: [Serve.self, Verify.self, KeyGen.self], defaultSubcommand: Serve.self)
}

/// `datastorage [serve]`: serves the audit API.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serves the audit API of openapi/datastorage.yaml over SQLite or PostgreSQL.")

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

    @Option(help: "The Ed25519 private key (PEM, PKCS #8) that signs checkpoints; without it nothing seals the hash chains (env DATASTORAGE_CHECKPOINT_KEY).")
    var checkpointKey: String?

    @Option(help: "Seconds between checkpoints (env DATASTORAGE_CHECKPOINT_INTERVAL).")
    var checkpointInterval = Double(ProcessInfo.processInfo.environment["DATASTORAGE_CHECKPOINT_INTERVAL"] ?? "") ?? 300

    @Option(help: "Seconds between retention runs, which delete events past their retention_days (env DATASTORAGE_RETENTION_INTERVAL).")
    var retentionInterval = Double(ProcessInfo.processInfo.environment["DATASTORAGE_RETENTION_INTERVAL"] ?? "") ?? 3600

    @Option(help: "CATEGORY=DAYS: keep that event_category's events at least DAYS days whatever their retention_days; repeatable (env DATASTORAGE_RETENTION_FLOORS, comma-separated).")
    var retentionFloor: [String] = ProcessInfo.processInfo.environment["DATASTORAGE_RETENTION_FLOORS"].map { $0.split(separator: ",").map(String.init) } ?? []

    /// ``retentionFloor`` by category.
    var retentionFloors: [String: Int] {
        get throws {
            var floors: [String: Int] = [:]
            for floor in retentionFloor {
                let parts = floor.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, let days = Int(parts[1]), (1...2555).contains(days) else {
                    throw ValidationError("--retention-floor '\(floor)' is not CATEGORY=DAYS with DAYS from 1 to 2555")
                }
                guard floors.updateValue(days, forKey: parts[0]) == nil else {
                    throw ValidationError("--retention-floor names category '\(parts[0])' twice")
                }
            }
            return floors
        }
    }

    func validate() throws {
        guard retentionInterval.isFinite, retentionInterval > 0 else { throw ValidationError("--retention-interval must be more than 0") }
        _ = try retentionFloors
        guard storage.hasPrefix("sqlite:") || storage.hasPrefix("postgres://") || storage.hasPrefix("postgresql://") else {
            throw ValidationError("--storage must be sqlite:PATH or postgres://user@host:port/database")
        }
        guard drainSeconds.isFinite, drainSeconds >= 0 else { throw ValidationError("--drain-seconds must be 0 or more") }
        guard checkpointInterval.isFinite, checkpointInterval > 0 else { throw ValidationError("--checkpoint-interval must be more than 0") }
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
        // The key first: a configured key that cannot be read stops the start, never an unsigned trail.
        let signer = try (checkpointKey ?? ProcessInfo.processInfo.environment["DATASTORAGE_CHECKPOINT_KEY"]).map { path throws(KeyFileError) in
            try CheckpointSigner(privateKeyFile: path)
        }
        let repository: any AuditRepository
        var services: [any Service] = []
        if storage.hasPrefix("sqlite:") {
            repository = try await SQLiteAuditRepository.open(path: String(storage.dropFirst("sqlite:".count)), logger: logger)
        } else {
            let postgres = try PostgresAuditRepository(url: storage, logger: logger)
            services.append(postgres)
            repository = postgres
        }
        var configuration = ServerConfiguration(
            host: host, port: port, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch,
            authTokenFile: authTokenFile ?? ProcessInfo.processInfo.environment["DATASTORAGE_AUTH_TOKEN_FILE"],
            deadLetterDirectory: dlqDir, shutdownDrainDelay: .milliseconds(Int64(drainSeconds * 1000)))
        configuration.checkpointSigner = signer
        configuration.checkpointInterval = .milliseconds(Int64(checkpointInterval * 1000))
        configuration.retentionInterval = .milliseconds(Int64(retentionInterval * 1000))
        configuration.retentionPolicy = RetentionPolicy(categoryFloors: try retentionFloors)
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

/// `datastorage verify`: checks a server's trail with its public key alone.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verifies a DataStorage server's audit trail (checkpoint signatures, chain heads, every chained event), or an export of it offline.",
        discussion: "Exits 0 when the trail is intact, 1 with each finding when it is not.")

    @Option(help: "The server's Ed25519 public key (PEM, as `openssl pkey -pubout` writes it).")
    var publicKey: String

    @Option(help: "The server's base URL, e.g. http://127.0.0.1:8080: verifies the trail it serves.")
    var url: String?

    @Option(help: "An export's file (GET /api/v1/audit/export): verifies it offline.")
    var export: String?

    @Option(help: "A bearer token, when the server asks for one.")
    var token: String?

    func validate() throws {
        guard (url == nil) != (export == nil) else { throw ValidationError("give either --url or --export") }
    }

    func run() async throws {
        let key = try KeyFile.publicKey(at: publicKey)
        if let export {
            let report = try await ExportVerifier(publicKey: key).verify(exportAt: export)
            return try conclude(report.findings, "\(report.chainsVerified) chains, \(report.eventsVerified) events verified, \(report.eventsNotCovered) not covered by the checkpoint")
        }
        guard let url, let serverURL = URL(string: url), serverURL.scheme != nil else { throw ValidationError("--url must be a URL such as http://127.0.0.1:8080") }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let middlewares: [any ClientMiddleware] = token.map { [BearerTokenMiddleware(token: $0)] } ?? []
        let verifier = TrailVerifier(client: Client(serverURL: serverURL, transport: AsyncHTTPClientTransport(client: http), middlewares: middlewares), publicKey: key)
        let report: TrailReport
        do {
            report = try await verifier.verify()
            try await http.shutdown()
        } catch {
            try? await http.shutdown()
            throw error
        }
        try conclude(report.findings, "\(report.checkpointsVerified) checkpoints, \(report.chainsVerified) chains, \(report.eventsVerified) events verified")
    }

    /// Prints each finding and the summary; exits 1 when there is a finding.
    private func conclude(_ findings: [TrailFinding], _ summary: String) throws {
        for finding in findings { print("FAIL \(finding)") }
        print("\(summary); \(findings.count) findings")
        if !findings.isEmpty { throw ExitCode.failure }
    }
}

/// `datastorage keygen`: writes an Ed25519 key pair for checkpoints.
struct KeyGen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Writes a new Ed25519 key pair in PEM: the private key for --checkpoint-key, the public one for verifiers.")

    @Option(help: "Where to write the private key (created with mode 0600; an existing file is not replaced).")
    var privateKey: String

    @Option(help: "Where to write the public key.")
    var publicKey: String

    func run() async throws {
        let key = Curve25519.Signing.PrivateKey()
        for path in [privateKey, publicKey] where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; it is not replaced")
        }
        guard FileManager.default.createFile(atPath: privateKey, contents: Data(KeyFile.pem(key).utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(privateKey)")
        }
        try Data(KeyFile.pem(key.publicKey).utf8).write(to: URL(fileURLWithPath: publicKey))
        print("key_id \(CheckpointSigner.keyID(of: key.publicKey))")
    }
}
