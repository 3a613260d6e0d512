import Logging
import ServiceLifecycle
import Synchronization

/// Whether the server is shutting down, for `/readyz`.
final class ServerState: Sendable {
    private let shuttingDown = Atomic(false)

    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    func markShuttingDown() {
        shuttingDown.store(true, ordering: .relaxed)
    }
}

/// The first service to hear of a graceful shutdown (the group stops services last to first,
/// and this one is last): it turns `/readyz` to 503 and waits `drainDelay`, so that load
/// balancers stop sending requests before the HTTP server stops accepting them.
struct ReadinessGate: Service {
    let state: ServerState
    let drainDelay: Duration
    let clock: ServerClock
    let logger: Logger

    func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            return  // cancelled: no draining
        }
        state.markShuttingDown()
        logger.info("shutting down: /readyz answers 503 while requests drain", metadata: ["drain_delay": "\(drainDelay)"])
        try? await clock.sleep(drainDelay)
    }
}
