import AuditIntegrity
import DataStorageClient
import Foundation
import Logging
import ServiceLifecycle

/// Enforces retention: every interval, deletes the events whose retention has run out, in
/// passes of at most ``batchSize`` (whole expired partitions at once on PostgreSQL), until a
/// pass finds fewer. Each pass that deletes records a signed checkpoint in the same
/// transaction (when the server has a key), so that verifiers always see where chains now
/// start. Replicas may all run one: the repository serialises passes.
public struct RetentionService: Service {
    private let repository: any AuditRepository
    private let policy: RetentionPolicy
    private let interval: Duration
    private let batchSize: Int
    private let signer: CheckpointSigner?
    private let clock: ServerClock
    private let now: @Sendable () -> Date
    private let metrics: ServerMetrics
    private let logger: Logger

    init(
        repository: any AuditRepository, policy: RetentionPolicy, interval: Duration, batchSize: Int, signer: CheckpointSigner?,
        clock: ServerClock, now: @escaping @Sendable () -> Date, metrics: ServerMetrics, logger: Logger
    ) {
        self.repository = repository
        self.policy = policy
        self.interval = interval
        self.batchSize = batchSize
        self.signer = signer
        self.clock = clock
        self.now = now
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await clock.sleep(interval) } catch { return }
                do {
                    try await enforce()
                } catch {
                    logger.error("retention failed; the next interval tries again", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }

    /// Runs passes until one deletes fewer than ``batchSize`` events and drops no partition,
    /// then updates the oldest-event gauge.
    /// - Returns: Every pass's outcome, in order.
    @discardableResult
    func enforce() async throws -> [RetentionPass] {
        var passes: [RetentionPass] = []
        let createdAt = now()
        var sign: CheckpointSigning?
        if let signer {
            sign = { previous, heads in try signer.checkpoint(following: previous, createdAt: createdAt, heads: heads) }
        }
        while !Task.isCancelled {
            let pass = try await repository.purgeExpired(policy, now: now(), limit: batchSize, checkpoint: sign)
            passes.append(pass)
            metrics.retentionPurged.increment(by: pass.eventsPurged)
            metrics.retentionPartitionsDropped.increment(by: pass.partitionsDropped.count)
            if pass.eventsPurged > 0 {
                logger.info("retention deleted expired events", metadata: [
                    "events": "\(pass.eventsPurged)", "partitions": "\(pass.partitionsDropped)", "checkpoint": "\(pass.checkpoint?.sequence.description ?? "none")"])
            }
            if pass.eventsPurged < batchSize, pass.partitionsDropped.isEmpty { break }
        }
        metrics.retentionOldestEvent.record(try await repository.oldestEventTimestamp()?.timeIntervalSince1970 ?? 0)
        return passes
    }
}
