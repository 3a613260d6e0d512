import Audit
import Benchmark
import Foundation
import Logging

/// Issue B's targets. Each benchmark's name carries its target.

/// A DataStorage that accepts every batch at once, in memory.
let sink = InMemoryTransport { _, _ in
    HTTPResponse(statusCode: 201, headers: ["Content-Type": "application/json"], body: Data(#"{"event_ids":[],"message":"ok"}"#.utf8))
}

func makeEvents(_ count: Int) -> [AuditEvent] {
    (0..<count).map { index in
        AuditEvent(
            type: "gateway.signal.received", category: .gateway, action: "received", outcome: .success,
            correlationID: "rr-2025-\(index % 977)", data: CommonEnvelope(
                service: "gateway", operation: "receive_signal", status: "ok",
                payload: ["signal": "HighMemoryUsage", "namespace": "payment", "fingerprint": .string("fp-\(index)"), "count": .int(index)]),
            actorType: "service", actorID: "gateway-service", resourceType: "Signal", resourceID: "fp-\(index)", namespace: "payment")
    }
}

/// The same events in kubernaut's shape, as its gateway sends them: datastorage reads their
/// `event_data` through the same union, after trying the envelope.
func makeKubernautShapedEvents(_ count: Int) throws -> [AuditEvent] {
    try makeEvents(count).enumerated().map { index, event in
        var event = event
        let payload = #"{"event_type": "gateway.signal.received", "signal_type": "alert", "signal_name": "HighMemoryUsage", "namespace": "payment", "fingerprint": "fp-\#(index)", "occurrence_count": 1, "signal_labels": {"team": "core"}}"#
        event.eventData = .kubernautEventData(try JSONDecoder().decode(KubernautEventData.self, from: Data(payload.utf8)))
        return event
    }
}

/// A store with writers running into the in-memory sink and room for every event a run stores.
func withRunningStore(bufferSize: Int, _ body: (BufferedStore<AuditEvent>) async throws -> Void) async throws {
    let client = Client(serverURL: URL(string: "http://sink")!, transport: sink)
    var config = AuditConfig.default
    config.bufferSize = bufferSize
    let store = try BufferedStore(client: client, config: config, service: "bench", logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await store.run() }
        try await body(store)
        try await store.close()
        try await group.waitForAll()
    }
}

/// Events per second two producers store, with or without the writers draining meanwhile
/// (on two cores the writers' encoding competes with the producers).
func twoProducerRate(eventsPerProducer: Int, writersRunning: Bool) async throws -> Int {
    let events = makeEvents(1000)
    let client = Client(serverURL: URL(string: "http://sink")!, transport: sink)
    var config = AuditConfig.default
    config.bufferSize = 2 * eventsPerProducer
    let store = try BufferedStore(client: client, config: config, service: "bench", logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
    return try await withThrowingTaskGroup(of: Void.self) { group in
        if writersRunning { group.addTask { try await store.run() } }
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { producers in
            for _ in 0..<2 {
                producers.addTask {
                    for index in 0..<eventsPerProducer { try store.store(events[index % 1000]) }
                }
            }
            try await producers.waitForAll()
        }
        let elapsed = start.duration(to: clock.now)
        if writersRunning { try await store.close() }
        try await group.waitForAll()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Int(Double(2 * eventsPerProducer) / seconds)
    }
}

/// The median time of a fixed piece of CPU work (SipHash of 256 bytes), timed one by one:
/// the machine's speed at that moment, reported beside a figure measured in the same run.
func machineControlNanoseconds() -> Int {
    let clock = ContinuousClock()
    let block = [UInt8](repeating: 7, count: 256)
    var controls: [Duration] = []
    controls.reserveCapacity(1000)
    for index in 0..<1000 {
        let start = clock.now
        var hasher = Hasher()
        hasher.combine(index)
        block.withUnsafeBytes { hasher.combine(bytes: $0) }
        blackHole(hasher.finalize())
        controls.append(start.duration(to: clock.now))
    }
    controls.sort()
    return nanoseconds(controls[controls.count / 2])
}

func nanoseconds(_ duration: Duration) -> Int {
    Int(duration.components.attoseconds / 1_000_000_000) + Int(duration.components.seconds) * 1_000_000_000
}

enum AuditMetrics {
    static let storeP50 = BenchmarkMetric.custom("store() p50 ns", polarity: .prefersSmaller, useScalingFactor: false)
    static let storeP99 = BenchmarkMetric.custom("store() p99 ns", polarity: .prefersSmaller, useScalingFactor: false)
    static let timerOverhead = BenchmarkMetric.custom("timing overhead p50 ns (included above)", polarity: .prefersSmaller, useScalingFactor: false)
    /// A fixed piece of CPU work timed the same way in the same run: the machine's speed at
    /// that moment, so that figures from a slow hour can be told from a slower store().
    static let machineControl = BenchmarkMetric.custom("machine control p50 ns (SipHash of 256 bytes)", polarity: .prefersSmaller, useScalingFactor: false)
    static let eventsPerSecond = BenchmarkMetric.custom("events/s into the buffer", polarity: .prefersLarger, useScalingFactor: false)
}

let benchmarks: @Sendable () -> Void = {
    // Each iteration times 1000 calls one by one on a warm store, so the percentiles are
    // per call; allocations are per call too (scaled by 1000).
    Benchmark(
        "store() latency, one producer, in-memory sink (target p50 ≤ 300 ns, p99 ≤ 5 µs, no allocations of its own)",
        configuration: .init(
            metrics: [.mallocCountTotal, AuditMetrics.storeP50, AuditMetrics.storeP99, AuditMetrics.timerOverhead, AuditMetrics.machineControl],
            timeUnits: .nanoseconds,
            scalingFactor: .kilo, maxDuration: .seconds(10), maxIterations: 30)
    ) { benchmark in
        let events = makeEvents(1000)
        // The default buffer: each run stores 2,000 events while the writers drain it.
        try await withRunningStore(bufferSize: AuditConfig.default.bufferSize) { store in
            // Warm up: the buffer's storage grows once, then stays.
            for event in events { try store.store(event) }
            let clock = ContinuousClock()
            var latencies: [Duration] = []
            latencies.reserveCapacity(events.count)
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                let start = clock.now
                try store.store(events[index])
                latencies.append(start.duration(to: clock.now))
            }
            benchmark.stopMeasurement()
            // What timing one call costs by itself, measured the same way around nothing.
            var overheads: [Duration] = []
            overheads.reserveCapacity(events.count)
            for _ in 0..<events.count {
                let start = clock.now
                overheads.append(start.duration(to: clock.now))
            }
            overheads.sort()
            benchmark.measurement(AuditMetrics.timerOverhead, nanoseconds(overheads[overheads.count / 2]))
            benchmark.measurement(AuditMetrics.machineControl, machineControlNanoseconds())
            latencies.sort()
            benchmark.measurement(AuditMetrics.storeP50, nanoseconds(latencies[latencies.count / 2]))
            benchmark.measurement(AuditMetrics.storeP99, nanoseconds(latencies[latencies.count * 99 / 100]))
        }
    }

    for writersRunning in [true, false] {
        Benchmark(
            "store() throughput, two producers into the buffer, writers \(writersRunning ? "running" : "idle") (target ≥ 2,000,000 events/s)",
            configuration: .init(
                metrics: [AuditMetrics.eventsPerSecond, AuditMetrics.machineControl], scalingFactor: .mega,
                maxDuration: .seconds(20), maxIterations: 5)
        ) { benchmark in
            let perProducer = benchmark.scaledIterations.count / 2
            let rate = try await twoProducerRate(eventsPerProducer: perProducer, writersRunning: writersRunning)
            benchmark.measurement(AuditMetrics.eventsPerSecond, rate)
            benchmark.measurement(AuditMetrics.machineControl, machineControlNanoseconds())
        }
    }

    Benchmark(
        "Encode a full batch of 1000 events to JSON, as the client does (target ≤ 2 ms)",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, AuditMetrics.machineControl], timeUnits: .microseconds,
            maxDuration: .seconds(5), maxIterations: 200)
    ) { benchmark in
        let events = makeEvents(1000)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try StreamingJSONEncoder().encode(events))
        }
        benchmark.stopMeasurement()
        benchmark.measurement(AuditMetrics.machineControl, machineControlNanoseconds())
    }

    Benchmark(
        "Encode a full batch of 1000 events with Foundation's JSONEncoder (for comparison)",
        configuration: .init(metrics: [.wallClock], timeUnits: .microseconds, maxDuration: .seconds(5), maxIterations: 50)
    ) { benchmark in
        let events = makeEvents(1000)
        let encoder = JSONEncoder()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try encoder.encode(events))
        }
    }

    // What the server does with each batch it receives: the generated reader, and JSONDecoder
    // on the same bytes as the anchor; for envelopes and for kubernaut's shape.
    for (shape, makeBatch) in [("events", { makeEvents(1000) }), ("kubernaut-shaped events", { try makeKubernautShapedEvents(1000) })] as [(String, () throws -> [AuditEvent])] {
        Benchmark(
            "Decode a batch of 1000 \(shape) with the generated JSON reader, as the server does",
            configuration: .init(metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds, maxDuration: .seconds(5), maxIterations: 200)
        ) { benchmark in
            let body = try StreamingJSONEncoder().encode(try makeBatch())
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try JSONReader.decode([AuditEvent].self, from: body))
            }
        }

        Benchmark(
            "Decode a batch of 1000 \(shape) with Foundation's JSONDecoder (for comparison)",
            configuration: .init(metrics: [.wallClock, .mallocCountTotal], timeUnits: .microseconds, maxDuration: .seconds(5), maxIterations: 50)
        ) { benchmark in
            let body = try StreamingJSONEncoder().encode(try makeBatch())
            let decoder = JSONDecoder()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try decoder.decode([AuditEvent].self, from: body))
            }
        }
    }
}
