/// `operation`'s result, or nil when `timeout` passes first; the loser is cancelled.
///
/// The wait goes through `sleep`, so that callers time out on their injected clock and tests
/// drive time-outs with a manual one.
public func withTimeout<T: Sendable>(
    _ timeout: Duration,
    sleep: @escaping @Sendable (Duration) async throws -> Void,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await sleep(timeout)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
