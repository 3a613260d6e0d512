@testable import Audit
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite("BufferedStore: storing")
struct StoringTests {
    @Test("a valid event is accepted and written; the request is a JSON POST to the batch path")
    func validEvent() async throws {
        let harness = try Harness()
        try await harness.running {
            try harness.store.store(makeEvent())
            try await harness.store.flush()
        }
        #expect(harness.fake.writtenEvents.count == 1)
        #expect(harness.fake.paths == ["/api/v1/audit/events/batch"])
        #expect(harness.fake.methods == [.post])
        #expect(harness.fake.contentTypes == ["application/json"])
    }

    @Test("an empty event is refused with every violation, and is not a drop")
    func invalidEvent() throws {
        let harness = try Harness()
        var event = makeEvent()
        event.version = ""
        event.eventType = ""
        event.correlationID = ""
        event.eventData.envelope?.payload = .null
        #expect {
            try harness.store.store(event)
        } throws: { error in
            guard case AuditStoreError.invalidEvent(let validation) = error else { return false }
            return validation.violations.map(\.jsonPath) == ["$.version", "$.event_type", "$.correlation_id", "$.event_data.payload"]
                && "\(error)".hasPrefix("invalid audit event:")
        }
        #expect(harness.counter(AuditMetrics.droppedName) == 0)
        #expect(harness.counter(AuditMetrics.bufferedName) == 0)
    }

    @Test("an event without an ID gets one before it is buffered, and a retry resends the same ID")
    func assignsEventID() async throws {
        let harness = try Harness(fake: FakeDataStorage { $0 == 0 ? .status(503) : .status(201) })
        var event = makeEvent()
        event.eventID = nil
        try await harness.running {
            try harness.store.store(event)
            async let flushed: Void = harness.store.flush()
            await harness.fake.waitForRequests(1)
            await harness.clock.waitForSleepers(count: 3)  // ticker + flush deadline + backoff
            harness.clock.advance(by: .seconds(1))
            try await flushed
        }
        let attempts = harness.fake.requestedBatches
        #expect(attempts.count == 2)
        #expect(attempts[0][0].eventID != nil)
        #expect(attempts[0][0].eventID == attempts[1][0].eventID)
    }

    @Test("a full buffer drops and counts; buffer 5, batch 5, a stuck writer and 20 rapid events")
    func bufferFull() async throws {
        let config = Harness.config { $0.bufferSize = 5; $0.batchSize = 5; $0.maxConcurrentBatches = 1 }
        let harness = try Harness(config: config, fake: FakeDataStorage { $0 == 0 ? .hang : .status(201) })
        try await harness.running {
            var full = 0
            for index in 0..<5 { try harness.store.store(makeEvent(index)) }
            await harness.fake.waitForRequests(1)  // the writer holds 5 events, stuck
            for index in 5..<20 {
                do {
                    try harness.store.store(makeEvent(index, correlationID: "rr-\(index)"))
                } catch AuditStoreError.bufferFull(let correlationID) {
                    #expect(correlationID == "rr-\(index)")
                    full += 1
                }
            }
            #expect(full == 10)
            #expect(harness.counter(AuditMetrics.droppedName) == 10)
            #expect(harness.counter(AuditMetrics.bufferedName) == 10)
            harness.fake.releaseHangingRequests()
        }
        #expect(harness.fake.writtenEvents.count == 10)
    }

    @Test("store after close throws .closed; never silent")
    func storeAfterClose() async throws {
        let harness = try Harness()
        try await harness.running {
            try await harness.store.close()
            #expect(throws: AuditStoreError.closed) { try harness.store.store(makeEvent()) }
        }
        #expect(harness.counter(AuditMetrics.droppedName) == 1)
    }

    @Test("ten producers × ten events: all 100 written, each once")
    func concurrentProducers() async throws {
        let harness = try Harness()
        try await harness.running {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<10 {
                    group.addTask {
                        for index in 0..<10 { try harness.store.store(makeEvent(producer * 10 + index)) }
                    }
                }
                try await group.waitForAll()
            }
            try await harness.store.flush()
        }
        let ids = harness.fake.writtenEvents.map(\.eventID)
        #expect(ids.count == 100)
        #expect(Set(ids).count == 100)
    }
}

@Suite("BufferedStore: batching")
struct BatchingTests {
    @Test("batch size 10 and 10 events: one batch of 10, with no timer")
    func fullBatch() async throws {
        let harness = try Harness()
        try await harness.running {
            for index in 0..<10 { try harness.store.store(makeEvent(index)) }
            await harness.fake.waitForRequests(1)
        }
        #expect(harness.fake.writtenBatches.map(\.count) == [10])
    }

