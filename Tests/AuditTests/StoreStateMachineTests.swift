@testable import Audit
import Testing

/// The store's state machine as a plain value: writers, waiters and flushes are named tokens.
private typealias Machine = StoreStateMachine<AuditEvent, String, String>

private func machine(bufferSize: Int = 10, batchSize: Int = 3) -> Machine {
    Machine(bufferSize: bufferSize, batchSize: batchSize)
}

private func store(_ count: Int, in machine: inout Machine) {
    for index in 0..<count {
        guard case .stored = machine.store(makeEvent(index)) else {
            Issue.record("event \(index) was not stored")
            return
        }
    }
}

private func take(_ machine: inout Machine) -> Batch<AuditEvent>? {
    guard case .write(let batch, _) = machine.nextBatch() else { return nil }
    return batch
}

@Suite("StoreStateMachine")
struct StoreStateMachineTests {
    @Test("run starts the writers once: idle → running; a second run is refused; after close it only waits")
    func runTransitions() {
        var state = machine()
        #expect(state.lifecycle == .idle)
        guard case .startWriters(count: 4) = state.runRequested(writers: 4) else { Issue.record("first run"); return }
        #expect(state.lifecycle == .running(writers: 4))
        guard case .alreadyRunning = state.runRequested(writers: 4) else { Issue.record("second run"); return }
        guard case .waitForWriters(let wakeups) = state.closeRequested(writers: 4) else { Issue.record("close"); return }
        #expect(wakeups.writers.isEmpty)
        #expect(state.lifecycle == .closing(writers: 4))
        guard case .waitUntilClosed = state.runRequested(writers: 4) else { Issue.record("run after close"); return }
    }

    @Test("close before run makes the closing task write: idle → closing with its writers; the last writer to leave closes and releases the close waiters")
    func closeBeforeRun() {
        var state = machine()
        store(2, in: &state)
        guard case .writeHere(count: 2) = state.closeRequested(writers: 2) else { Issue.record("close"); return }
        #expect(state.lifecycle == .closing(writers: 2))
        #expect(state.closeWaitRequested(id: state.makeWaiterID(), waker: "closer", cancelled: false) == nil)
        let batch = take(&state)
        #expect(batch?.events.count == 2, "closing lets a partial batch go")
        guard case .exit = state.nextBatch() else { Issue.record("an empty closing store lets writers go"); return }
        #expect(state.batchFinished(batch!, lostEvents: 0).flushes.isEmpty)
        #expect(state.writerExited().closeWaiters.isEmpty)
        #expect(state.lifecycle == .closing(writers: 1))
        #expect(state.writerExited().closeWaiters == ["closer"])
        #expect(state.lifecycle == .closed)
        #expect(state.closeWaitRequested(id: state.makeWaiterID(), waker: "late", cancelled: false) == "late", "a closed store does not make anyone wait")
    }

    @Test("a closing store refuses events; a full one drops and counts them")
    func storeRefusals() {
        var state = machine(bufferSize: 2, batchSize: 2)
        store(2, in: &state)
        guard case .dropped = state.store(makeEvent()) else { Issue.record("full"); return }
        #expect(state.droppedEvents == 1)
        _ = state.closeRequested(writers: 1)
        guard case .refused = state.store(makeEvent()) else { Issue.record("closing"); return }
        #expect(state.droppedEvents == 1, "a refusal is not a drop in the lifetime report")
    }

    @Test("only the event that completes a batch wakes a parked writer; taking a batch wakes another when more is ready")
    func writerWakeups() {
        var state = machine(batchSize: 2)
        _ = state.runRequested(writers: 2)
        #expect(state.writerWaits("w1") == nil)
        #expect(state.writerWaits("w2") == nil)
        guard case .stored(wake: nil) = state.store(makeEvent(0)) else { Issue.record("first event"); return }
        guard case .stored(wake: "w2") = state.store(makeEvent(1)) else { Issue.record("second event"); return }
        store(2, in: &state)
        guard case .write(let batch, wake: "w1") = state.nextBatch() else { Issue.record("take"); return }
        #expect(batch.first == 0 && batch.events.count == 2)
        #expect(state.writerWaits("w3") == "w3", "a batch is ready: the writer looks again at once")
    }

