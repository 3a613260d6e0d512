import Logging
import ServiceLifecycle
import Synchronization

/// Keeps probing DataStorage and holds the latest answer, for a service's own readiness
/// endpoint: it follows DataStorage from ready to not ready and back, where
/// ``DataStorageProber/waitUntilReady(every:)`` only waits for the first "ready".
///
/// Run it in a `ServiceGroup` beside the ``BufferedStore`` and read ``status`` (or
/// ``isReady``) in the readiness handler. Each change of readiness is logged once: ready
/// at info, not ready at warning with the reason.
public final class DataStorageReadinessGate: Service {
    /// What the latest probe found.
    public enum Status: Sendable {
        /// No probe has finished yet.
        case unknown
        case ready
        /// The latest probe failed, for this reason.
        case notReady(ProbeError)
    }

    private let prober: DataStorageProber
    private let interval: Duration
    private let logger: Logger
    private let latest = Mutex(Status.unknown)

    /// - Parameters:
    ///   - prober: Probes `/readyz`; its clock also times the interval.
    ///   - interval: The wait between the end of one probe and the start of the next
    ///     (15 s by default, as kubernaut's readiness gate).
    ///   - logger: Where changes of readiness are logged.
    public init(prober: DataStorageProber, interval: Duration = .seconds(15), logger: Logger) {
        self.prober = prober
        self.interval = interval
        self.logger = logger
    }

    /// What the latest probe found.
    public var status: Status { latest.withLock { $0 } }

    /// Whether the latest probe found DataStorage ready.
    public var isReady: Bool {
        if case .ready = status { true } else { false }
    }

    /// Probes every `interval` until the task is cancelled or the service group shuts down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.probe()
                try? await self.prober.clock.sleep(self.interval)
            }
        }
    }

    private func probe() async {
        let status: Status
        do {
            try await prober.probe()
            status = .ready
        } catch {
            status = .notReady(error)
        }
        let previous = latest.withLock { latest in
            defer { latest = status }
            return latest
        }
        switch (previous, status) {
        case (.ready, .ready), (.notReady, .notReady), (_, .unknown):
            break
        case (_, .ready):
            logger.info("Data Storage ready")
        case (_, .notReady(let error)):
            logger.warning("Data Storage not ready", metadata: ["error": "\(error)"])
        }
    }
}
