import Foundation

/// A request as a server transport hands it to generated handlers: the path and query as
/// they arrived (still percent-encoded), the headers, and the body as it streams in.
public struct ServerRequest: Sendable {
    public var method: HTTPMethod
    /// The path, percent-encoded, without the query.
    public var path: String
    /// The query without its `?`, percent-encoded; nil when the URL has none.
    public var query: String?
    public var headers: HTTPHeaders
    public var body: ServerRequestBody

    /// A request as the transport received it.
    public init(method: HTTPMethod, path: String, query: String? = nil, headers: HTTPHeaders = [:], body: ServerRequestBody = ServerRequestBody()) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// A request body arriving in chunks. Reading past ``maximumSize`` throws
/// ``RequestError/bodyTooLarge(maximumSize:)``, so neither a whole read nor a streamed one
/// can hold more than the server accepts.
public struct ServerRequestBody: AsyncSequence, Sendable {
    public typealias Element = Data
    private let chunks: any AsyncSequence<Data, any Error> & Sendable
    /// The most bytes the server reads from one body; nil for no limit.
    public let maximumSize: Int?

    /// A body read from a transport's chunks, refused once it exceeds `maximumSize` bytes.
    public init(_ chunks: some AsyncSequence<Data, any Error> & Sendable, maximumSize: Int?) {
        self.chunks = chunks
        self.maximumSize = maximumSize
    }

    /// A body already in memory (`Data()` for none).
    public init(_ data: Data = Data(), maximumSize: Int? = nil) {
        self.init(HTTPBodyStream(data.isEmpty ? [] : [data]), maximumSize: maximumSize)
    }

    public func makeAsyncIterator() -> Iterator { Iterator(chunks: chunks.makeAsyncIterator(), maximumSize: maximumSize) }

    /// Counts bytes as they pass and stops the read at the limit.
    public struct Iterator: AsyncIteratorProtocol {
        var chunks: any AsyncIteratorProtocol<Data, any Error>
        let maximumSize: Int?
        var received = 0

        public mutating func next() async throws -> Data? {
            guard let chunk = try await chunks.next() else { return nil }
            received += chunk.count
            if let maximumSize, received > maximumSize { throw RequestError.bodyTooLarge(maximumSize: maximumSize) }
            return chunk
        }
    }

    /// The whole body, up to ``maximumSize``.
    public func collect() async throws(RequestError) -> Data {
        var data = Data()
        do {
            for try await chunk in self { data.append(chunk) }
        } catch let error as RequestError {
            throw error
        } catch {
            throw .bodyUnreadable(String(describing: error))
        }
        return data
    }
}

/// An operation as a transport routes it: from the spec, never written by hand.
public struct ServerOperation: Sendable, Hashable {
    /// The `operationId`.
    public let id: String
    public let method: HTTPMethod
    /// The path template as the spec writes it: `/items/{id}`.
    public let path: String
    /// The security schemes the operation needs, by name: any one alternative, each listing
    /// every scheme it needs. Empty means none; nil means the spec does not say.
    public let security: [[String]]?

    public init(id: String, method: HTTPMethod, path: String, security: [[String]]?) {
        self.id = id
        self.method = method
        self.path = path
        self.security = security
    }

    /// Whether some security requirement applies: an empty alternative (`{}`) makes it optional.
    public var requiresAuthentication: Bool {
        guard let security, !security.isEmpty else { return false }
        return !security.contains { $0.isEmpty }
    }
}

/// Handles one request for a registered operation.
public typealias ServerHandler = @Sendable (ServerRequest) async throws -> HTTPResponse

/// Routes requests to generated handlers over some HTTP server. The runtime has no server
/// of its own: `OpenAPICodegenHummingbird` adapts a Hummingbird router.
public protocol ServerTransport {
    /// Routes requests for `operation`'s method and path template to `handler`.
    func register(_ operation: ServerOperation, handler: @escaping ServerHandler) throws

    /// Answers requests for `path` (a template) with any method not in `allowed` with
    /// 405 Method Not Allowed and an `Allow` header listing `allowed`.
    func registerMethodNotAllowed(path: String, allowed: [HTTPMethod]) throws
}

/// Sees every request of a generated server before its handler, and the response after it,
/// knowing the operation and its security requirements: authentication, logging, metrics.
public protocol ServerMiddleware: Sendable {
    func intercept(_ request: ServerRequest, operation: ServerOperation, next: ServerHandler) async throws -> HTTPResponse
}
