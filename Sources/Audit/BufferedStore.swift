import DataStorageClient
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// An ``AuditStore`` that buffers events in memory and writes them to DataStorage in
/// batches, in the background.
///
/// - `store` validates the event and appends it under a short lock; it never blocks or
///   suspends. A full buffer drops the event, counts it and throws ``AuditStoreError/bufferFull(correlationID:)``.
/// - Writers send a batch as soon as `batchSize` events wait, and a partial batch once
///   `flushInterval` has passed. Up to `maxConcurrentBatches` batches are written at once,
///   so a batch being retried does not stop the buffer from draining.
/// - Failed writes are retried with `attempt² × retryBaseDelay` backoff when retrying can help
///   (network errors, 5xx, 401, 403). Every retry resends the same `event_id`s, which the
///   server stores once, so a lost response never duplicates an event.
///
/// The writers run in ``run()``: add the store to a `ServiceGroup`, which ends it on
/// graceful shutdown after writing everything buffered.
///
/// `Event` is the request type of the contract the store writes, fixed by the client it is
/// given: ``AuditEvent`` with this package's DataStorage client, ``KubernautAuditEvent`` with
/// a ``KubernautClient``. The machinery above is the same for both.
public final class BufferedStore<Event: AuditContractEvent>: AuditStore, Service {
    /// The `service` label of the store's metrics and logs.
    public let service: String
    public let config: AuditConfig
    private let client: any AuditBatchWriter<Event>
    private let logger: Logger
    private let metrics: AuditMetrics
    private let clock: StoreClock
    private typealias State = StoreStateMachine<Event, CheckedContinuation<Void, Never>, CheckedContinuation<FlushOutcome, Never>>
    private let state: Mutex<State>