    @Test("a flush lets a partial batch go and completes when its batches finish, counting failures; events stored after it neither hold it nor go early")
    func flushCompletion() throws {
        var state = machine(batchSize: 3)
        _ = state.runRequested(writers: 1)
        store(2, in: &state)
        #expect(state.writerWaits("writer") == nil, "two events are not a batch")
        let wakeups = state.flushRequested(id: state.makeWaiterID(), reply: "flush", cancelled: false)
        #expect(wakeups.writers == ["writer"] && wakeups.flushes.isEmpty)
        store(2, in: &state)
        let taken = take(&state)
        let batch = try #require(taken)
        #expect(batch.events.count == 3)
        let next = take(&state)
        #expect(next == nil, "event 3, stored after the flush, waits for a full batch")
        let done = state.batchFinished(batch, lostEvents: 3).flushes
        #expect(done.map(\.reply) == ["flush"])
        #expect(done.map(\.outcome) == [.failed(batches: 1, events: 3)])
        #expect(state.failedBatches == 1 && state.lostEvents == 3)
        // A second flush covers event 3: it lets that partial batch go, and answers written.
        #expect(state.flushRequested(id: state.makeWaiterID(), reply: "second", cancelled: false).flushes.isEmpty)
        let remaining = take(&state)
        let rest = try #require(remaining)
        #expect(rest.events.count == 1)
        #expect(state.batchFinished(rest, lostEvents: 0).flushes.map(\.outcome) == [.written])
    }

    @Test("an abandoned flush is answered with what it still covered and whether writers ever started; a finished or cancelled one too")
    func flushAbandoned() {
        var idle = machine()
        store(5, in: &idle)
        let id = idle.makeWaiterID()
        #expect(idle.flushRequested(id: id, reply: "flush", cancelled: false).flushes.isEmpty)
        #expect(idle.flushAbandoned(id: id).flushes.map(\.outcome) == [.abandoned(undeliveredEvents: 5, writersStarted: false)])
        #expect(idle.flushAbandoned(id: id).flushes.isEmpty, "answered once")
        #expect(idle.flushRequested(id: idle.makeWaiterID(), reply: "cancelled", cancelled: true).flushes.map(\.outcome)
            == [.abandoned(undeliveredEvents: 5, writersStarted: false)])

        var running = machine(batchSize: 2)
        _ = running.runRequested(writers: 1)
        store(3, in: &running)
        let flush = running.makeWaiterID()
        _ = running.flushRequested(id: flush, reply: "flush", cancelled: false)
        _ = take(&running)  // two events in flight, one buffered
        #expect(running.flushAbandoned(id: flush).flushes.map(\.outcome) == [.abandoned(undeliveredEvents: 3, writersStarted: true)])
        #expect(running.undeliveredEvents == 3)
    }

    @Test("flushes and close waits refuse or withdraw: a flush on a closing store is answered closed; a cancelled close wait is released")
    func withdrawals() {
        var state = machine()
        _ = state.runRequested(writers: 1)
        let waiter = state.makeWaiterID()
        #expect(state.closeWaitRequested(id: waiter, waker: "waiter", cancelled: false) == nil)
        #expect(state.closeWaitCancelled(id: waiter).closeWaiters == ["waiter"])
        #expect(state.closeWaitCancelled(id: waiter).closeWaiters.isEmpty)
        #expect(state.closeWaitRequested(id: state.makeWaiterID(), waker: "cancelled", cancelled: true) == "cancelled")
        _ = state.shutdownRequested()
        #expect(state.flushRequested(id: state.makeWaiterID(), reply: "late", cancelled: false).flushes.map(\.outcome) == [.closed])
    }

    @Test("a batch refused as too large halves the batch size, never below one, never upwards, and wakes the idle writers")
    func batchRefused() {
        var state = machine(batchSize: 10)
        _ = state.runRequested(writers: 1)
        #expect(state.writerWaits("writer") == nil)
        let (lowered, wakeups) = state.batchRefused(size: 10)
        #expect(lowered == 5 && wakeups.writers == ["writer"])
        #expect(state.batchRefused(size: 10).lowered == nil, "a refusal of a larger size says nothing new")
        #expect(state.batchRefused(size: 3).lowered == 1)
        #expect(state.batchRefused(size: 1).lowered == nil)
        #expect(state.batchSize == 1)
    }

    @Test("a tick lets a partial batch go and hands over the drops to log once")
    func tick() {
        var state = machine(bufferSize: 2, batchSize: 2)
        _ = state.runRequested(writers: 1)
        store(1, in: &state)
        guard case .wait = state.nextBatch() else { Issue.record("a partial batch waits"); return }
        #expect(state.writerWaits("writer") == nil)
        store(1, in: &state)
        _ = take(&state)
        store(2, in: &state)
        _ = state.store(makeEvent())
        _ = take(&state)
        store(1, in: &state)
        let tick = state.tick()
        #expect(tick.drops == 1 && tick.buffered == 1)
        #expect(state.tick().drops == 0)
        #expect(take(&state)?.events.count == 1)
    }
}