    @Test("batch size 10, interval 200 ms, 5 events: one batch of 5 once the interval passes")
    func partialBatch() async throws {
        let harness = try Harness(config: Harness.config { $0.flushInterval = .milliseconds(200) })
        try await harness.running {
            for index in 0..<5 { try harness.store.store(makeEvent(index)) }
            await harness.clock.waitForSleepers(count: 1)
            #expect(harness.fake.requestCount == 0)
            harness.clock.advance(by: .milliseconds(200))
            await harness.fake.waitForRequests(1)
        }
        #expect(harness.fake.writtenBatches.map(\.count) == [5])
    }

    @Test("flush drains everything, in batches of at most batchSize")
    func flushDrainsInBatches() async throws {
        let harness = try Harness(config: Harness.config { $0.maxConcurrentBatches = 1 })
        try await harness.running {
            for index in 0..<25 { try harness.store.store(makeEvent(index)) }
            try await harness.store.flush()
            #expect(harness.fake.writtenEvents.count == 25)
        }
        #expect(harness.fake.writtenBatches.map(\.count).sorted() == [5, 10, 10])
    }

    @Test("an empty flush sends nothing")
    func emptyFlush() async throws {
        let harness = try Harness()
        try await harness.running {
            try await harness.store.flush()
        }
        #expect(harness.fake.requestCount == 0)
    }

    @Test("a batch being retried does not stop the buffer from draining")
    func retryDoesNotBlock() async throws {
        // The first request fails and waits for its backoff; later batches still go out.
        let harness = try Harness(config: Harness.config { $0.maxConcurrentBatches = 2 }, fake: FakeDataStorage { $0 == 0 ? .status(503) : .status(201) })
        try await harness.running {
            for index in 0..<10 { try harness.store.store(makeEvent(index)) }
            await harness.fake.waitForRequests(1)
            await harness.clock.waitForSleepers(count: 2)  // ticker + the failed batch's backoff
            for index in 10..<30 { try harness.store.store(makeEvent(index)) }
            await harness.fake.waitForRequests(3)
            #expect(harness.fake.writtenEvents.count == 20, "two batches written while the first waits to retry")
            harness.clock.advance(by: .seconds(1))
            try await harness.store.flush()
        }
        #expect(harness.fake.writtenEvents.count == 30)
    }
}

