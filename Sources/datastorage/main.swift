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
        abstract: "Serves the audit API of openapi/datastorage.yaml over SQLite or PostgreSQL.",
        discussion: "Each setting comes from its flag, else its environment variable, else its default. A value that cannot be read stops the start, naming the flag or variable.")

    @Option(help: "Address to listen on (env DATASTORAGE_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (env DATASTORAGE_PORT; default 8080).")
    var port: Int?

    @Option(help: "sqlite:PATH or postgres://user[:password]@host[:port]/database (env DATASTORAGE_STORAGE; default sqlite:./datastorage.sqlite).")
    var storage: String?

    @Option(help: "Largest request body in bytes, clamped to 1–50 MiB (env DATASTORAGE_MAX_BODY_BYTES; default 5 MiB).")
    var maxBodyBytes: Int?

    @Option(help: "Largest batch (env DATASTORAGE_MAX_BATCH; default 1000).")
    var maxBatch: Int?

    @Option(help: "Directory of the durable dead-letter journal (env DATASTORAGE_DLQ_DIR; default ./datastorage-dlq).")
    var dlqDir: String?

    @Option(help: "Seconds /readyz answers 503 before shutdown stops accepting requests (env DATASTORAGE_DRAIN_SECONDS; default 5).")
    var drainSeconds: Double?

    @Option(help: "A file of accepted bearer tokens, one per line; the operations the contract secures (the audit endpoints) then need one (env DATASTORAGE_AUTH_TOKEN_FILE).")
    var authTokenFile: String?

    @Option(help: "The Ed25519 private key (PEM, PKCS #8) that signs checkpoints; without it nothing seals the hash chains (env DATASTORAGE_CHECKPOINT_KEY).")
    var checkpointKey: String?

    @Option(help: "Seconds between checkpoints (env DATASTORAGE_CHECKPOINT_INTERVAL; default 300).")
    var checkpointInterval: Double?

    @Option(help: "Seconds between retention runs, which delete events past their retention_days (env DATASTORAGE_RETENTION_INTERVAL; default 3600).")
    var retentionInterval: Double?

    @Option(help: "CATEGORY=DAYS: keep that event_category's events at least DAYS days whatever their retention_days; repeatable (env DATASTORAGE_RETENTION_FLOORS, comma-separated).")
    var retentionFloor: [String] = []

    @Flag(help: "Print each setting the server would run with and where it came from, then exit without serving.")
    var checkConfig = false

    /// What `serve` runs with, every setting resolved and checked.
    struct Settings {
        var host: String
        var port: Int
        var storage: String
        var maxBodyBytes: Int
        var maxBatch: Int
        var dlqDir: String
        var drainSeconds: Double
        var authTokenFile: String?
        var checkpointKey: String?
        var checkpointInterval: Double
        var retentionInterval: Double
        var retentionFloors: [String: Int]
        /// One line per setting, `--flag=value (source)`, for `--check-config`.
        var report: [String]
    }

    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        let read = SettingReader(environment: environment)
        let host = try read(self.host, "--host", "DATASTORAGE_HOST", default: "127.0.0.1")
        let port = try read(self.port, "--port", "DATASTORAGE_PORT", default: 8080) { (0...65535).contains($0) ? nil : "must be from 0 to 65535" }
        let storage = try read(self.storage, "--storage", "DATASTORAGE_STORAGE", default: "sqlite:./datastorage.sqlite") {
            value in ["sqlite:", "postgres://", "postgresql://"].contains { value.hasPrefix($0) } ? nil : "must be sqlite:PATH or postgres://user@host:port/database"
        }
        let maxBodyBytes = try read(self.maxBodyBytes, "--max-body-bytes", "DATASTORAGE_MAX_BODY_BYTES", default: 5 * 1024 * 1024)
        let maxBatch = try read(self.maxBatch, "--max-batch", "DATASTORAGE_MAX_BATCH", default: 1000) { $0 >= 1 ? nil : "must be 1 or more" }
        let dlqDir = try read(self.dlqDir, "--dlq-dir", "DATASTORAGE_DLQ_DIR", default: "./datastorage-dlq")
        let drainSeconds = try read(self.drainSeconds, "--drain-seconds", "DATASTORAGE_DRAIN_SECONDS", default: 5) {
            $0.isFinite && $0 >= 0 ? nil : "must be 0 or more"
        }
        let authTokenFile = try read(self.authTokenFile, "--auth-token-file", "DATASTORAGE_AUTH_TOKEN_FILE")
        let checkpointKey = try read(self.checkpointKey, "--checkpoint-key", "DATASTORAGE_CHECKPOINT_KEY")
        let positive: (Double) -> String? = { $0.isFinite && $0 > 0 ? nil : "must be more than 0" }
        let checkpointInterval = try read(self.checkpointInterval, "--checkpoint-interval", "DATASTORAGE_CHECKPOINT_INTERVAL", default: 300, check: positive)
        let retentionInterval = try read(self.retentionInterval, "--retention-interval", "DATASTORAGE_RETENTION_INTERVAL", default: 3600, check: positive)
        let floors = try read(
            retentionFloor.isEmpty ? nil : retentionFloor.joined(separator: ","), "--retention-floor", "DATASTORAGE_RETENTION_FLOORS", default: ""
        ) { Self.retentionFloors($0).refusal }
        return Settings(
            host: host, port: port, storage: storage, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch, dlqDir: dlqDir,
            drainSeconds: drainSeconds, authTokenFile: authTokenFile, checkpointKey: checkpointKey,
            checkpointInterval: checkpointInterval, retentionInterval: retentionInterval,
            retentionFloors: Self.retentionFloors(floors).floors, report: read.report)
    }

    /// `CATEGORY=DAYS` items, comma-separated (the flag's values are joined so), by category;
    /// `refusal` says why they cannot be read.
    static func retentionFloors(_ text: String) -> (floors: [String: Int], refusal: String?) {
        var floors: [String: Int] = [:]
        for floor in text.split(separator: ",") {
            let parts = floor.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let days = Int(parts[1]), (1...2555).contains(days) else {
                let rule = "CATEGORY=DAYS with DAYS from 1 to 2555"
                return (floors, floor == text ? "is not \(rule)" : "holds '\(floor)', which is not \(rule)")
            }
            guard floors.updateValue(days, forKey: parts[0]) == nil else { return (floors, "names category '\(parts[0])' twice") }
        }
        return (floors, nil)
    }

    func validate() throws {
        _ = try settings()
    }

    func run() async throws {
        let settings = try settings()
        if checkConfig {
            print(settings.report.joined(separator: "\n"))
            return
        }
        let logger = Logger(label: "datastorage")
        do {
            try await serve(settings, logger: logger)
        } catch {
            // Some libraries keep the cause out of `description` (PostgresNIO's PSQLError says
            // only "Generic description to prevent accidental leakage of sensitive data"); an
            // operator needs it, so the failure is printed as the error reflects itself.
            logger.critical("datastorage stopped", metadata: ["error": "\(String(reflecting: error))"])
            throw ExitCode.failure
        }
    }

    private func serve(_ settings: Settings, logger: Logger) async throws {
        // The key first: a configured key that cannot be read stops the start, never an unsigned trail.
        let signer = try settings.checkpointKey.map { path throws(KeyFileError) in try CheckpointSigner(privateKeyFile: path) }
        let repository: any AuditRepository
        var services: [any Service] = []
        if settings.storage.hasPrefix("sqlite:") {
            repository = try await SQLiteAuditRepository.open(path: String(settings.storage.dropFirst("sqlite:".count)), logger: logger)
        } else {
            let postgres = try PostgresAuditRepository(url: settings.storage, logger: logger)
            services.append(postgres)
            repository = postgres
        }
        var configuration = ServerConfiguration(
            host: settings.host, port: settings.port, maxBodyBytes: settings.maxBodyBytes, maxBatch: settings.maxBatch,
            authTokenFile: settings.authTokenFile, deadLetterDirectory: settings.dlqDir,
            shutdownDrainDelay: .milliseconds(Int64(settings.drainSeconds * 1000)))
        configuration.checkpointSigner = signer
        configuration.checkpointInterval = .milliseconds(Int64(settings.checkpointInterval * 1000))
        configuration.retentionInterval = .milliseconds(Int64(settings.retentionInterval * 1000))
        configuration.retentionPolicy = RetentionPolicy(categoryFloors: settings.retentionFloors)
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

/// Resolves a setting from its flag, else its environment variable, else its default, and
/// records where each came from. A variable is read as its flag would be: one that cannot be
/// read stops the start, naming it, rather than falling back to the default.
final class SettingReader {
    let environment: [String: String]
    private(set) var report: [String] = []

    init(environment: [String: String]) { self.environment = environment }

    /// A setting with a default; `check` returns why a value is refused, or nil.
    func callAsFunction<Value: ExpressibleByArgument & CustomStringConvertible>(
        _ flag: Value?, _ name: String, _ variable: String, default: Value, check: (Value) -> String? = { _ in nil }
    ) throws -> Value {
        try resolve(flag, name, variable, check: check) ?? record(`default`, name, "default")
    }

    /// A setting that is absent unless given.
    func callAsFunction(_ flag: String?, _ name: String, _ variable: String) throws -> String? {
        let value = try resolve(flag, name, variable) { _ in nil }
        if value == nil { report.append("\(name)=none (default)") }
        return value
    }

    private func resolve<Value: ExpressibleByArgument & CustomStringConvertible>(
        _ flag: Value?, _ name: String, _ variable: String, check: (Value) -> String?
    ) throws -> Value? {
        if let flag {
            if let refusal = check(flag) { throw ValidationError("\(name) '\(flag)' \(refusal)") }
            return record(flag, name, "from the flag")
        }
        guard let text = environment[variable] else { return nil }
        guard let value = Value(argument: text) else { throw ValidationError("\(variable) '\(text)' is not \(Self.kind(of: Value.self))") }
        if let refusal = check(value) { throw ValidationError("\(variable) '\(text)' \(refusal)") }
        return record(value, name, "from \(variable)")
    }

    private func record<Value: CustomStringConvertible>(_ value: Value, _ name: String, _ source: String) -> Value {
        let shown = "\(value)"
        report.append("\(name)=\(shown.isEmpty ? "none" : shown) (\(source))")
        return value
    }

    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        default: "readable"
        }
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
