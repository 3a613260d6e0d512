import OpenAPICodegenRuntime

/// The server's injected clock, type-erased so that the server types are not generic over
/// it. Tests pass a manual clock; drain delays, replay intervals and time-outs then take no
/// real time.
struct ServerClock: Sendable {
    private let sleepFor: @Sendable (Duration) async throws -> Void

    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        sleepFor = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
    }

    func sleep(_ duration: Duration) async throws {
        try await sleepFor(duration)
    }

    /// `body`'s result, or nil when `timeout` passes first on this clock (`body` is then cancelled).
    func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await OpenAPICodegenRuntime.withTimeout(timeout, sleep: sleepFor, body)
    }
}
