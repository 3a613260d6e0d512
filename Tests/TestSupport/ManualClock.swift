import Synchronization

/// A clock that moves only when a test calls ``advance(by:)``, so timers, intervals and
/// backoff run in microseconds and deterministically, never with real sleeps.
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol, CustomStringConvertible {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "t+\(offset)" }
    }

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        /// Tests waiting until the pending sleepers satisfy a condition.
        var sleeperWaiters: [(isSatisfied: @Sendable ([Instant]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        /// Every deadline ever slept until, in order: lets tests assert schedules.
        var sleepLog: [Duration] = []
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .zero }

    /// How long each sleep asked for, measured from when it started.
    public var requestedSleeps: [Duration] { state.withLock { $0.sleepLog } }

    public var pendingSleepers: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id: UInt64 = state.withLock { state in
            state.nextID += 1
            state.sleepLog.append(state.now.duration(to: deadline))
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    let deadlines = state.sleepers.map(\.deadline)
                    let ready = state.sleeperWaiters.filter { $0.isSatisfied(deadlines) }
                    state.sleeperWaiters.removeAll { $0.isSatisfied(deadlines) }
                    ready.forEach { $0.continuation.resume() }
                    return false
                }
                if resumeNow {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has passed, earliest first.
    public func advance(by duration: Duration) {
        let due: [Sleeper] = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }

    /// Returns once at least `count` tasks are asleep on this clock: the way a test knows
    /// the code under test has reached its timer, without sleeping itself.
    public func waitForSleepers(count: Int = 1) async {
        await waitUntil { $0.count >= count }
    }

    /// Returns once a task sleeps until exactly `deadline`, for tests where other, shorter
    /// sleeps come and go.
    public func waitForSleeper(until deadline: Instant) async {
        await waitUntil { $0.contains(deadline) }
    }

    private func waitUntil(_ isSatisfied: @escaping @Sendable ([Instant]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready: Bool = state.withLock { state in
                if isSatisfied(state.sleepers.map(\.deadline)) { return true }
                state.sleeperWaiters.append((isSatisfied, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
