import Foundation
import Synchronization

/// Supplies the bearer token for each request.
public protocol TokenProvider: Sendable {
    func token() async throws -> String
    /// The server answered 401 to a request that carried `token`: a cache must not return it
    /// again. The default does nothing.
    func rejected(_ token: String) async
}

extension TokenProvider {
    public func rejected(_ token: String) async {}
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

    /// Sets `Authorization: Bearer <token>`; a provider's failure is a ``CredentialError``.
    public func authenticate(_ request: inout HTTPRequest) async throws {
        request.headers["Authorization"] = Self.prefix + (try await currentToken())
    }

    /// On a 401 tells the provider which token was refused, so that a token rotated since it
    /// was cached is read again before the caller's retry.
    public func received(_ response: HTTPResponse, to request: HTTPRequest) async {
        guard response.statusCode == 401, let header = request.headers["Authorization"], header.hasPrefix(Self.prefix) else { return }
        await provider.rejected(String(header.dropFirst(Self.prefix.count)))
    }

    private static let prefix = "Bearer "

    private func currentToken() async throws(CredentialError) -> String {
        do {
            return try await provider.token()
        } catch {
            throw CredentialError(scheme: scheme, underlying: error)
        }
    }
}

/// No credential could be had for a request, which was therefore not sent: a token file
/// missing or empty, a provider failing.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    /// The security scheme, or nil for a middleware that authenticates every request.
    public let scheme: String?
    /// What the provider threw, such as a ``TokenFileError``.
    public let underlying: any Error

    /// The error for `scheme` when getting its credential threw `underlying`.
    public init(scheme: String?, underlying: any Error) {
        self.scheme = scheme
        self.underlying = underlying
    }

    public var description: String {
        "no credential" + (scheme.map { " for security scheme '\($0)'" } ?? "") + ": \(underlying)"
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

    /// Forgets the cached token if it is `token`, so that the next request reads the file.
    public func rejected(_ token: String) async {
        cached.withLock { entry in
            if entry?.token == token { entry = nil }
        }
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
