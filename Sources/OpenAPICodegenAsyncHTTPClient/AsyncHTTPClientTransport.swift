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
        /// The deadline for an event stream (`text/event-stream`, JSON Lines), which is read as it
        /// arrives and has no size limit: long-lived streams outlast ordinary requests.
        public var streamTimeout: Duration

        public init(timeout: Duration = .seconds(30), maxResponseBodyBytes: Int = 16 * 1024 * 1024, streamTimeout: Duration = .seconds(3600)) {
            self.timeout = timeout
            self.maxResponseBodyBytes = maxResponseBodyBytes
            self.streamTimeout = streamTimeout
        }
    }

    /// The client for the next request: fixed, or made from a CA file's latest bundle.
    private let client: @Sendable () -> HTTPClient
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
        self.client = { client }
        self.configuration = configuration
    }

    /// A transport for HTTPS servers whose certificates chain to the CAs of a PEM file, read
    /// again when it changes (see ``TrustedCAFile``).
    ///
    /// - Parameters:
    ///   - caFile: The CA bundle and the clients made from it; the application shuts it down.
    ///   - configuration: Timeout and response size limit.
    public init(trusting caFile: TrustedCAFile, configuration: Configuration = Configuration()) {
        self.client = { caFile.client() }
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
        let timeout = request.streamsResponse ? configuration.streamTimeout : configuration.timeout
        let response = try await client().execute(outgoing, timeout: Self.timeAmount(timeout))
        var headers = OpenAPICodegenRuntime.HTTPHeaders()
        for (name, value) in response.headers {
            headers.append(name: name, value: value)
        }
        if request.streamsResponse {
            return OpenAPICodegenRuntime.HTTPResponse(
                statusCode: Int(response.status.code), headers: headers, bodyStream: Self.stream(response.body))
        }
        let body = try await response.body.collect(upTo: configuration.maxResponseBodyBytes)
        return OpenAPICodegenRuntime.HTTPResponse(
            statusCode: Int(response.status.code),
            headers: headers,
            body: body.readableBytes == 0 ? nil : Data(body.readableBytesView))
    }

    /// Hands the body on chunk by chunk as AsyncHTTPClient receives it. The reading task ends
    /// with the body, or when the consumer stops iterating.
    private static func stream(_ body: HTTPClientResponse.Body) -> HTTPBodyStream {
        HTTPBodyStream(AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    for try await buffer in body { continuation.yield(Data(buffer.readableBytesView)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        })
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
