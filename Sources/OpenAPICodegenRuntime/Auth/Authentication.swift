import Foundation

/// A middleware that adds one security scheme's credential. It applies to a request when the
/// request's operation lists its scheme (``HTTPRequest/security``), when the spec states no
/// security at all, or always when it was made without a scheme name.
public protocol AuthenticationMiddleware: ClientMiddleware {
    /// The scheme's name in `components/securitySchemes`, or nil for every request.
    var scheme: String? { get }

    /// Adds the credential to `request`.
    func authenticate(_ request: inout HTTPRequest) async throws

    /// Sees the server's answer to a request this middleware authenticated, for example to
    /// drop a credential it refused. The default does nothing.
    func received(_ response: HTTPResponse, to request: HTTPRequest) async
}

extension AuthenticationMiddleware {
    /// Whether this scheme's credential belongs on `request`.
    public func applies(to request: HTTPRequest) -> Bool {
        guard let scheme, let security = request.security else { return true }
        return security.contains { $0.contains(scheme) }
    }

    public func received(_ response: HTTPResponse, to request: HTTPRequest) async {}

    public func intercept(
        _ request: HTTPRequest,
        serverURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, URL) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        guard applies(to: request) else { return try await next(request, serverURL) }
        var request = request
        try await authenticate(&request)
        let response = try await next(request, serverURL)
        await received(response, to: request)
        return response
    }
}

/// HTTP basic authentication: `Authorization: Basic base64(user:password)`.
public struct BasicAuthenticationMiddleware: AuthenticationMiddleware {
    /// The scheme's name, or nil for every request.
    public let scheme: String?
    private let credential: String

    /// A middleware for `scheme` (or every request when nil) with these credentials.
    public init(scheme: String? = nil, username: String, password: String) {
        self.scheme = scheme
        credential = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// Sets `Authorization`.
    public func authenticate(_ request: inout HTTPRequest) async throws {
        request.headers["Authorization"] = credential
    }
}

/// An API key in a header, the query string or a cookie, under the name the spec gives.
public struct APIKeyMiddleware: AuthenticationMiddleware {
    /// Where the key goes.
    public enum Location: Sendable, Hashable {
        case header, query, cookie
    }

    /// The scheme's name, or nil for every request.
    public let scheme: String?
    private let name: String
    private let location: Location
    private let provider: any TokenProvider

    /// A middleware for `scheme` that sends the provider's key as `name` in `location`.
    public init(scheme: String? = nil, name: String, location: Location, provider: any TokenProvider) {
        self.scheme = scheme
        self.name = name
        self.location = location
        self.provider = provider
    }

    /// A middleware with a fixed key.
    public init(scheme: String? = nil, name: String, location: Location, key: String) {
        self.init(scheme: scheme, name: name, location: location, provider: StaticTokenProvider(token: key))
    }

    /// Adds the key to the header, the query string or the `Cookie` header.
    public func authenticate(_ request: inout HTTPRequest) async throws {
        let key = try await provider.token()
        switch location {
        case .header: request.headers[name] = key
        case .cookie: request.headers.appendCookie(name, key)
        case .query:
            let separator = request.path.contains("?") ? "&" : "?"
            request.path += separator + PercentEncoding.encode(name) + "=" + PercentEncoding.encode(key)
        }
    }
}
