import OpenAPICodegenRuntime

/// The injected clock, type-erased so that ``BufferedStore`` is not generic over it.
/// Tests pass a manual clock; timers, backoff and time-outs then take no real time.
struct StoreClock: Sendable {
    let sleep: @Sendable (Duration) async throws -> Void
    /// Time since the store was created.
    let elapsed: @Sendable () -> Duration

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        sleep = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
        elapsed = { origin.duration(to: clock.now) }
    }

    /// `body`'s result, or nil when `timeout` passes first on this clock (`body` is then cancelled).
    func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await OpenAPICodegenRuntime.withTimeout(timeout, sleep: sleep, body)
    }
}

/// When a failed batch is tried again.
enum RetryPolicy {
    /// `base × n²` for retry `n` (1 s, 4 s, 9 s with the defaults), spread by ±`jitter`.
    static func delay(forRetry retry: Int, base: Duration, jitter: Double, random: () -> Double = { Double.random(in: -1...1) }) -> Duration {
        let nominal = base * (retry * retry)
        guard jitter > 0 else { return nominal }
        return nominal * (1 + jitter * random())
    }
}
