import Foundation

/// What every generated client shares: the server URL, the transport, the middleware
/// chain and JSON coding. Generated operations build an ``HTTPRequest`` and hand it here.
public struct ClientCore: Sendable {
    public let serverURL: URL
    public let transport: any ClientTransport
    public let middlewares: [any ClientMiddleware]

    public init(serverURL: URL, transport: any ClientTransport, middlewares: [any ClientMiddleware] = []) {
        self.serverURL = serverURL
        self.transport = transport
        self.middlewares = middlewares
    }

    /// Runs the middlewares in order, then the transport.
    public func send(_ request: HTTPRequest, operationID: String) async throws(ClientError) -> HTTPResponse {
        let request = narrowingSecurity(request)
        let transport = self.transport
        var next: @Sendable (HTTPRequest, URL) async throws -> HTTPResponse = { request, url in
            do {
                return try await transport.send(request, serverURL: url, operationID: operationID)
            } catch {
                throw TransportFailure(underlying: error)
            }
        }
        for middleware in middlewares.reversed() {
            let following = next
            next = { request, url in
                do {
                    return try await middleware.intercept(request, serverURL: url, operationID: operationID, next: following)
                } catch let failure as MiddlewareFailure {
                    throw failure
                } catch let error as TransportFailure {
                    throw error
                } catch {
                    throw MiddlewareFailure(underlying: error)
                }
            }
        }
        do {
            return try await next(request, serverURL)
        } catch let failure as MiddlewareFailure {
            throw .middleware(operationID: operationID, underlying: failure.underlying)
        } catch let failure as TransportFailure {
            throw .transport(operationID: operationID, underlying: failure.underlying)
        } catch {
            throw .transport(operationID: operationID, underlying: error)
        }
    }

    /// Of the operation's security alternatives, keeps the first one this client has a
    /// middleware for every scheme of, so credentials of the other alternatives are not sent.
    func narrowingSecurity(_ request: HTTPRequest) -> HTTPRequest {
        guard let alternatives = request.security, alternatives.count > 1 else { return request }
        let configured = Set(middlewares.compactMap { ($0 as? any AuthenticationMiddleware)?.scheme })
        guard let chosen = alternatives.first(where: { Set($0).isSubset(of: configured) }) else { return request }
        var narrowed = request
        narrowed.security = [chosen]
        return narrowed
    }

    /// Encodes a JSON request body.
    public func encodeJSON(_ value: some Encodable, operationID: String) throws(ClientError) -> Data {
        do {
            return try StreamingJSONEncoder().encode(value)
        } catch {
            throw .encoding(operationID: operationID, underlying: error)
        }
    }

    /// Reads an object parameter's members (deepObject, form or simple objects).
    public func parameterObject(_ value: some Encodable, operationID: String) throws(ClientError) -> ParameterObject {
        try Self.members(of: value, operationID: operationID)
    }

    /// Reads an optional object parameter's members; nil when it is absent.
    public func parameterObject(_ value: (some Encodable)?, operationID: String) throws(ClientError) -> ParameterObject? {
        guard let value else { return nil }
        // Not `parameterObject(value…)`: overload resolution would pick this function again.
        return try Self.members(of: value, operationID: operationID)
    }

    private static func members(of value: some Encodable, operationID: String) throws(ClientError) -> ParameterObject {
        do {
            return try ParameterObject(value)
        } catch {
            throw .encoding(operationID: operationID, underlying: error)
        }
    }

    /// Decodes a JSON response body as the type the spec documents for its status.
    public func decodeJSON<T: Decodable>(_ type: T.Type, from response: HTTPResponse, operationID: String) throws(ClientError) -> T {
        try Self.decodeJSON(T.self, from: response.body ?? Data(), statusCode: response.statusCode, operationID: operationID)
    }

    /// JSON bytes of a response with `statusCode` (its body, or one event or line of it) as `T`.
    static func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, statusCode: Int, operationID: String) throws(ClientError) -> T {
        do {
            return try JSONReader.decodeReadingDirectly(T.self, from: data)
        } catch {
            throw .decoding(operationID: operationID, statusCode: statusCode, underlying: error)
        }
    }

    /// Decodes a `text/plain` response body.
    public func decodeText(from response: HTTPResponse) -> String {
        String(decoding: response.body ?? Data(), as: UTF8.self)
    }
}

/// Marks an error as coming from the transport, so a middleware that rethrows it is not blamed.
struct TransportFailure: Error {
    let underlying: any Error
}
