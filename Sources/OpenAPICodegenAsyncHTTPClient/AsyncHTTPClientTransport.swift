import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenAPICodegenRuntime

/// A ``ClientTransport`` over AsyncHTTPClient (SwiftNIO).
///
/// Kept out of `OpenAPICodegenRuntime` so that generated code, and everything that only
/// needs the models, compiles without SwiftNIO.
public struct AsyncHTTPClientTransport: ClientTransport {
    public struct Configuration: Sendable {
        /// The deadline for one request, from sending to the last byte of the response.
        public var timeout: Duration
        /// Responses larger than this fail instead of exhausting memory.
        public var maxResponseBodyBytes: Int

        public init(timeout: Duration = .seconds(30), maxResponseBodyBytes: Int = 16 * 1024 * 1024) {
            self.timeout = timeout
            self.maxResponseBodyBytes = maxResponseBodyBytes
        }
    }

    private let client: HTTPClient
    private let configuration: Configuration

    /// A client configuration that fails fast when the server is unreachable.
    ///
    /// By default AsyncHTTPClient retries connection establishment until the request's
    /// deadline, so an unreachable server holds every request for the whole timeout.
    /// Callers that retry on their own (the audit store does, with backoff) want one
    /// retry layer, so this stops after one attempt of at most `connectTimeout`.
    public static func failFastConfiguration(connectTimeout: Duration = .seconds(2)) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = timeAmount(connectTimeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// - Parameters:
    ///   - client: The HTTP client; the application owns its lifecycle. Defaults to the shared one.
    ///   - configuration: Timeout and response size limit.
    public init(client: HTTPClient = .shared, configuration: Configuration = Configuration()) {
        self.client = client
        self.configuration = configuration
    }

    public func send(_ request: OpenAPICodegenRuntime.HTTPRequest, serverURL: URL, operationID: String) async throws -> OpenAPICodegenRuntime.HTTPResponse {
        guard let url = request.url(relativeTo: serverURL) else {
            throw AsyncHTTPClientTransportError.invalidURL(serverURL: serverURL.absoluteString, path: request.path)
        }
        var outgoing = HTTPClientRequest(url: url.absoluteString)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(outgoing, timeout: Self.timeAmount(configuration.timeout))
        let body = try await response.body.collect(upTo: configuration.maxResponseBodyBytes)
        var headers = OpenAPICodegenRuntime.HTTPHeaders()
        for (name, value) in response.headers {
            headers.append(name: name, value: value)
        }
        return OpenAPICodegenRuntime.HTTPResponse(
            statusCode: Int(response.status.code),
            headers: headers,
            body: body.readableBytes == 0 ? nil : Data(body.readableBytesView))
    }
}

/// Why the transport could not send a request.
public enum AsyncHTTPClientTransportError: Error, Sendable, CustomStringConvertible {
    case invalidURL(serverURL: String, path: String)

    public var description: String {
        switch self {
        case .invalidURL(let serverURL, let path): "cannot form a URL from server URL '\(serverURL)' and path '\(path)'"
        }
    }
}
