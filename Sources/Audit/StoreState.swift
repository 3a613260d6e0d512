/// A batch taken from the buffer: events with consecutive sequence numbers from `first`.
struct Batch: Sendable {
    let first: UInt64
    let events: [AuditEvent]
}

/// What a flush is waiting for: every event stored before it (sequence < `mark`) to be
/// taken and its batch finished.
struct FlushWaiter {
    let mark: UInt64
    var failedBatches = 0
    var lostEvents = 0
    let continuation: CheckedContinuation<FlushOutcome, Never>
}

enum FlushOutcome: Sendable {
    case written
    case failed(batches: Int, events: Int)
    case closed
}

/// Everything a ``BufferedStore`` shares between producers and writers. It lives behind
/// one lock; methods decide, and return the continuations the caller resumes after
/// unlocking.
struct StoreState: ~Copyable {
    enum Phase { case open, closing, closed }

    var phase = Phase.open
    var buffer: RingBuffer<AuditEvent>
    /// Events ever accepted; the next event's sequence number.
    var appended: UInt64 = 0
    /// Events ever moved into batches.
    var taken: UInt64 = 0
    /// Batches being written, by first sequence number.
    var inFlight: [UInt64: Int] = [:]
    /// A flush interval passed while events waited: a partial batch may go.
    var tickPending = false
    var writerStarted = false
    var activeWriters = 0
    var idleWriters: [CheckedContinuation<Void, Never>] = []
    var flushWaiters: [FlushWaiter] = []
    /// Tasks waiting for the store to close, by an ID that lets a cancelled wait withdraw.
    var closeWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextWaiterID = 0
    /// Lifetime totals, reported by `close()`.
    var droppedEvents = 0
    var failedBatches = 0
    var lostEvents = 0
    /// Drops not yet logged; the writer logs them, so that `store` never logs on the hot path.
    var unreportedDrops = 0

    /// A state whose buffer holds up to `bufferSize` events.
    init(bufferSize: Int) {
        buffer = RingBuffer(capacity: bufferSize)
    }

    enum AppendResult {
        case stored(wake: CheckedContinuation<Void, Never>?)
        case full
        case closed
    }

    mutating func append(_ event: consuming AuditEvent, batchSize: Int) -> AppendResult {
        guard phase == .open else { return .closed }
        guard !buffer.isFull else {
            droppedEvents += 1
            unreportedDrops += 1
            return .full
        }
        buffer.append(event)
        appended += 1
        // Only the event that completes a batch wakes a writer, so most stores touch no continuation.
        return .stored(wake: buffer.count == batchSize ? idleWriters.popLast() : nil)
    }

    func hasBatchReady(batchSize: Int) -> Bool {
        !buffer.isEmpty && (buffer.count >= batchSize || partialBatchAllowed)
    }

    private var partialBatchAllowed: Bool {
        tickPending || phase != .open || flushWaiters.contains { $0.mark > taken }
    }

    /// The next batch a writer should send, and another writer to wake when more is ready.
    mutating func takeBatch(batchSize: Int) -> (batch: Batch, wake: CheckedContinuation<Void, Never>?)? {
        guard hasBatchReady(batchSize: batchSize) else { return nil }
        let count = min(batchSize, buffer.count)
        let batch = Batch(first: taken, events: buffer.take(count))
        inFlight[taken] = count
        taken += UInt64(count)
        if buffer.isEmpty { tickPending = false }
        return (batch, hasBatchReady(batchSize: batchSize) ? idleWriters.popLast() : nil)
    }

    /// Whether a writer with nothing to take should stop for good.
    var writerShouldExit: Bool { phase != .open && buffer.isEmpty }

    /// Records a finished batch; returns the flushes it completes with their outcomes.
    mutating func finish(_ batch: Batch, written: Bool) -> [(CheckedContinuation<FlushOutcome, Never>, FlushOutcome)] {
        inFlight[batch.first] = nil
        if !written {
            failedBatches += 1
            lostEvents += batch.events.count
            for index in flushWaiters.indices where batch.first < flushWaiters[index].mark {
                flushWaiters[index].failedBatches += 1
                flushWaiters[index].lostEvents += batch.events.count
            }
        }
        return completedFlushes()
    }

    mutating func completedFlushes() -> [(CheckedContinuation<FlushOutcome, Never>, FlushOutcome)] {
        var done: [(CheckedContinuation<FlushOutcome, Never>, FlushOutcome)] = []
        flushWaiters.removeAll { waiter in
            guard taken >= waiter.mark, !inFlight.keys.contains(where: { $0 < waiter.mark }) else { return false }
            let outcome: FlushOutcome = waiter.failedBatches == 0
                ? .written : .failed(batches: waiter.failedBatches, events: waiter.lostEvents)
            done.append((waiter.continuation, outcome))
            return true
        }
        return done
    }

    /// Moves to closed once the last writer has left, failing any flush still waiting.
    mutating func writerExited() -> (closeWaiters: [CheckedContinuation<Void, Never>], flushes: [CheckedContinuation<FlushOutcome, Never>]) {
        activeWriters -= 1
        guard activeWriters == 0, phase != .open else { return ([], []) }
        phase = .closed
        let waiters = Array(closeWaiters.values)
        closeWaiters = [:]
        let flushes = flushWaiters.map(\.continuation)
        flushWaiters = []
        return (waiters, flushes)
    }

    /// Everything waiting for work, to be woken because the rules just changed.
    mutating func takeIdleWriters() -> [CheckedContinuation<Void, Never>] {
        defer { idleWriters = [] }
        return idleWriters
    }

    var undeliveredEvents: Int { buffer.count + inFlight.values.reduce(0, +) }
}
