import AuditIntegrity
import DataStorageClient
import Foundation
import Logging
import ServiceLifecycle

/// Publishes a signed checkpoint over the heads of all hash chains every interval, and once
/// more at shutdown, when a chain has moved since the last one. Replicas may all run one:
/// the repository serialises them, and the later finds nothing new to sign.
public struct CheckpointPublisher: Service {
    private let repository: any AuditRepository
    private let signer: CheckpointSigner
    private let interval: Duration
    private let clock: ServerClock
    private let now: @Sendable () -> Date
    private let logger: Logger

    /// - Parameters:
    ///   - clock: Times the interval.
    ///   - now: The time a checkpoint states it was made.
    public init(
        repository: any AuditRepository, signer: CheckpointSigner, interval: Duration, clock: some Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.init(repository: repository, signer: signer, interval: interval, serverClock: ServerClock(clock), now: now, logger: logger)
    }

    init(
        repository: any AuditRepository, signer: CheckpointSigner, interval: Duration, serverClock: ServerClock,
        now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.repository = repository
        self.signer = signer
        self.interval = interval
        self.clock = serverClock
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await clock.sleep(interval) } catch { return }
                await publishLogging()
            }
        }
        // In a task of its own: this one may already carry the group's cancellation.
        await Task { await publishLogging() }.value
    }

    /// Signs and stores a checkpoint when a chain moved since the last one.
    /// - Returns: The new checkpoint, or nil when there was nothing new to sign.
    @discardableResult
    public func publish() async throws -> Checkpoint? {
        let signer = signer
        let createdAt = now()
        return try await repository.recordCheckpoint { previous, heads in
            if previous == nil, heads.isEmpty { return nil }
            let checkpoint = try signer.checkpoint(following: previous, createdAt: createdAt, heads: heads)
            return checkpoint.root == previous?.root ? nil : checkpoint
        }
    }

    private func publishLogging() async {
        do {
            if let checkpoint = try await publish() {
                logger.info("audit checkpoint published", metadata: [
                    "sequence": "\(checkpoint.sequence)", "chains": "\(checkpoint.chainCount)", "root": "\(checkpoint.root)"])
            }
        } catch {
            logger.error("audit checkpoint failed; the next interval tries again", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
