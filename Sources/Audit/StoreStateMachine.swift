/// A batch taken from the buffer: events with consecutive sequence numbers from `first`.
struct Batch<Event: Sendable>: Sendable {
    let first: UInt64
    let events: [Event]
}

/// How a flush ended.
enum FlushOutcome: Sendable, Equatable {
    case written
    case failed(batches: Int, events: Int)
    /// The store closed (or was closing) before the flush could be served.
    case closed
    /// The flush stopped waiting, its deadline passed or its task was cancelled, while
    /// `undeliveredEvents` of the events it covered were not yet written.
    case abandoned(undeliveredEvents: Int, writersStarted: Bool)
}

/// Everything a ``BufferedStore`` shares between producers, writers and waiters, as a plain
/// value: each event is a mutating method that decides under the store's lock and returns
/// what the store must do after unlocking (the continuations to resume, the writers to start).
/// The store runs those actions in one place; tests drive this value directly.
///
/// Generic over the events it buffers (each contract's request type) and over the waiters it
/// holds, so that tests can use plain tokens: the store uses
/// `CheckedContinuation<Void, Never>` for `Waker` (idle writers, close waiters) and
/// `CheckedContinuation<FlushOutcome, Never>` for `FlushReply`.
struct StoreStateMachine<Event: Sendable, Waker, FlushReply>: ~Copyable {
    enum Lifecycle: Equatable {
        /// Created: events are buffered, nothing writes them yet.
        case idle
        /// `run()` started `writers` writers.
        case running(writers: Int)
        /// No more events are taken; `writers` writers write what is left and leave.
        case closing(writers: Int)
        /// Every writer has left.
        case closed
    }

    /// What a flush waits for: every event stored before it (sequence < `mark`) to be
    /// taken and its batch finished.
    private struct FlushWaiter {
        let id: Int
        let mark: UInt64
        var failedBatches = 0
        var lostEvents = 0
        let reply: FlushReply
    }

    /// The continuations an event releases, for the store to resume after unlocking.
    struct Wakeups {
        var writers: [Waker] = []
        var closeWaiters: [Waker] = []
        var flushes: [(reply: FlushReply, outcome: FlushOutcome)] = []
    }

    private(set) var lifecycle = Lifecycle.idle
    private var buffer: RingBuffer<Event>
    /// Events per batch: the configured size, lowered when DataStorage refuses a batch as too large.
    private(set) var batchSize: Int
    /// Events ever accepted; the next event's sequence number.
    private var appended: UInt64 = 0
    /// Events ever moved into batches.
    private var taken: UInt64 = 0
    /// Batches being written: event count by first sequence number.
    private var inFlight: [UInt64: Int] = [:]
    /// A flush interval passed while events waited: a partial batch may go.
    private var tickPending = false
    private var idleWriters: [Waker] = []
    private var flushWaiters: [FlushWaiter] = []
    /// Tasks waiting for the store to close, by an ID that lets a cancelled wait withdraw.
    private var closeWaiters: [Int: Waker] = [:]
    private var lastWaiterID = 0
    /// Lifetime totals, reported by `close()`.
    private(set) var droppedEvents = 0
    private(set) var failedBatches = 0
    private(set) var lostEvents = 0
    /// Drops not yet logged; the ticker logs them, so that `store` never logs on the hot path.
    private var unreportedDrops = 0

    init(bufferSize: Int, batchSize: Int) {
        buffer = RingBuffer(capacity: bufferSize)
        self.batchSize = batchSize
    }

    /// Events buffered or being written.
    var undeliveredEvents: Int { buffer.count + inFlight.values.reduce(0, +) }

    /// A new ID for a flush or close waiter.
    mutating func makeWaiterID() -> Int {
        lastWaiterID += 1
        return lastWaiterID
    }

    // MARK: Producers

    enum StoreAction {
        /// Buffered; `wake` is a writer to resume, only when this event completed a batch.
        case stored(wake: Waker?)
        /// The buffer is full: the event was dropped and counted.
        case dropped
        /// The store is closing or closed.
        case refused
    }

