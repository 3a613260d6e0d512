import Hummingbird
import Logging
import NIOCore

/// The DataStorage reference server: the audit endpoints of `openapi/datastorage.yaml`
/// over an ``AuditRepository``.
public enum DataStorageServer {
    /// An application ready to run (as a `Service`, or with `runService()`).
    ///
    /// - Parameter onServerRunning: Called with the bound port once the server listens.
    /// - Throws: When the auth token file cannot be read.
    public static func makeApplication(
        configuration: ServerConfiguration, repository: any AuditRepository, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router()
        let metrics = ServerMetrics()
        router.add(middleware: RequestCounting(metrics: metrics))
        if let path = configuration.authTokenFile {
            router.add(middleware: BearerTokenAuthentication(tokens: try TokenFile(path: path)))
        }
        router.get("/metrics") { _, _ in metrics.exposition }
        AuditRoutes(repository: repository, configuration: configuration, metrics: metrics).register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "datastorage"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