    /// Creates a store that writes through `client`.
    ///
    /// - Parameters:
    ///   - client: The generated client of the DataStorage the events go to.
    ///   - config: Buffering, batching and retry settings; checked with ``AuditConfig/validate()``.
    ///   - service: The name of the service emitting the events, for metrics and logs.
    ///   - logger: Where the store logs; events at trace, drops at warning, data loss at error.
    ///   - metricsFactory: Where metrics go; the process-wide `MetricsSystem` when nil.
    public convenience init<Writer: AuditBatchWriter<Event>>(
        client: Writer, config: AuditConfig = .default, service: String, logger: Logger,
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(AuditConfigError) {
        try self.init(client: client, config: config, service: service, logger: logger, clock: ContinuousClock(), metricsFactory: metricsFactory)
    }

    /// Creates a store whose timers, backoff and time-outs run on `clock` (tests inject a manual one).
    public init<Writer: AuditBatchWriter<Event>, C: Clock>(
        client: Writer, config: AuditConfig = .default, service: String, logger: Logger, clock: C,
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(AuditConfigError) where C.Duration == Duration {
        try config.validate()
        guard !service.isEmpty else { throw .invalid("service must not be empty") }
        self.client = client
        self.config = config
        self.service = service
        var logger = logger
        logger[metadataKey: "audit.service"] = .string(service)
        self.logger = logger
        self.metrics = AuditMetrics(service: service, factory: metricsFactory ?? MetricsSystem.factory)
        self.clock = StoreClock(clock)
        self.state = Mutex(State(bufferSize: config.bufferSize, batchSize: config.batchSize))
    }

    // MARK: Producers

    @_specialize(exported: true, where Event == AuditEvent)
    @_specialize(exported: true, where Event == KubernautAuditEvent)
    public func store(_ event: consuming Event) throws(AuditStoreError) {
        try Event.checkBeforeBuffering(&event)
        let correlationID = event.correlationID
        let eventType = event.eventType
        // Moved, not copied, into the buffer: a copy retains and later releases every string
        // of the event, which was a third of the time `store` took.
        var moving = Optional(event)
        switch state.withLock({ $0.store(moving.take()!) }) {
        case .stored(let writer):
            metrics.buffered.increment()
            // The hot path's only action: at most one writer, so no `Wakeups` is built.
            writer?.resume()
            logger.trace("audit event buffered", metadata: ["event_type": "\(eventType)", "correlation_id": "\(correlationID)"])
        case .dropped:
            metrics.dropped.increment()
            throw .bufferFull(correlationID: correlationID)
        case .refused:
            metrics.dropped.increment()
            throw .closed
        }
    }

    /// Returns once every event stored before the call is written, waiting at most
    /// ``AuditConfig/flushTimeout``.
    public func flush() async throws {
        try await flush(timeout: config.flushTimeout)
    }

    /// Returns once every event stored before the call is written.
    ///
    /// - Throws: ``AuditStoreError/flushFailed(failedBatches:lostEvents:)`` when some of
    ///   them could not be written; ``AuditStoreError/flushTimedOut(after:undeliveredEvents:writersStarted:)``
    ///   when `timeout` passes first (also when the store's writers were never started);
    ///   ``AuditStoreError/closed`` when the store is closing; `CancellationError` when the
    ///   calling task is cancelled. Events a flush stops waiting for stay buffered.
    public func flush(timeout: Duration) async throws {
        let id = state.withLock { $0.makeWaiterID() }
        let outcome = await withTaskGroup(of: FlushOutcome?.self) { group in
            group.addTask { await self.waitForFlush(id: id) }
            group.addTask {
                // Ends early, cancelled, when the flush is answered first or its task is cancelled.
                try? await self.clock.sleep(timeout)
                return nil
            }
            // Whichever ends first cancels the other; the waiter always answers, `abandoned` when cut short.
            while let result = await group.next() {
                group.cancelAll()
                if let result { return result }
            }
            preconditionFailure("the flush waiter always answers")
        }
        switch outcome {
        case .written: return
        case .failed(let batches, let events): throw AuditStoreError.flushFailed(failedBatches: batches, lostEvents: events)
        case .closed: throw AuditStoreError.closed
        case .abandoned(let undelivered, let writersStarted):
            try Task.checkCancellation()
            throw AuditStoreError.flushTimedOut(after: timeout, undeliveredEvents: undelivered, writersStarted: writersStarted)
        }
    }

    private func waitForFlush(id: Int) async -> FlushOutcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<FlushOutcome, Never>) in
                perform(state.withLock { $0.flushRequested(id: id, reply: continuation, cancelled: Task.isCancelled) })
            }
        } onCancel: {
            perform(state.withLock { $0.flushAbandoned(id: id) })
        }
    }

    public func close() async throws {
        let writersHere: Int
        switch state.withLock({ $0.closeRequested(writers: config.maxConcurrentBatches) }) {
        case .writeHere(let count):
            writersHere = count
        case .waitForWriters(let wakeups):
            perform(wakeups)
            writersHere = 0
        }
        let closedInTime = await waitForWriters(runningHere: writersHere)
        let report = state.withLock { ($0.droppedEvents, $0.failedBatches, $0.lostEvents, $0.undeliveredEvents) }
        guard closedInTime else {
            logger.error("AUDIT DATA LOSS: timeout waiting for audit store to close", metadata: ["undelivered": "\(report.3)"])
            throw AuditStoreError.closeTimedOut(undeliveredEvents: report.3)
        }
        logger.info("audit store closed", metadata: ["dropped": "\(report.0)", "failed_batches": "\(report.1)"])
        if report.0 > 0 || report.1 > 0 {
            throw AuditStoreError.closedWithLosses(droppedEvents: report.0, failedBatches: report.1, lostEvents: report.2)
        }
    }

    // MARK: Service

    /// Runs the writers until the store is closed: by ``close()``, by graceful shutdown,
    /// or by cancellation. Everything buffered is written (or counted as lost) first.
    public func run() async throws {
        let writers: Int
        switch state.withLock({ $0.runRequested(writers: config.maxConcurrentBatches) }) {
        case .startWriters(let count):
            writers = count
        case .alreadyRunning:
            throw AuditStoreError.alreadyRunning
        case .waitUntilClosed:
            await waitUntilClosed()
            return
        }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        await self.tickUntilCancelled()
                        return false
                    }
                    addWriters(writers, to: &group, reporting: true)
                    var finishedWriters = 0
                    while finishedWriters < writers, let isWriter = await group.next() {
                        if isWriter { finishedWriters += 1 }
                    }
                    group.cancelAll()
                }
            } onCancel: {
                self.perform(self.state.withLock { $0.shutdownRequested() })
            }
        } onGracefulShutdown: {
            self.perform(self.state.withLock { $0.shutdownRequested() })
        }
    }

    /// Runs what a state event decided, after the lock is released.
    private func perform(_ wakeups: State.Wakeups) {
        wakeups.writers.forEach { $0.resume() }
        wakeups.closeWaiters.forEach { $0.resume() }
        wakeups.flushes.forEach { $0.reply.resume(returning: $0.outcome) }
    }

    /// Waits until the writers have left, for at most `closeTimeout`, running `runningHere`
    /// of them in this task (when ``run()`` never did).
    private func waitForWriters(runningHere: Int) async -> Bool {
        return await withTaskGroup(of: CloseWait.self) { group in
            addWriters(runningHere, to: &group, reporting: .writerFinished)
            group.addTask {
                await self.waitUntilClosed()
                return .closed
            }
            group.addTask {
                // A cancelled sleep means close() itself was cancelled: stop waiting as on a time-out.
                try? await self.clock.sleep(self.config.closeTimeout)
                return .timedOut
            }
            while let event = await group.next() {
                switch event {
                case .writerFinished: continue
                case .closed:
                    group.cancelAll()
                    return true
                case .timedOut:
                    group.cancelAll()
                    return false
                }
            }
            return false
        }
    }

    /// Returns when the last writer has left, or when the waiting task is cancelled.
    private func waitUntilClosed() async {
        let id = state.withLock { $0.makeWaiterID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                state.withLock { $0.closeWaitRequested(id: id, waker: continuation, cancelled: Task.isCancelled) }?.resume()
            }
        } onCancel: {
            perform(state.withLock { $0.closeWaitCancelled(id: id) })
        }
    }

    // MARK: Writers

    private func addWriters<Result: Sendable>(_ count: Int, to group: inout TaskGroup<Result>, reporting result: Result) {
        for _ in 0..<count {
            group.addTask {
                await self.writeBatchesUntilClosed()
                return result
            }
        }
    }

    /// Lets a partial batch go every `flushInterval`, reports drops and samples the buffer.
    private func tickUntilCancelled() async {
        while true {
            do {
                try await clock.sleep(config.flushInterval)
            } catch {
                return
            }
            let tick = state.withLock { $0.tick() }
            metrics.bufferSize.record(tick.buffered)
            if tick.drops > 0 {
                logger.warning("audit buffer full: events dropped", metadata: ["dropped": "\(tick.drops)", "buffer_size": "\(config.bufferSize)"])
            }
            tick.wake?.resume()
        }
    }

    private func writeBatchesUntilClosed() async {
        while let batch = await nextBatch() {
            let lost = await deliver(batch.events)
            perform(state.withLock { $0.batchFinished(batch, lostEvents: lost) })
        }
        perform(state.withLock { $0.writerExited() })
    }

    /// The next batch to write, waiting until one is due; nil once the store is closed and empty.
    private func nextBatch() async -> Batch<Event>? {
        while true {
            switch state.withLock({ $0.nextBatch() }) {
            case .write(let batch, let writer):
                writer?.resume()
                return batch
            case .exit:
                return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    state.withLock { $0.writerWaits(continuation) }?.resume()
                }
            }
        }
    }

    // MARK: Delivery

    /// Writes `events`, retrying what can be retried, and in smaller pieces when DataStorage
    /// refuses them as too large. Returns how many of them were lost.
    private func deliver(_ events: [Event]) async -> Int {
        // A batch taken before DataStorage lowered the batch size goes in pieces of the new size.
        let limit = state.withLock { $0.batchSize }
        guard events.count <= limit else {
            var lost = 0
            for start in stride(from: 0, to: events.count, by: limit) {
                lost += await deliver(Array(events[start..<min(start + limit, events.count)]))
            }
            return lost
        }
        var retry = 0
        while true {
            let started = clock.elapsed()
            let result = await attempt(events)
            let duration = clock.elapsed() - started
            metrics.writeDuration.recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
            if duration > config.slowWriteThreshold {
                logger.warning("slow audit write", metadata: ["duration": "\(duration)", "events": "\(events.count)"])
            }
            let error: AuditWriteError
            switch result {
            case .success:
                metrics.written.increment(by: Int64(events.count))
                logger.debug("audit batch written", metadata: ["events": "\(events.count)", "attempts": "\(retry + 1)"])
                return 0
            case .failure(let failure):
                error = failure
            }
            if case .batchTooLarge = error, events.count > 1 {
                // The batch size drops to at most half of these events, so they now go in pieces.
                batchRefusedAsTooLarge(events.count, error)
                return await deliver(events)
            }
            guard error.isRetryable else {
                reportLoss(events, "Dropping audit batch due to non-retryable client error", error, attempts: retry + 1)
                return events.count
            }
            guard retry < config.maxRetries else {
                reportLoss(events, "AUDIT DATA LOSS: Dropping batch after max retries", error, attempts: retry + 1)
                return events.count
            }
            retry += 1
            let delay = RetryPolicy.delay(forRetry: retry, base: config.retryBaseDelay, jitter: config.retryJitter)
            let message: Logger.Message = error.isAuthError
                ? "audit write rejected: auth token missing, expired or forbidden; retrying" : "audit write failed; retrying"
            logger.warning(message, metadata: ["error": "\(error)", "retry": "\(retry)", "delay": "\(delay)"])
            do {
                try await clock.sleep(delay)
            } catch {
                reportLoss(events, "AUDIT DATA LOSS: Dropping batch, the store was cancelled while retrying", error, attempts: retry)
                return events.count
            }
        }
    }

    /// Later batches take at most half the refused size, so that a server with a lower limit
    /// (kubernaut's 500 against a `batchSize` of 1000) costs one refusal, not one per batch.
    private func batchRefusedAsTooLarge(_ size: Int, _ error: AuditWriteError) {
        let refusal = state.withLock { $0.batchRefused(size: size) }
        perform(refusal.wakeups)
        if let lowered = refusal.lowered {
            logger.warning("Data Storage refused an audit batch as too large; writing smaller batches", metadata: [
                "error": "\(error)", "refused_events": "\(size)", "batch_size": "\(lowered)",
            ])
        }
    }

    private func reportLoss(_ events: [Event], _ message: Logger.Message, _ error: any Error, attempts: Int) {
        metrics.batchesFailed.increment()
        var correlationIDs: [String] = []
        for event in events where !correlationIDs.contains(event.correlationID) {
            correlationIDs.append(event.correlationID)
            if correlationIDs.count == 20 { break }
        }
        logger.error(message, metadata: [
            "error": "\(error)", "events": "\(events.count)", "attempts": "\(attempts)",
            "correlation_ids": .array(correlationIDs.map { .string($0) }),
        ])
    }

    /// One write of a batch, with `attemptTimeout` applied whatever the transport does.
    private func attempt(_ events: [Event]) async -> Result<Void, AuditWriteError> {
        do {
            return try await withAttemptTimeout { try await self.client.writeAuditBatch(events) }
        } catch let error as AuditWriteError {
            return .failure(error)
        } catch let ClientError.decoding(_, status, _) where (200..<300).contains(status) {
            // The server took the batch; only its answer was unreadable.
            logger.warning("audit batch written, but the response could not be decoded", metadata: ["status": "\(status)"])
            return .success(())
        } catch let error as ClientError {
            return .failure(AuditWriteError(error))
        } catch {
            return .failure(.network(underlying: error))
        }
    }

    private func withAttemptTimeout<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let timeout = config.attemptTimeout else { return try await body() }
        guard let result = try await clock.withTimeout(timeout, body) else { throw AuditWriteError.timedOut(after: timeout) }
        return result
    }
}

/// What ends a wait in `close()`: a writer run there finishing, the last writer leaving, or the time-out.
private enum CloseWait { case writerFinished, closed, timedOut }