    mutating func store(_ event: consuming Event) -> StoreAction {
        switch lifecycle {
        case .idle, .running: break
        case .closing, .closed: return .refused
        }
        guard !buffer.isFull else {
            droppedEvents += 1
            unreportedDrops += 1
            return .dropped
        }
        buffer.append(event)
        appended += 1
        // Only the event that completes a batch wakes a writer, so most stores touch no continuation.
        return .stored(wake: buffer.count == batchSize ? idleWriters.popLast() : nil)
    }

    // MARK: Lifecycle

    enum RunAction {
        case startWriters(count: Int)
        case alreadyRunning
        /// `close()` came first and writes the rest itself.
        case waitUntilClosed
    }

    mutating func runRequested(writers: Int) -> RunAction {
        switch lifecycle {
        case .idle:
            lifecycle = .running(writers: writers)
            return .startWriters(count: writers)
        case .running: return .alreadyRunning
        case .closing, .closed: return .waitUntilClosed
        }
    }

    enum CloseAction {
        /// No writer ever ran: the closing task runs `count` of them itself.
        case writeHere(count: Int)
        /// The writers finish on their own; wake the idle ones to see the store closing.
        case waitForWriters(Wakeups)
    }

    mutating func closeRequested(writers: Int) -> CloseAction {
        switch lifecycle {
        case .idle:
            lifecycle = .closing(writers: writers)
            return .writeHere(count: writers)
        case .running, .closing, .closed:
            return .waitForWriters(shutdownRequested())
        }
    }

    /// Graceful shutdown or cancellation of `run()`: writers write what is left and leave.
    mutating func shutdownRequested() -> Wakeups {
        if case .running(let writers) = lifecycle { lifecycle = .closing(writers: writers) }
        return takeIdleWriters()
    }

    /// A writer left; the last one closes the store.
    mutating func writerExited() -> Wakeups {
        guard case .closing(let writers) = lifecycle else {
            preconditionFailure("a writer leaves only while the store is closing, not \(lifecycle)")
        }
        guard writers == 1 else {
            lifecycle = .closing(writers: writers - 1)
            return Wakeups()
        }
        lifecycle = .closed
        var wakeups = Wakeups(closeWaiters: Array(closeWaiters.values))
        closeWaiters = [:]
        // Writers leave with the buffer empty and their batches finished, so every flush is
        // answered by now; this only guards against waiting forever.
        wakeups.flushes = flushWaiters.map { ($0.reply, .closed) }
        flushWaiters = []
        return wakeups
    }

    /// Registers a task waiting for the store to close; returns it when it need not wait.
    mutating func closeWaitRequested(id: Int, waker: Waker, cancelled: Bool) -> Waker? {
        guard lifecycle != .closed, !cancelled else { return waker }
        closeWaiters[id] = waker
        return nil
    }

    mutating func closeWaitCancelled(id: Int) -> Wakeups {
        Wakeups(closeWaiters: closeWaiters.removeValue(forKey: id).map { [$0] } ?? [])
    }

    // MARK: Flushes

    /// Registers a flush of everything stored so far; it may complete at once.
    mutating func flushRequested(id: Int, reply: FlushReply, cancelled: Bool) -> Wakeups {
        switch lifecycle {
        case .closing, .closed:
            return Wakeups(flushes: [(reply, .closed)])
        case .idle, .running:
            let waiter = FlushWaiter(id: id, mark: appended, reply: reply)
            guard !cancelled else { return Wakeups(flushes: [(reply, abandonedOutcome(of: waiter))]) }
            flushWaiters.append(waiter)
            // A partial batch may go now: wake the writers to take it.
            var wakeups = takeIdleWriters()
            wakeups.flushes = completedFlushes()
            return wakeups
        }
    }

    /// The flush stopped waiting (deadline or cancellation); answered unless already done.
    mutating func flushAbandoned(id: Int) -> Wakeups {
        guard let index = flushWaiters.firstIndex(where: { $0.id == id }) else { return Wakeups() }
        let waiter = flushWaiters.remove(at: index)
        return Wakeups(flushes: [(waiter.reply, abandonedOutcome(of: waiter))])
    }

