import Foundation

/// An HTTP method.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let delete = HTTPMethod(rawValue: "DELETE")
    public static let options = HTTPMethod(rawValue: "OPTIONS")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let trace = HTTPMethod(rawValue: "TRACE")

    public var description: String { rawValue }
}

/// One header line. Names compare case-insensitively through ``HTTPHeaders``.
public struct HTTPHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Header fields in order, with case-insensitive lookup.
public struct HTTPHeaders: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var fields: [HTTPHeaderField] = []

    public init(_ fields: [HTTPHeaderField] = []) { self.fields = fields }
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { HTTPHeaderField(name: $0.0, value: $0.1) }
    }

    /// The first value for `name`, ignoring case; setting replaces every value.
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
        set {
            fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
            if let newValue { fields.append(HTTPHeaderField(name: name, value: newValue)) }
        }
    }

    public mutating func append(name: String, value: String) {
        fields.append(HTTPHeaderField(name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[HTTPHeaderField]> { fields.makeIterator() }
}

/// A request as the generated client builds it: `path` already holds the percent-encoded
/// path and query, relative to the server URL.
public struct HTTPRequest: Sendable, Hashable {
    public var method: HTTPMethod
    public var path: String
    public var headers: HTTPHeaders
    public var body: Data?
    /// The security schemes the operation needs, by name: any one alternative, each listing
    /// every scheme it needs. Empty means none; nil means the spec does not say, and every
    /// authentication middleware then applies. Middlewares read it; it is not sent.
    public var security: [[String]]?
    /// The operation reads its response as a stream of events: a transport that can should
    /// return ``HTTPResponse/bodyStream`` instead of reading the whole body first.
    public var streamsResponse: Bool

    /// A request for `path` (already percent-encoded, with its query) on the client's server URL.
    public init(
        method: HTTPMethod, path: String, headers: HTTPHeaders = [:], body: Data? = nil, security: [[String]]? = nil,
        streamsResponse: Bool = false
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.security = security
        self.streamsResponse = streamsResponse
    }

    /// The full URL of this request on `serverURL`.
    public func url(relativeTo serverURL: URL) -> URL? {
        var base = serverURL.absoluteString
        if base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + path)
    }
}

/// A response as a transport returns it: the body fully read, or for a request that
/// ``HTTPRequest/streamsResponse``, possibly still arriving in ``bodyStream``.
public struct HTTPResponse: Sendable, Hashable {
    public var statusCode: Int
    public var headers: HTTPHeaders
    public var body: Data?
    /// The body as it arrives, when the transport streams it (then ``body`` is nil).
    public var bodyStream: HTTPBodyStream?

    /// A response with its whole `body`, or with a `bodyStream` still arriving.
    public init(statusCode: Int, headers: HTTPHeaders = [:], body: Data? = nil, bodyStream: HTTPBodyStream? = nil) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.bodyStream = bodyStream
    }

    /// The body as a stream of chunks, whether the transport streamed it or read it whole.
    public var chunks: HTTPBodyStream {
        bodyStream ?? HTTPBodyStream(body.map { [$0] } ?? [])
    }
}

/// A response body arriving in chunks. It can be iterated once; equality is identity.
public final class HTTPBodyStream: AsyncSequence, Sendable, Hashable {
    public typealias Element = Data
    private let stream: AsyncThrowingStream<Data, any Error>

    /// A body from any source of chunks, such as a transport's response stream.
    public init(_ stream: AsyncThrowingStream<Data, any Error>) {
        self.stream = stream
    }

    /// A body already in memory, as the given chunks.
    public convenience init(_ chunks: [Data]) {
        self.init(AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        })
    }

    public func makeAsyncIterator() -> AsyncThrowingStream<Data, any Error>.AsyncIterator { stream.makeAsyncIterator() }

    public static func == (lhs: HTTPBodyStream, rhs: HTTPBodyStream) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}

/// Sends requests over some HTTP stack. The runtime has no networking of its own:
/// `OpenAPICodegenAsyncHTTPClient` provides one, tests provide ``InMemoryTransport``.
public protocol ClientTransport: Sendable {
    /// Sends `request` to `serverURL` and returns the whole response. Throws only when
    /// no HTTP response arrived (connection refused, timeout, TLS failure…).
    func send(_ request: HTTPRequest, serverURL: URL, operationID: String) async throws -> HTTPResponse
}

/// Sees every request before the transport and every response after it:
/// authentication, tracing, logging.
public protocol ClientMiddleware: Sendable {
    func intercept(
        _ request: HTTPRequest,
        serverURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, URL) async throws -> HTTPResponse
    ) async throws -> HTTPResponse
}

/// A transport that answers from a closure in the same process: for unit tests and demos.
public struct InMemoryTransport: ClientTransport {
    private let handler: @Sendable (HTTPRequest, URL) async throws -> HTTPResponse

    public init(handler: @escaping @Sendable (HTTPRequest, URL) async throws -> HTTPResponse) {
        self.handler = handler
    }

    public func send(_ request: HTTPRequest, serverURL: URL, operationID: String) async throws -> HTTPResponse {
        try await handler(request, serverURL)
    }
}
