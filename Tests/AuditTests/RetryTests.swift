@testable import Audit
import Foundation
import Logging
import Testing
import TestSupport

/// Stores one batch, flushes, and advances the manual clock through each backoff until the
/// flush returns. Returns the flush's error, if any.
private func flushThroughRetries(_ harness: Harness, retries: Int) async throws -> (any Error)? {
    try harness.store.store(makeEvent())
    return await withTaskGroup(of: (any Error)?.self) { group in
        group.addTask {
            do {
                try await harness.store.flush()
                return nil
            } catch {
                return error
            }
        }
        if retries > 0 {
            for retry in 1...retries {
                await harness.fake.waitForRequests(retry)
                await harness.clock.waitForSleepers(count: 3)  // ticker + flush deadline + backoff
                harness.clock.advance(by: .seconds(retry * retry))
            }
        }
        return await group.next()!
    }
}

@Suite("BufferedStore: retries")
struct RetryTests {
    @Test("a missing token file is a credential error, logged with its path and retried; the batch goes once the file is there")
    func missingTokenFile() async throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "token-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try Harness(middlewares: [BearerTokenMiddleware(provider: FileTokenProvider(path: path, refresh: .everyRequest))])
        try await harness.running {
            try harness.store.store(makeEvent())
            async let flushed: Void = harness.store.flush()
            await harness.clock.waitForSleepers(count: 3)  // ticker + flush deadline + backoff
            #expect(harness.fake.requestCount == 0, "no request goes out without its credential")
            let warning = try #require(harness.logs.all.first { $0.level == .warning })
            #expect(warning.message == "audit write rejected: auth token missing, expired or forbidden; retrying")
            #expect("\(warning.metadata["error"]!)" == "cannot authenticate to the Data Storage Service: no credential: cannot read the bearer token file at \(path)")
            try "token".write(toFile: path, atomically: true, encoding: .utf8)
            harness.clock.advance(by: .seconds(1))
            try await flushed
        }
        #expect(harness.fake.writtenEvents.count == 1)
    }

    @Test("the first two attempts fail: written on the third")
    func recoversAfterTwoFailures() async throws {
        let harness = try Harness(fake: FakeDataStorage { $0 < 2 ? .networkError : .status(201) })
        try await harness.running {
            let error = try await flushThroughRetries(harness, retries: 2)
            #expect(error == nil)
        }
        #expect(harness.fake.requestCount == 3)
        #expect(harness.fake.writtenEvents.count == 1)
    }

    @Test("every attempt fails: nothing written after 1 + maxRetries attempts, batch counted")
    func exhaustsRetries() async throws {
        let harness = try Harness(fake: FakeDataStorage { _ in .networkError })
        try await harness.running {
            let error = try await flushThroughRetries(harness, retries: 3)
            #expect(error as? AuditStoreError == .flushFailed(failedBatches: 1, lostEvents: 1))
        }
        #expect(harness.fake.requestCount == 4)
        #expect(harness.fake.writtenEvents.isEmpty)
        #expect(harness.counter(AuditMetrics.batchesFailedName) == 1)
        let loss = harness.logs.all.first { $0.level == .error }
        #expect(loss?.message == "AUDIT DATA LOSS: Dropping batch after max retries")
        #expect(loss?.metadata["events"] == "1")
        #expect(loss?.metadata["correlation_ids"] == .array(["rr-1"]))
    }

    @Test("not retried: 400, 404, 409, 413, 422 — exactly one attempt", arguments: [400, 404, 409, 413, 422])
    func clientErrors(status: Int) async throws {
        let harness = try Harness(fake: FakeDataStorage { _ in .status(status) })
        try await harness.running {
            let error = try await flushThroughRetries(harness, retries: 0)
            #expect(error as? AuditStoreError == .flushFailed(failedBatches: 1, lostEvents: 1))
        }
        #expect(harness.fake.requestCount == 1)
        #expect(harness.logs.all.contains { $0.message == "Dropping audit batch due to non-retryable client error" })
    }

    @Test("retried: 500, 502, 503, 504 — 1 + maxRetries attempts", arguments: [500, 502, 503, 504])
    func serverErrors(status: Int) async throws {
        let harness = try Harness(fake: FakeDataStorage { _ in .status(status) })
        try await harness.running {
            _ = try await flushThroughRetries(harness, retries: 3)
        }
        #expect(harness.fake.requestCount == 4)
    }

    @Test("a 401 that clears: written on the second attempt")
    func transientAuth() async throws {
        let harness = try Harness(fake: FakeDataStorage { $0 == 0 ? .status(401) : .status(201) })
        try await harness.running {
            let error = try await flushThroughRetries(harness, retries: 1)
            #expect(error == nil)
        }
        #expect(harness.fake.requestCount == 2)
    }

    @Test("a persistent 401 or 403: warnings mention the token, the final error says it dropped", arguments: [401, 403])
    func persistentAuth(status: Int) async throws {
        let harness = try Harness(fake: FakeDataStorage { _ in .status(status) })
        try await harness.running {
            _ = try await flushThroughRetries(harness, retries: 3)
        }
        let warnings = harness.logs.all.filter { $0.level == .warning }
        #expect(warnings.count == 3)
        #expect(warnings.allSatisfy { $0.message.contains("auth token") })
        #expect(harness.logs.all.last { $0.level == .error }?.message.contains("Dropping batch after max retries") == true)
    }

    @Test("maxRetries 0 means one attempt, not none")
    func noRetries() async throws {
        let harness = try Harness(config: Harness.config { $0.maxRetries = 0 }, fake: FakeDataStorage { _ in .status(503) })
        try await harness.running {
            _ = try await flushThroughRetries(harness, retries: 0)
        }
        #expect(harness.fake.requestCount == 1)
    }

    @Test("backoff is attempt² × base on the injected clock: 1 s, 4 s, 9 s")
    func backoffSchedule() async throws {
        let harness = try Harness(fake: FakeDataStorage { _ in .status(503) })
        try await harness.running {
            _ = try await flushThroughRetries(harness, retries: 3)
        }
        let config = harness.store.config
        let backoffs = harness.clock.requestedSleeps.filter { $0 != config.flushInterval && $0 != config.closeTimeout && $0 != config.flushTimeout }
        #expect(backoffs == [.seconds(1), .seconds(4), .seconds(9)])
    }

    @Test("jitter spreads each wait by at most ±10 %")
    func jitter() {
        for retry in 1...3 {
            let nominal = Duration.seconds(retry * retry)
            #expect(RetryPolicy.delay(forRetry: retry, base: .seconds(1), jitter: 0.1) { -1 } == nominal * 0.9)
            #expect(RetryPolicy.delay(forRetry: retry, base: .seconds(1), jitter: 0.1) { 1 } == nominal * 1.1)
            let random = RetryPolicy.delay(forRetry: retry, base: .seconds(1), jitter: 0.1)
            #expect(random >= nominal * 0.9 && random <= nominal * 1.1)
        }
    }

    @Test("a batch DataStorage refuses as too large (400 batch-size-exceeded) goes again in smaller pieces, nothing lost; later batches are taken smaller")
    func batchTooLarge() async throws {
        let harness = try Harness(config: Harness.config { $0.maxConcurrentBatches = 1 }, fake: FakeDataStorage(maxBatch: 4))
        try await harness.running {
            for index in 0..<10 { try harness.store.store(makeEvent(index)) }
            try await harness.store.flush()
            // 10 refused: the batch size drops to 5; a piece of 5 refused: to 2.
            #expect(harness.fake.requestedBatches.map(\.count) == [10, 5, 2, 2, 1, 2, 2, 1])
            for index in 10..<13 { try harness.store.store(makeEvent(index)) }
            try await harness.store.flush()
        }
        #expect(harness.fake.requestedBatches.map(\.count).suffix(2) == [2, 1])
        let written = harness.fake.writtenEvents.map { $0.eventData.envelope?.payload }
        #expect(written == (0..<13).map { ["n": .int($0)] }, "every event once, in order")
        #expect(harness.counter(AuditMetrics.batchesFailedName) == 0)
        let warnings = harness.logs.all.filter { $0.message == "Data Storage refused an audit batch as too large; writing smaller batches" }
        #expect(warnings.map { "\($0.metadata["refused_events"]!)/\($0.metadata["batch_size"]!)" } == ["10/5", "5/2"])
    }

    @Test("a single event refused as too large is lost and reported, not retried forever")
    func singleEventTooLarge() async throws {
        let harness = try Harness(fake: FakeDataStorage(maxBatch: 0))
        try await harness.running {
            try harness.store.store(makeEvent())
            await #expect(throws: AuditStoreError.flushFailed(failedBatches: 1, lostEvents: 1)) { try await harness.store.flush() }
        }
        #expect(harness.fake.requestCount == 1)
    }

    @Test("an attempt that hangs times out on the clock and is retried")
    func attemptTimeout() async throws {
        let config = Harness.config { $0.attemptTimeout = .seconds(30) }
        let harness = try Harness(config: config, fake: FakeDataStorage { $0 == 0 ? .hang : .status(201) })
        try await harness.running {
            try harness.store.store(makeEvent())
            async let flushed: Void = harness.store.flush()
            await harness.fake.waitForRequests(1)
            await harness.clock.waitForSleepers(count: 3)  // ticker + flush deadline + attempt timeout
            harness.clock.advance(by: .seconds(30))
            await harness.clock.waitForSleepers(count: 3)  // ticker + flush deadline + backoff
            harness.clock.advance(by: .seconds(1))
            try await flushed
        }
        #expect(harness.fake.requestCount == 2)
        #expect(harness.fake.writtenEvents.count == 1)
    }

    @Test("202 (queued by the server) counts as written and is not retried")
    func acceptedIsWritten() async throws {
        let harness = try Harness(fake: FakeDataStorage { _ in .status(202) })
        try await harness.running {
            let error = try await flushThroughRetries(harness, retries: 0)
            #expect(error == nil)
        }
        #expect(harness.fake.requestCount == 1)
        #expect(harness.counter(AuditMetrics.writtenName) == 1)
    }
}
