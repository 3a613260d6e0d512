import DataStorageClient

/// Probes DataStorage's `/readyz`, for readiness gates: a service that must leave an
/// audit trail should not take traffic while its audit sink is down.
public struct DataStorageProber: Sendable {
    private let client: Client
    private let timeout: Duration
    /// Also the readiness gate's clock, so that one injected clock drives both.
    let clock: StoreClock

    /// - Parameters:
    ///   - client: The generated DataStorage client.
    ///   - timeout: A probe that gets no answer within this long fails.
    public init(client: Client, timeout: Duration = .seconds(10)) {
        self.init(client: client, timeout: timeout, clock: ContinuousClock())
    }

    /// A prober whose time-out runs on `clock`.
    public init<C: Clock>(client: Client, timeout: Duration = .seconds(10), clock: C) where C.Duration == Duration {
        self.client = client
        self.timeout = timeout
        self.clock = StoreClock(clock)
    }

    /// Returns when DataStorage answers 2xx; throws why not otherwise.
    public func probe() async throws(ProbeError) {
        let output: Operations.CheckReadiness.Output
        do {
            let client = self.client
            guard let answer = try await clock.withTimeout(timeout, { try await client.checkReadiness() }) else {
                throw ProbeError.timedOut(after: timeout)
            }
            output = answer
        } catch let error as ProbeError {
            throw error
        } catch let error as ClientError {
            throw .unreachable(error)
        } catch {
            throw .unreachable(.transport(operationID: Operations.CheckReadiness.id, underlying: error))
        }
        switch output {
        case .ok:
            return
        case .serviceUnavailable(let readiness):
            throw .notReady(statusCode: 503, reason: readiness.reason)
        case .undocumented(let status, _):
            guard (200..<300).contains(status) else { throw .notReady(statusCode: status, reason: nil) }
        }
    }

    /// Probes every `interval` (15 s by default, as kubernaut's readiness gate) until
    /// DataStorage is ready, or the task is cancelled. To keep following readiness after
    /// that, run a ``DataStorageReadinessGate``.
    public func waitUntilReady(every interval: Duration = .seconds(15)) async throws {
        while true {
            do {
                try await probe()
                return
            } catch {
                try await clock.sleep(interval)
            }
        }
    }
}

/// Why a readiness probe failed.
public enum ProbeError: Error, Sendable, CustomStringConvertible {
    /// DataStorage answered, but not ready.
    case notReady(statusCode: Int, reason: String?)
    /// DataStorage did not answer.
    case unreachable(ClientError)
    /// DataStorage did not answer in time.
    case timedOut(after: Duration)

    public var description: String {
        switch self {
        case .notReady(let status, let reason): "Data Storage readiness check returned \(status)" + (reason.map { ": \($0)" } ?? "")
        case .unreachable(let error): "Data Storage readiness check unreachable: \(error)"
        case .timedOut(let after): "Data Storage readiness check unreachable: no answer within \(after)"
        }
    }
}
