import DataStorageClient

/// Probes DataStorage's `/readyz`, for readiness gates: a service that must leave an
/// audit trail should not take traffic while its audit sink is down.
public struct DataStorageProber: Sendable {
    private let client: Client

    /// - Parameter client: The generated client; its transport's time-out bounds each probe.
    public init(client: Client) {
        self.client = client
    }

    /// Returns when DataStorage answers 2xx; throws why not otherwise.
    public func probe() async throws(ProbeError) {
        let output: Operations.CheckReadiness.Output
        do {
            output = try await client.checkReadiness()
        } catch {
            throw .unreachable(error)
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

    /// Probes every `interval` until DataStorage is ready, or the task is cancelled.
    public func waitUntilReady<C: Clock>(every interval: Duration = .seconds(15), clock: C) async throws where C.Duration == Duration {
        while true {
            do {
                try await probe()
                return
            } catch {
                try await clock.sleep(until: clock.now.advanced(by: interval), tolerance: nil)
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

    public var description: String {
        switch self {
        case .notReady(let status, let reason): "Data Storage readiness check returned \(status)" + (reason.map { ": \($0)" } ?? "")
        case .unreachable(let error): "Data Storage readiness check unreachable: \(error)"
        }
    }
}
