import AsyncHTTPClient
import Foundation
import NIOSSL
import Synchronization

/// HTTP clients that trust the certificate authorities of a PEM bundle file, read again when
/// the file changes, so that a rotated CA (a Kubernetes secret or config map mounted as a
/// file; kubernaut's services read `TLS_CA_FILE`) is trusted without a restart.
///
/// The file is read when this is created: a missing, unreadable or certificate-less file is a
/// ``TLSCAFileError`` then. Later, at most every `checkInterval`, the next request reads it
/// again; when its bytes changed, that request and the ones after it go through a new
/// `HTTPClient` trusting the new bundle. A bundle that cannot be used (half written, say)
/// leaves the last good one in place and is reported by ``lastReloadError``. Pass it to
/// ``AsyncHTTPClientTransport/init(trusting:configuration:)``, and call ``shutdown()`` last.
public final class TrustedCAFile: Sendable {
    /// The PEM bundle's path.
    public let path: String
    private let configuration: HTTPClient.Configuration
    private let checkInterval: Duration
    private let clock = ContinuousClock()

    private struct State {
        var bundle: Data
        var client: HTTPClient
        /// Clients of earlier bundles: requests may still be using them, so they are shut
        /// down with this object rather than when replaced (rotations are rare).
        var retired: [HTTPClient] = []
        var lastCheck: ContinuousClock.Instant
        var lastReloadError: TLSCAFileError?
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - path: The PEM bundle of the certificate authorities to trust (only these).
    ///   - configuration: Everything but the trust roots, for every client made.
    ///   - checkInterval: How often a request may read the file again (`.zero`: every request).
    public init(path: String, configuration: HTTPClient.Configuration = AsyncHTTPClientTransport.failFastConfiguration(), checkInterval: Duration = .seconds(30)) throws(TLSCAFileError) {
        self.path = path
        self.configuration = configuration
        self.checkInterval = checkInterval
        let bundle = try Self.read(path)
        let client = try Self.makeClient(trusting: bundle, path: path, configuration: configuration)
        state = Mutex(State(bundle: bundle, client: client, lastCheck: clock.now))
    }

    /// Why the last attempt to use a changed bundle failed; nil once a bundle was taken since.
    public var lastReloadError: TLSCAFileError? { state.withLock { $0.lastReloadError } }

    /// The client for the next request, made anew when the bundle changed since the last look.
    func client() -> HTTPClient {
        let now = clock.now
        let due = state.withLock { state -> Bool in
            guard state.lastCheck.duration(to: now) >= checkInterval else { return false }
            state.lastCheck = now
            return true
        }
        guard due else { return state.withLock { $0.client } }
        let read: Result<Data, TLSCAFileError> = Result { () throws(TLSCAFileError) in try Self.read(path) }
        return state.withLock { state in
            do throws(TLSCAFileError) {
                let bundle = try read.get()
                guard bundle != state.bundle else { return state.client }
                let client = try Self.makeClient(trusting: bundle, path: path, configuration: configuration)
                state.retired.append(state.client)
                state.client = client
                state.bundle = bundle
                state.lastReloadError = nil
            } catch {
                state.lastReloadError = error
            }
            return state.client
        }
    }

    /// Shuts down every client made from the bundle, current and earlier.
    public func shutdown() async throws {
        let clients = state.withLock { [$0.client] + $0.retired }
        for client in clients { try await client.shutdown() }
    }

    private static func read(_ path: String) throws(TLSCAFileError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, underlying: error)
        }
    }

    private static func makeClient(trusting bundle: Data, path: String, configuration: HTTPClient.Configuration) throws(TLSCAFileError) -> HTTPClient {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(Array(bundle))
        } catch {
            throw .invalid(path: path, underlying: error)
        }
        guard !certificates.isEmpty else { throw .noCertificates(path: path) }
        var configuration = configuration
        var tls = configuration.tlsConfiguration ?? .makeClientConfiguration()
        tls.trustRoots = .certificates(certificates)
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

/// Why a CA bundle file cannot be used.
public enum TLSCAFileError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, underlying: any Error)
    case invalid(path: String, underlying: any Error)
    case noCertificates(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let underlying): "cannot read the TLS CA file \(path): \(underlying)"
        case .invalid(let path, let underlying): "the TLS CA file \(path) is not a PEM certificate bundle: \(underlying)"
        case .noCertificates(let path): "the TLS CA file \(path) holds no certificate"
        }
    }
}