@Suite("BufferedStore: flush and close")
struct ShutdownTests {
    @Test("flush returns the real outcome: it throws when a flushed batch was dropped")
    func flushReportsFailure() async throws {
        let harness = try Harness(config: Harness.config { $0.batchSize = 20 }, fake: FakeDataStorage { _ in .status(400) })
        try await harness.running {
            for index in 0..<15 { try harness.store.store(makeEvent(index)) }
            await #expect(throws: AuditStoreError.flushFailed(failedBatches: 1, lostEvents: 15)) {
                try await harness.store.flush()
            }
        }
    }

    @Test("close without run() still delivers what is buffered")
    func closeWithoutRun() async throws {
        let harness = try Harness()
        for index in 0..<5 { try harness.store.store(makeEvent(index)) }
        try await harness.store.close()
        #expect(harness.fake.writtenBatches.map(\.count) == [5])
    }

    @Test("five events then close: close succeeds and writes one batch of five; closing an empty store succeeds")
    func closeFlushes() async throws {
        let harness = try Harness()
        try await harness.running {
            for index in 0..<5 { try harness.store.store(makeEvent(index)) }
            try await harness.store.close()
            #expect(harness.fake.writtenBatches.map(\.count) == [5])
        }
        let empty = try Harness()
        try await empty.running {
            try await empty.store.close()
        }
        #expect(empty.fake.requestCount == 0)
    }

    @Test("close is idempotent")
    func closeTwice() async throws {
        let harness = try Harness()
        try await harness.running {
            try harness.store.store(makeEvent())
            try await harness.store.close()
            try await harness.store.close()
        }
        #expect(harness.fake.writtenEvents.count == 1)
    }

    @Test("every write fails, 20 events, then close: close reports the failed batches")
    func closeReportsLosses() async throws {
        let harness = try Harness(config: Harness.config { $0.maxRetries = 0 }, fake: FakeDataStorage { _ in .networkError })
        try await harness.running {
            for index in 0..<20 { try harness.store.store(makeEvent(index)) }
            await #expect {
                try await harness.store.close()
            } throws: { error in
                guard case AuditStoreError.closedWithLosses(0, 2, 20) = error else { return false }
                return "\(error)".contains("2 batch(es) with 20 event(s) failed")
            }
        }
    }

    @Test("close gives up after closeTimeout when a write hangs, and says how much is undelivered")
    func closeTimeout() async throws {
        let config = Harness.config { $0.closeTimeout = .seconds(30) }
        let harness = try Harness(config: config, fake: FakeDataStorage { _ in .hang })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await harness.store.run() }
            for index in 0..<3 { try harness.store.store(makeEvent(index)) }
            let closing = Task { try await harness.store.close() }
            await harness.fake.waitForRequests(1)
            await harness.clock.waitForSleepers(count: 2)  // ticker + close timeout
            harness.clock.advance(by: .seconds(30))
            await #expect(throws: AuditStoreError.closeTimedOut(undeliveredEvents: 3)) { try await closing.value }
            // Cancelling run() abandons the hung write; the batch is then counted as lost.
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(harness.counter(AuditMetrics.batchesFailedName) == 1)
    }

    @Test("a flush waiting when the store closes fails with .closed, a flush after close too")
    func flushAfterClose() async throws {
        let harness = try Harness()
        try await harness.running {
            try await harness.store.close()
            await #expect(throws: AuditStoreError.closed) { try await harness.store.flush() }
        }
    }

    @Test("a flush on a store whose writers never started gives up at its deadline and says why; the events stay buffered and close() writes them")
    func flushWithoutWriters() async throws {
        let harness = try Harness()
        for index in 0..<4 { try harness.store.store(makeEvent(index)) }
        let flushing = Task { try await harness.store.flush(timeout: .seconds(5)) }
        await harness.clock.waitForSleepers(count: 1)  // the flush deadline
        harness.clock.advance(by: .seconds(5))
        await #expect {
            try await flushing.value
        } throws: { error in
            error as? AuditStoreError == .flushTimedOut(after: .seconds(5), undeliveredEvents: 4, writersStarted: false)
                && "\(error)" == "audit flush timed out after 5.0 seconds: 4 event(s) undelivered; the store's writers never started (run it in a ServiceGroup, or call run())"
        }
        #expect(harness.fake.requestCount == 0)
        try await harness.store.close()
        #expect(harness.fake.writtenEvents.count == 4)
    }

    @Test("a flush whose write hangs gives up at its deadline, counting what it covered; a flush started before run() is served once run() starts")
    func flushDeadlineWhileRunning() async throws {
        let harness = try Harness(config: Harness.config { $0.maxConcurrentBatches = 1 }, fake: FakeDataStorage { $0 == 1 ? .hang : .status(201) })
        for index in 0..<3 { try harness.store.store(makeEvent(index)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Started before the writers: it must not fail for that, only wait for them.
            async let early: Void = harness.store.flush(timeout: .seconds(60))
            await harness.clock.waitForSleepers(count: 1)
            group.addTask { try await harness.store.run() }
            try await early
            for index in 3..<5 { try harness.store.store(makeEvent(index)) }
            let late = Task { try await harness.store.flush(timeout: .seconds(5)) }
            await harness.fake.waitForRequests(2)  // the second batch hangs
            await harness.clock.waitForSleeper(until: harness.clock.now.advanced(by: .seconds(5)))
            harness.clock.advance(by: .seconds(5))
            await #expect(throws: AuditStoreError.flushTimedOut(after: .seconds(5), undeliveredEvents: 2, writersStarted: true)) { try await late.value }
            harness.fake.releaseHangingRequests()
            try await harness.store.close()
            try await group.waitForAll()
        }
        #expect(harness.fake.writtenEvents.count == 5)
    }

    @Test("cancelling a flush ends it with CancellationError at once; the events it covered are still written")
    func flushCancelled() async throws {
        let harness = try Harness(fake: FakeDataStorage { $0 == 0 ? .hang : .status(201) })
        try await harness.running {
            try harness.store.store(makeEvent())
            let flushing = Task { try await harness.store.flush() }
            await harness.fake.waitForRequests(1)
            flushing.cancel()
            await #expect(throws: CancellationError.self) { try await flushing.value }
            harness.fake.releaseHangingRequests()
            try await harness.store.flush()
        }
        #expect(harness.fake.writtenEvents.count == 1)
    }

    @Test("store racing close: no crash, every accepted event written, every other one reported", arguments: 0..<4)
    func storeRacingClose(round: Int) async throws {
        for _ in 0..<500 {
            let harness = try Harness(config: Harness.config { $0.bufferSize = 1000; $0.batchSize = 7 })
            let accepted = Tally()
            let refused = Tally()
            try await harness.running {
                await withTaskGroup(of: Void.self) { group in
                    for producer in 0..<3 {
                        group.addTask {
                            for index in 0..<20 {
                                do {
                                    try harness.store.store(makeEvent(producer * 100 + index))
                                    accepted.increment()
                                } catch {
                                    #expect(error as? AuditStoreError == .closed)
                                    refused.increment()
                                }
                            }
                        }
                    }
                    group.addTask { try? await harness.store.close() }
                }
            }
            #expect(harness.fake.writtenEvents.count == accepted.value)
            #expect(accepted.value + refused.value == 60)
        }
    }

    @Test("run() twice is refused")
    func runTwice() async throws {
        let harness = try Harness()
        try await harness.running {
            try harness.store.store(makeEvent())
            try await harness.store.flush()  // the first run() is certainly going
            await #expect(throws: AuditStoreError.alreadyRunning) { try await harness.store.run() }
        }
    }
}

