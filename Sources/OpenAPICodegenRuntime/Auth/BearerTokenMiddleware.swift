import Foundation
import Synchronization

/// Supplies the bearer token for each request.
public protocol TokenProvider: Sendable {
    func token() async throws -> String
}

/// Adds `Authorization: Bearer <token>`: to every request, or with a scheme name, to the
/// requests whose operation lists that scheme (see ``AuthenticationMiddleware``).
public struct BearerTokenMiddleware: AuthenticationMiddleware {
    /// The scheme's name, or nil for every request.
    public let scheme: String?
    private let provider: any TokenProvider

    /// A middleware for `scheme` (or every request when nil) with tokens from `provider`.
    public init(scheme: String? = nil, provider: any TokenProvider) {
        self.scheme = scheme
        self.provider = provider
    }

    /// A middleware with a fixed token.
    public init(scheme: String? = nil, token: String) {
        self.init(scheme: scheme, provider: StaticTokenProvider(token: token))
    }

    /// Sets `Authorization: Bearer <token>`.
    public func authenticate(_ request: inout HTTPRequest) async throws {
        request.headers["Authorization"] = "Bearer " + (try await provider.token())
    }
}

/// A token that never changes.
public struct StaticTokenProvider: TokenProvider {
    private let value: String
    public init(token: String) { value = token }
    public func token() async throws -> String { value }
}

/// Why a token file gave no token.
public enum TokenFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String)
    case empty(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read the bearer token file at \(path)"
        case .empty(let path): "the bearer token file at \(path) is empty"
        }
    }
}

/// Reads the token from a file, such as a mounted Kubernetes service-account token,
/// and reads it again as it rotates: on every request, or once per interval.
public final class FileTokenProvider<C: Clock>: TokenProvider where C.Duration == Duration {
    /// When the file is read again.
    public enum Refresh: Sendable {
        case everyRequest
        case every(Duration)
    }

    private let path: String
    private let refresh: Refresh
    private let clock: C
    private let cached = Mutex<(token: String, readAt: C.Instant)?>(nil)

    public init(path: String, refresh: Refresh = .every(.seconds(60)), clock: C) {
        self.path = path
        self.refresh = refresh
        self.clock = clock
    }

    public func token() async throws -> String {
        let now = clock.now
        if case .every(let interval) = refresh,
            let cachedToken = cached.withLock({ entry -> String? in
                guard let entry, entry.readAt.duration(to: now) < interval else { return nil }
                return entry.token
            })
        {
            return cachedToken
        }
        let token = try readToken()
        cached.withLock { $0 = (token, now) }
        return token
    }

    private func readToken() throws(TokenFileError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .empty(path: path) }
        return token
    }
}

extension FileTokenProvider where C == ContinuousClock {
    public convenience init(path: String, refresh: Refresh = .every(.seconds(60))) {
        self.init(path: path, refresh: refresh, clock: ContinuousClock())
    }
}
