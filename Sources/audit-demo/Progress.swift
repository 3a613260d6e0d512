import Foundation
import Prometheus
import Synchronization

/// The live progress line: events stored, written, dropped and events/s (and the server's
/// dead-letter journal under `--chaos`). On a terminal it rewrites one line five times a
/// second; otherwise it prints a plain line every second.
final class Progress: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let serverMetrics: (@Sendable () async throws -> PrometheusText)?
    private let total: Int
    private let isTerminal = isatty(STDOUT_FILENO) == 1
    private let stopped = Atomic(false)
    private let lineShown = Atomic(false)

    init(registry: PrometheusCollectorRegistry, serverMetrics: (@Sendable () async throws -> PrometheusText)?, total: Int) {
        self.registry = registry
        self.serverMetrics = serverMetrics
        self.total = total
    }

    func run() async {
        let clock = ContinuousClock()
        let start = clock.now
        let interval: Duration = isTerminal ? .milliseconds(200) : .seconds(1)
        var last = (time: start, written: 0.0)
        while !stopped.load(ordering: .relaxed) {
            do { try await Task.sleep(for: interval) } catch { break }  // cancelled: the run failed
            let now = clock.now
            let store = PrometheusText(text: DemoRun.exposition(registry))
            let written = store.value("audit_events_written_total")
            let elapsed = last.time.duration(to: now)
            let rate = (written - last.written) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            last = (now, written)
            var line = String(format: "stored %@ of %@  written %@  dropped %@  %@ events/s",
                              Int(store.value("audit_events_buffered_total")).formatted(), total.formatted(), Int(written).formatted(),
                              Int(store.value("audit_events_dropped_total")).formatted(), Int(rate).formatted())
            let failed = Int(store.value("audit_batches_failed_total"))
            if failed > 0 { line += "  failed batches \(failed.formatted()) (DataStorage unreachable?)" }
            if let server = try? await serverMetrics?(), server.value("datastorage_dlq_enqueued_total") > 0 {
                line += "  journal \(Int(server.value("datastorage_dlq_depth")).formatted())"
            }
            show(line)
        }
        if isTerminal, lineShown.load(ordering: .relaxed) { print("") }
    }

    private func show(_ line: String) {
        if isTerminal {
            // Unbuffered, so the line shows although it ends without a newline.
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
            lineShown.store(true, ordering: .relaxed)
        } else {
            print(line)
        }
    }

    /// A message on a line of its own, not overwritten by the progress line.
    func note(_ message: String) {
        print((isTerminal ? "\r\u{1B}[K" : "") + message)
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Returns once the store has written `count` events.
    func waitUntilWritten(_ count: Int) async {
        while PrometheusText(text: DemoRun.exposition(registry)).value("audit_events_written_total") < Double(count), !stopped.load(ordering: .relaxed) {
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
        }
    }

    /// Returns once the server's dead-letter journal is empty again (it replays every 250 ms).
    func waitForEmptyJournal() async throws {
        for _ in 0..<600 {
            if let server = try await serverMetrics?(), server.value("datastorage_dlq_depth") == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError(description: "the server's dead-letter journal did not drain within 60 s")
    }

    /// Events the server journalled and replayed, when it is in-process.
    func journal() async -> (queued: Int, replayed: Int)? {
        guard let server = try? await serverMetrics?() else { return nil }
        return (Int(server.value("datastorage_dlq_enqueued_total")), Int(server.value("datastorage_dlq_replayed_total")))
    }
}
