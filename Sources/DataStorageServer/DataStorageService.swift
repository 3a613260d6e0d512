import DataStorageClient
import Hummingbird
import Logging
import NIOCore
import OpenAPICodegenHummingbird
import ServiceLifecycle

/// The DataStorage reference server: the audit endpoints of `openapi/datastorage.yaml` over
/// an ``AuditRepository``, with a durable dead-letter queue for when the database is down.
///
/// Run it in a `ServiceGroup` after the repository's own service (PostgreSQL's connection
/// pool), so that it stops first. A graceful shutdown then goes: `/readyz` answers 503 for
/// ``ServerConfiguration/shutdownDrainDelay``; the HTTP server stops accepting and lets
/// in-flight requests finish; the dead-letter queue is replayed one last time.
public struct DataStorageService: Service {
    private let configuration: ServerConfiguration
    private let repository: any AuditRepository
    private let deadLetters: DeadLetterQueue?
    private let metrics: ServerMetrics
    private let logger: Logger
    private let clock: ServerClock
    private let onServerRunning: @Sendable (Int) async -> Void

    /// Opens the dead-letter journal (when configured) and prepares the routes.
    ///
    /// - Parameters:
    ///   - clock: Times the drain delay, dead-letter replay and its shutdown time-out.
    ///   - onServerRunning: Called with the bound port once the server listens.
    /// - Throws: ``DeadLetterQueueError`` when the journal directory cannot be used.
    public init(
        configuration: ServerConfiguration, repository: any AuditRepository, logger: Logger,
        clock: some Clock<Duration> = ContinuousClock(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        self.configuration = configuration
        self.repository = repository
        self.logger = logger
        self.clock = ServerClock(clock)
        self.onServerRunning = onServerRunning
        metrics = ServerMetrics()
        if let directory = configuration.deadLetterDirectory {
            deadLetters = try await DeadLetterQueue(
                directory: directory, groupCommit: configuration.deadLetterGroupCommit, reserveBytes: configuration.maxBodyBytes,
                logger: logger, metrics: metrics)
        } else {
            deadLetters = nil
        }
    }

    /// Migrates the database, then serves until a graceful shutdown or cancellation.
    public func run() async throws {
        try await repository.migrate()
        let state = ServerState()
        var services: [any Service] = []
        if let deadLetters {
            services.append(DeadLetterReplayer(
                queue: deadLetters, repository: repository, interval: configuration.deadLetterReplayInterval,
                shutdownTimeout: configuration.shutdownReplayTimeout, clock: clock, logger: logger))
        }
        if let signer = configuration.checkpointSigner {
            services.append(CheckpointPublisher(
                repository: repository, signer: signer, interval: configuration.checkpointInterval, serverClock: clock, now: configuration.now,
                logger: logger))
        } else {
            logger.warning("no checkpoint signing key: events are hash-chained, but no signed checkpoint seals the chains' heads")
        }
        services.append(RetentionService(
            repository: repository, policy: configuration.retentionPolicy, interval: configuration.retentionInterval,
            batchSize: configuration.retentionBatchSize, signer: configuration.checkpointSigner, clock: clock, now: configuration.now,
            metrics: metrics, logger: logger))
        services.append(try makeApplication(state: state))
        services.append(ReadinessGate(state: state, drainDelay: configuration.shutdownDrainDelay, clock: clock, logger: logger))
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        do {
            try await group.run()
        } catch {
            try await deadLetters?.shutdown()
            throw error
        }
        try await deadLetters?.shutdown()
    }

    private func makeApplication(state: ServerState) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestCounting(metrics: metrics))
        // Operations the contract secures go on a group that checks the token and takes
        // bodies up to the configured size; the rest (health, readiness, metrics: none takes
        // a body) stay open for probes and scrapers.
        var authenticated = router.group()
        if let path = configuration.authTokenFile {
            authenticated = authenticated.add(middleware: BearerTokenAuthentication(tokens: try TokenFile(path: path)))
        }
        authenticated = authenticated.add(middleware: RequestBodyLimit(maximumSize: configuration.maxBodyBytes))
        let open = router.group()
        let transport = HummingbirdServerTransport(router) { [authenticated] operation in
            operation.requiresAuthentication ? authenticated : open
        }
        let api = AuditAPI(
            repository: repository, deadLetters: deadLetters, state: state, configuration: configuration, metrics: metrics, logger: logger)
        let problems = ProblemResponder(api: api)
        try api.registerHandlers(on: transport, errorResponder: { problems.respond(to: $0) })
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "datastorage"),
            onServerRunning: { [onServerRunning, configuration] channel in
                await onServerRunning(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger)
    }
}
