import Logging
import ServiceLifecycle

/// Replays the dead-letter journal into the database as soon as the database answers, and
/// once more at shutdown, after the HTTP server has stopped taking requests.
struct DeadLetterReplayer: Service {
    let queue: DeadLetterQueue
    let repository: any AuditRepository
    /// How often to look for the database while the journal holds events.
    let interval: Duration
    /// The longest the final replay at shutdown may take; what is left stays on disk.
    let shutdownTimeout: Duration
    let clock: ServerClock
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await replayIfReachable()
                do { try await clock.sleep(interval) } catch { return }
            }
        }
        // Shutting down: the HTTP server has drained, so nothing new arrives. A last replay
        // in a task of its own, because this one may already carry the group's cancellation.
        let final = Task { [self] in
            _ = try? await clock.withTimeout(shutdownTimeout) { await replayIfReachable() }
        }
        await final.value
        let left = await queue.depth
        if left > 0 {
            logger.warning("dead-letter queue keeps events on disk for the next start", metadata: [
                "events": "\(left)", "directory": "\(queue.directory)"])
        }
    }

    private func replayIfReachable() async {
        guard await queue.depth > 0 else { return }
        do {
            try await repository.ping()
        } catch {
            logger.debug("database still unreachable; dead-letter replay waits", metadata: ["error": "\(error)"])
            return
        }
        do {
            let committed = try await queue.replay(into: repository)
            logger.info("dead-letter queue replayed", metadata: ["events": "\(committed)"])
        } catch {
            let remaining = await queue.depth
            logger.warning("dead-letter replay stopped; it resumes when the database answers", metadata: [
                "error": "\(error)", "remaining": "\(remaining)"])
        }
    }
}