    private func abandonedOutcome(of waiter: FlushWaiter) -> FlushOutcome {
        let stillBuffered = waiter.mark > taken ? Int(waiter.mark - taken) : 0
        let beingWritten = inFlight.filter { $0.key < waiter.mark }.values.reduce(0, +)
        return .abandoned(undeliveredEvents: stillBuffered + beingWritten, writersStarted: lifecycle != .idle)
    }

    private mutating func completedFlushes() -> [(reply: FlushReply, outcome: FlushOutcome)] {
        var done: [(reply: FlushReply, outcome: FlushOutcome)] = []
        flushWaiters.removeAll { waiter in
            guard taken >= waiter.mark, !inFlight.keys.contains(where: { $0 < waiter.mark }) else { return false }
            let outcome: FlushOutcome = waiter.failedBatches == 0
                ? .written : .failed(batches: waiter.failedBatches, events: waiter.lostEvents)
            done.append((waiter.reply, outcome))
            return true
        }
        return done
    }

    // MARK: Writers

    enum NextBatchAction {
        /// Write `batch`; `wake` is another writer to resume, as more is ready.
        case write(Batch<Event>, wake: Waker?)
        /// Nothing is due: wait (``writerWaits(_:)``).
        case wait
        /// The store is closing and empty: leave (``writerExited()``).
        case exit
    }

    mutating func nextBatch() -> NextBatchAction {
        guard hasBatchReady else { return writerShouldExit ? .exit : .wait }
        let count = min(batchSize, buffer.count)
        let batch = Batch(first: taken, events: buffer.take(count))
        inFlight[taken] = count
        taken += UInt64(count)
        if buffer.isEmpty { tickPending = false }
        return .write(batch, wake: hasBatchReady ? idleWriters.popLast() : nil)
    }

    /// Parks an idle writer; returns it when it should look again at once.
    mutating func writerWaits(_ waker: Waker) -> Waker? {
        if hasBatchReady || writerShouldExit { return waker }
        idleWriters.append(waker)
        return nil
    }

    /// Records a finished batch, of which `lostEvents` could not be written; answers the
    /// flushes it completes.
    mutating func batchFinished(_ batch: Batch<Event>, lostEvents lost: Int) -> Wakeups {
        inFlight[batch.first] = nil
        if lost > 0 {
            failedBatches += 1
            lostEvents += lost
            for index in flushWaiters.indices where batch.first < flushWaiters[index].mark {
                flushWaiters[index].failedBatches += 1
                flushWaiters[index].lostEvents += lost
            }
        }
        return Wakeups(flushes: completedFlushes())
    }

    /// DataStorage refused a batch of `size` events as too large: later batches take at most
    /// half of it. Returns the new batch size when it was lowered, and the idle writers, for
    /// whom smaller batches may now be ready.
    mutating func batchRefused(size: Int) -> (lowered: Int?, wakeups: Wakeups) {
        let limit = max(1, size / 2)
        guard limit < batchSize else { return (nil, Wakeups()) }
        batchSize = limit
        return (limit, takeIdleWriters())
    }

    struct TickAction {
        /// A writer to take the partial batch the tick allows.
        var wake: Waker?
        /// Drops since the last tick, to log.
        var drops: Int
        /// Events waiting, to record.
        var buffered: Int
    }

    /// A flush interval passed: a partial batch may go.
    mutating func tick() -> TickAction {
        defer { unreportedDrops = 0 }
        guard !buffer.isEmpty else { return TickAction(wake: nil, drops: unreportedDrops, buffered: 0) }
        tickPending = true
        return TickAction(wake: idleWriters.popLast(), drops: unreportedDrops, buffered: buffer.count)
    }

    private var hasBatchReady: Bool {
        !buffer.isEmpty && (buffer.count >= batchSize || partialBatchAllowed)
    }

    private var partialBatchAllowed: Bool {
        tickPending || isClosing || flushWaiters.contains { $0.mark > taken }
    }

    private var isClosing: Bool {
        switch lifecycle {
        case .idle, .running: false
        case .closing, .closed: true
        }
    }

    private var writerShouldExit: Bool { isClosing && buffer.isEmpty }

    private mutating func takeIdleWriters() -> Wakeups {
        defer { idleWriters = [] }
        return Wakeups(writers: idleWriters)
    }
}
