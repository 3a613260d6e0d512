import AuditIntegrity
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
    /// When set, the operations the contract secures (the audit endpoints) need a bearer token
    /// listed in this file (one per line).
    public var authTokenFile: String?
    /// Where the dead-letter journal lives. Without one, a write the database refuses gets 500.
    public var deadLetterDirectory: String?
    /// Whether appends that arrive while the journal syncs share the next sync (group commit).
    /// Off, every request waits for a sync of its own: the figure benchmarks compare against.
    @_spi(Benchmarks) public var deadLetterGroupCommit = true
    /// How often the dead-letter queue looks for the database while it holds events.
    public var deadLetterReplayInterval: Duration = .seconds(1)
    /// The longest the last dead-letter replay at shutdown may take.
    public var shutdownReplayTimeout: Duration = .seconds(10)
    /// How long `/readyz` answers 503 before the server stops accepting connections, so that
    /// load balancers notice first.
    public var shutdownDrainDelay: Duration
    /// Signs the checkpoints over the hash chains' heads. Without one, events are still
    /// chained but no checkpoint seals the heads, and the server warns at start.
    public var checkpointSigner: CheckpointSigner?
    /// How often a checkpoint is published (when a chain has moved).
    public var checkpointInterval: Duration = .seconds(300)
    /// How long events are kept beyond their own retention_days, by category.
    public var retentionPolicy = RetentionPolicy()
    /// How often retention deletes the events whose retention has run out.
    public var retentionInterval: Duration = .seconds(3600)
    /// The most events one retention pass deletes row by row, in one transaction.
    public var retentionBatchSize = 1000

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 5 * 1024 * 1024, maxBatch: Int = 1000,
        authTokenFile: String? = nil, deadLetterDirectory: String? = nil, shutdownDrainDelay: Duration = .zero,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.authTokenFile = authTokenFile
        self.deadLetterDirectory = deadLetterDirectory
        self.shutdownDrainDelay = shutdownDrainDelay
        self.host = host
        self.port = port
        self.maxBodyBytes = min(max(maxBodyBytes, 1024 * 1024), 50 * 1024 * 1024)
        self.maxBatch = maxBatch
        self.now = now
    }
}
