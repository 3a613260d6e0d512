import Foundation

/// How the DataStorage server listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; the bound one is reported to `onServerRunning`.
    public var port: Int
    /// Larger bodies get 413. kubernaut's default is 5 MiB.
    public var maxBodyBytes: Int
    /// Larger batches get 400 `batch-size-exceeded`; 1000, the size clients batch.
    public var maxBatch: Int
    /// The server's clock, for timestamp bounds and relative query times.
    public var now: @Sendable () -> Date
    /// When set, `/api` routes need a bearer token listed in this file (one per line).
    public var authTokenFile: String?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 5 * 1024 * 1024, maxBatch: Int = 1000,
        authTokenFile: String? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.authTokenFile = authTokenFile
        self.host = host
        self.port = port
        self.maxBodyBytes = min(max(maxBodyBytes, 1024 * 1024), 50 * 1024 * 1024)
        self.maxBatch = maxBatch
        self.now = now
    }
}
