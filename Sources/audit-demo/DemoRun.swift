import AsyncHTTPClient
import Audit
import Foundation
import Logging
import OpenAPICodegenAsyncHTTPClient
import Prometheus
import Synchronization

/// One run of the demo against a server: send, watch, flush, read back, summarise.
struct DemoRun: Sendable {
    let contract: DemoContract
    let events: Int
    let producers: Int
    let printMetrics: Bool
    let chaos: Bool
    let logger: Logger

    /// What the producers did: the events `store()` accepted, and how long each call took.
    private struct Produced: Sendable {
        var accepted: [DemoEventKey] = []
        var storeNanoseconds: [Int64] = []
        var bufferFullRetries = 0
    }

    /// Returns whether every accepted event was found in DataStorage exactly once.
    func run(serverURL: URL, server: InProcessServer?) async throws -> Bool {
        let http = HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup, configuration: AsyncHTTPClientTransport.failFastConfiguration())
        do {
            let exact = try await run(serverURL: serverURL, server: server, http: http)
            try await http.shutdown()
            return exact
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func run(serverURL: URL, server: InProcessServer?, http: HTTPClient) async throws -> Bool {
        let transport = AsyncHTTPClientTransport(client: http)
        let client = Client(serverURL: serverURL, transport: transport)
        let registry = PrometheusCollectorRegistry()
        do {
            try await DataStorageProber(client: client, timeout: .seconds(5)).probe()
        } catch {
            throw DemoError(description: "DataStorage at \(serverURL.absoluteString) is not ready: \(error)")
        }
        let gateway = SimulatedGateway()
        let where_ = server == nil ? serverURL.absoluteString : "\(serverURL.absoluteString) (in-process)"
        print("audit-demo: \(events.formatted()) events (\(contract.summary)) from \(producers) gateway producers → BufferedStore → HTTP → datastorage at \(where_)")
        if chaos { print("chaos: once a third of the events are written, the storage goes away for 3 s while the rest are sent") }

        var readServerMetrics: (@Sendable () async throws -> PrometheusText)?
        if server != nil {
            readServerMetrics = { @Sendable in try await Self.serverMetrics(transport, serverURL) }
        }
        let progress = Progress(registry: registry, serverMetrics: readServerMetrics, total: events)
        let startedAt = Date().addingTimeInterval(-1)
        let clock = ContinuousClock()
        let start = clock.now
        let produced: Produced
        switch contract {
        case .envelope:
            let store = try BufferedStore(
                client: client, config: .recommended(for: "gateway"), service: "gateway", logger: logger,
                metricsFactory: PrometheusMetricsFactory(registry: registry))
            produced = try await send(through: store, event: gateway.event, key: gateway.key, server: server, progress: progress)
        case .kubernaut:
            let store = try BufferedStore(
                client: KubernautClient(serverURL: serverURL, transport: transport), config: .recommended(for: "gateway"),
                service: "gateway", logger: logger, metricsFactory: PrometheusMetricsFactory(registry: registry))
            produced = try await send(through: store, event: gateway.kubernautEvent, key: gateway.key, server: server, progress: progress)
        }
        let elapsed = start.duration(to: clock.now)
        let sample = PrometheusText(text: Self.exposition(registry))

        print("reading back what this run sent…")
        let found = try await readBack(client, since: startedAt, expected: Set(produced.accepted))
        let exact = found.missing == 0 && found.duplicated == 0 && produced.accepted.count == events
        printSummary(produced: produced, metrics: sample, elapsed: elapsed, found: found, exact: exact, journal: await progress.journal())
        try await printCorrelation(client, gateway: gateway)
        if printMetrics {
            print("\nPrometheus exposition of the audit store's metrics:")
            print(sample.filtered(to: AuditMetricNames.all))
        }
        return exact
    }

    /// Runs the store, the producers and (under --chaos) the outage; then flushes and closes.
    private func send<Event: AuditContractEvent>(
        through store: BufferedStore<Event>, event: @escaping @Sendable (Int) -> Event, key: @escaping @Sendable (Int) -> DemoEventKey,
        server: InProcessServer?, progress: Progress
    ) async throws -> Produced {
        var produced = Produced()
        // Under --chaos the producers stop at a third until the storage is down, so that the
        // rest of the events certainly meet the outage.
        let outageStarted = chaos ? Gate() : nil
        try await withThrowingTaskGroup(of: Void.self) { background in
            background.addTask { try await store.run() }
            background.addTask { await progress.run() }
            if let outageStarted, let server {
                background.addTask { try await Self.outage(server, after: events / 3, progress: progress, started: outageStarted) }
            }
            produced = try await produce(into: store, event: event, key: key, pausingAtAThirdFor: outageStarted)
            try await store.flush()
            if chaos { try await progress.waitForEmptyJournal() }
            try await store.close()
            progress.stop()
            try await background.waitForAll()
        }
        return produced
    }

    // MARK: Producing

    /// Producers split the events between them. `store()` never waits: when the buffer is
    /// full it drops the event (and counts it), and these producers, which must not lose
    /// any, back off for a millisecond and send it again.
    private func produce<Event: AuditContractEvent>(
        into store: BufferedStore<Event>, event makeEvent: @escaping @Sendable (Int) -> Event, key: @escaping @Sendable (Int) -> DemoEventKey,
        pausingAtAThirdFor gate: Gate?
    ) async throws -> Produced {
        try await withThrowingTaskGroup(of: Produced.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    var produced = Produced()
                    produced.accepted.reserveCapacity(events / producers + 1)
                    produced.storeNanoseconds.reserveCapacity(events / producers + 1)
                    let clock = ContinuousClock()
                    for index in stride(from: producer, to: events, by: producers) {
                        if index >= events / 3, let gate { await gate.wait() }
                        while true {
                            let event = makeEvent(index)
                            let before = clock.now
                            do throws(AuditStoreError) {
                                try store.store(event)
                                let took = before.duration(to: clock.now)
                                produced.storeNanoseconds.append(took.components.seconds * 1_000_000_000 + took.components.attoseconds / 1_000_000_000)
                                produced.accepted.append(key(index))
                                break
                            } catch {
                                guard case .bufferFull = error else { throw error }
                                produced.bufferFullRetries += 1
                                try await Task.sleep(for: .milliseconds(1))
                            }
                        }
                    }
                    return produced
                }
            }
            var all = Produced()
            for try await part in group {
                all.accepted += part.accepted
                all.storeNanoseconds += part.storeNanoseconds
                all.bufferFullRetries += part.bufferFullRetries
            }
            return all
        }
    }

    private static func outage(_ server: InProcessServer, after written: Int, progress: Progress, started: Gate) async throws {
        await progress.waitUntilWritten(written)
        server.repository.isDown = true
        progress.note("chaos: storage down; the server answers 202 and journals to its dead-letter queue")
        started.open()
        try await Task.sleep(for: .seconds(3))
        server.repository.isDown = false
        progress.note("chaos: storage back; the journal replays")
    }

    // MARK: Reading back

    struct Found {
        var found = 0
        var missing = 0
        var duplicated = 0
    }

    /// Every event of this run, page by page, compared with what `store()` accepted (by its
    /// type and correlation ID, which kubernaut's events, without IDs, have too).
    private func readBack(_ client: Client, since: Date, expected: Set<DemoEventKey>) async throws -> Found {
        var seen: [DemoEventKey: Int] = [:]
        var offset = 0
        while true {
            guard case .ok(let page) = try await client.queryAuditEvents(since: RFC3339.format(since), limit: 1000, offset: offset) else {
                throw DemoError(description: "the query at offset \(offset) failed")
            }
            for event in page.data {
                let key = DemoEventKey(correlationID: event.correlationID, type: event.eventType)
                if expected.contains(key) { seen[key, default: 0] += 1 }
            }
            offset += page.data.count
            if !page.pagination.hasMore || page.data.isEmpty { break }
        }
        return Found(found: seen.count, missing: expected.count - seen.count, duplicated: seen.values.filter { $0 > 1 }.count)
    }

    private func printCorrelation(_ client: Client, gateway: SimulatedGateway) async throws {
        let request = (0..<(events / SimulatedGateway.eventsPerRequest)).first { gateway.fails(request: $0) } ?? 0
        let correlationID = gateway.correlationID(forRequest: request)
        guard case .ok(let page) = try await client.queryAuditEvents(correlationID: correlationID) else {
            throw DemoError(description: "the query for \(correlationID) failed")
        }
        print("\nGET /api/v1/audit/events?correlation_id=\(correlationID)  →  \(page.pagination.total) events, newest first")
        for event in page.data {
            let outcome = "\(event.eventOutcome.rawValue)".padding(toLength: 8, withPad: " ", startingAt: 0)
            print("  \(RFC3339.format(event.eventTimestamp))  \(event.eventType.padding(toLength: 28, withPad: " ", startingAt: 0)) \(outcome) \(event.errorCode ?? "")")
        }
    }

    // MARK: Output

    private func printSummary(produced: Produced, metrics: PrometheusText, elapsed: Duration, found: Found, exact: Bool, journal: (queued: Int, replayed: Int)?) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let latencies = produced.storeNanoseconds.sorted()
        func percentile(_ p: Double) -> String {
            guard !latencies.isEmpty else { return "–" }
            let nanoseconds = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
            return nanoseconds < 1000 ? "\(nanoseconds) ns" : String(format: "%.1f µs", Double(nanoseconds) / 1000)
        }
        func count(_ value: Double) -> String { Int(value).formatted() }
        var rows: [(String, String)] = [
            ("sent (accepted by store())", produced.accepted.count.formatted()),
            ("written (audit_events_written_total)", count(metrics.value("audit_events_written_total"))),
            ("dropped (audit_events_dropped_total)", count(metrics.value("audit_events_dropped_total")) + (produced.bufferFullRetries > 0 ? "  (buffer full; each sent again)" : "")),
            ("failed batches (audit_batches_failed_total)", count(metrics.value("audit_batches_failed_total"))),
            ("throughput, store() to flushed", "\(Int(Double(produced.accepted.count) / seconds).formatted()) events/s over \(String(format: "%.2f", seconds)) s"),
            ("store() p50 / p99", "\(percentile(0.5)) / \(percentile(0.99))"),
            ("found in DataStorage", "\(found.found.formatted()) of \(produced.accepted.count.formatted()); missing \(found.missing), duplicated \(found.duplicated)"),
        ]
        if let journal, chaos || journal.queued > 0 {
            rows.append(("dead-letter journal", "\(journal.queued.formatted()) queued during the outage, \(journal.replayed.formatted()) replayed"))
        }
        print("\n  summary")
        for (name, value) in rows { print("  \(name.padding(toLength: 46, withPad: " ", startingAt: 0)) \(value)") }
        print(exact ? "  ✓ every event sent was stored exactly once" : "  ✗ events were lost or duplicated: see the numbers above")
    }

    static func exposition(_ registry: PrometheusCollectorRegistry) -> String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func serverMetrics(_ transport: AsyncHTTPClientTransport, _ url: URL) async throws -> PrometheusText {
        let response = try await transport.send(HTTPRequest(method: .get, path: "/metrics"), serverURL: url, operationID: "metrics")
        return PrometheusText(text: String(decoding: response.body ?? Data(), as: UTF8.self))
    }
}

/// Holds tasks until it opens, once.
final class Gate: Sendable {
    private let state = Mutex<(isOpen: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.waiting.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.resume() }
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
}
