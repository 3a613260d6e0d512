@testable import Audit
import Foundation
import Logging
import MetricsTestKit
import Synchronization
import Testing
import TestSupport

/// An in-memory DataStorage: answers batch writes by script and records what arrived.
final class FakeDataStorage: ClientTransport {
    enum Reply: Sendable {
        case status(Int)
        case networkError
        /// Never answers, until the request is cancelled.
        case hang
        /// 400 `batch-size-exceeded`, as DataStorage answers a batch above its maximum.
        case batchTooLarge
    }

    struct NetworkError: Error {}

    private struct State {
        var requests: [[AuditEvent]] = []
        var written: [[AuditEvent]] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var paths: [String] = []
        var methods: [HTTPMethod] = []
        var contentTypes: [String?] = []
        var hanging: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextHangID = 0
        var released = false
    }

    private let state = Mutex(State())
    private let script: @Sendable (_ request: Int) -> Reply
    private let maxBatch: Int

    /// `script` picks the reply for the n-th request (0-based); a batch above `maxBatch`
    /// events is refused as too large whatever the script says.
    init(maxBatch: Int = .max, _ script: @escaping @Sendable (_ request: Int) -> Reply = { _ in .status(201) }) {
        self.maxBatch = maxBatch
        self.script = script
    }

    func send(_ request: HTTPRequest, serverURL: URL, operationID: String) async throws -> HTTPResponse {
        let events = try JSONDecoder().decode([AuditEvent].self, from: request.body ?? Data())
        let index = state.withLock { state in
            state.requests.append(events)
            state.paths.append(request.path)
            state.methods.append(request.method)
            state.contentTypes.append(request.headers["Content-Type"])
            return state.requests.count - 1
        }
        var reply = events.count > maxBatch ? .batchTooLarge : script(index)
        if case .hang = reply {
            notifyWaiters(recording: nil)
            // Hangs until cancelled (the request fails) or released (it succeeds).
            guard await hangUntilReleased() else { throw CancellationError() }
            reply = .status(201)
            state.withLock { $0.written.append(events) }
        } else if case .status(let status) = reply, (200..<300).contains(status) {
            notifyWaiters(recording: events)
        } else {
            notifyWaiters(recording: nil)
        }
        switch reply {
        case .status(let status) where (200..<300).contains(status):
            let ids = events.map { "\"\($0.eventID!.uuidString.lowercased())\"" }.joined(separator: ",")
            let body = status == 202 ? #"{"status":"accepted","message":"queued","count":\#(events.count)}"# : #"{"event_ids":[\#(ids)],"message":"stored"}"#
            return HTTPResponse(statusCode: status, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
        case .status(let status):
            let body = #"{"type":"https://example.test/problems/\#(status)","title":"status \#(status)","status":\#(status),"detail":"scripted \#(status)"}"#
            return HTTPResponse(statusCode: status, headers: ["Content-Type": "application/problem+json"], body: Data(body.utf8))
        case .batchTooLarge:
            let body = #"{"type":"https://kubernaut.ai/problems/batch-size-exceeded","title":"Bad Request","status":400,"detail":"batch of \#(events.count) events exceeds the maximum of \#(maxBatch)"}"#
            return HTTPResponse(statusCode: 400, headers: ["Content-Type": "application/problem+json"], body: Data(body.utf8))
        case .networkError:
            throw NetworkError()
        case .hang:
            throw CancellationError()
        }
    }

    /// Records a written batch (if any), then wakes tests waiting for this many requests.
    private func notifyWaiters(recording written: [AuditEvent]?) {
        let ready = state.withLock { state in
            if let written { state.written.append(written) }
            let count = state.requests.count
            let ready = state.waiters.filter { $0.count <= count }
            state.waiters.removeAll { $0.count <= count }
            return ready
        }
        ready.forEach { $0.continuation.resume() }
    }

    /// True when released, false when the request was cancelled.
    private func hangUntilReleased() async -> Bool {
        let id = state.withLock { state in
            state.nextHangID += 1
            return state.nextHangID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let outcome = state.withLock { state -> Bool? in
                    if state.released { return true }
                    if Task.isCancelled { return false }
                    state.hanging[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(returning: outcome) }
            }
        } onCancel: {
            state.withLock { $0.hanging.removeValue(forKey: id) }?.resume(returning: false)
        }
    }

    /// Lets every hanging request (and any later one) succeed.
    func releaseHangingRequests() {
        let hanging = state.withLock { state in
            state.released = true
            defer { state.hanging = [:] }
            return state.hanging.values
        }
        hanging.forEach { $0.resume(returning: true) }
    }

    /// Returns once at least `count` requests have arrived.
    func waitForRequests(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.requests.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    var requestCount: Int { state.withLock { $0.requests.count } }
    /// Every batch received, failed attempts included.
    var requestedBatches: [[AuditEvent]] { state.withLock { $0.requests } }
    var writtenBatches: [[AuditEvent]] { state.withLock { $0.written } }
    var writtenEvents: [AuditEvent] { writtenBatches.flatMap { $0 } }
    var paths: [String] { state.withLock { $0.paths } }
    var methods: [HTTPMethod] { state.withLock { $0.methods } }
    var contentTypes: [String?] { state.withLock { $0.contentTypes } }
}

/// Keeps every log record for assertions.
final class LogRecorder: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    var logger: Logger {
        Logger(label: "audit-test") { _ in RecordingHandler(recorder: self) }
    }

    private struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            recorder.append(Record(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}

/// Everything one store test needs, wired together.
struct Harness {
    let fake: FakeDataStorage
    let clock = ManualClock()
    let metrics = TestMetrics()
    let logs = LogRecorder()
    let store: BufferedStore<AuditEvent>

    /// A test config: deterministic backoff, no attempt time-out, a flush interval and a
    /// flush deadline that only pass when a test advances the clock that far.
    static func config(_ change: (inout AuditConfig) -> Void = { _ in }) -> AuditConfig {
        var config = AuditConfig(
            bufferSize: 100, batchSize: 10, flushInterval: .seconds(3600), retryJitter: 0, attemptTimeout: nil, flushTimeout: .seconds(86_400))
        change(&config)
        return config
    }

    init(config: AuditConfig = Harness.config(), fake: FakeDataStorage = FakeDataStorage(), middlewares: [any ClientMiddleware] = []) throws {
        self.fake = fake
        let client = Client(serverURL: URL(string: "http://datastorage.test")!, transport: fake, middlewares: middlewares)
        store = try BufferedStore(client: client, config: config, service: "gateway", logger: logs.logger, clock: clock, metricsFactory: metrics)
    }

    /// Runs the store's writers around `body`, then closes the store and waits for `run()` to end.
    func running(_ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            try await body()
            try? await store.close()
            try await group.waitForAll()
        }
    }

    func counter(_ name: String) -> Int64 {
        (try? metrics.expectCounter(name, [("service", "gateway")]).totalValue) ?? 0
    }
}

func makeEvent(_ index: Int = 0, correlationID: String = "rr-1") -> AuditEvent {
    AuditEvent(
        type: "gateway.signal.received", category: .gateway, action: "received", outcome: .success,
        correlationID: correlationID,
        data: CommonEnvelope(service: "gateway", operation: "receive", status: "ok", payload: ["n": .int(index)]))
}

/// A count shared by concurrent tasks.
final class Tally: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    func decrement() { count.withLock { $0 -= 1 } }
    var value: Int { count.withLock { $0 } }
}
