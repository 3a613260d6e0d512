import Foundation

/// What generated server code runs every request through: the middlewares, the error hook,
/// and the body coding the spec's media types need.
public struct ServerCore: Sendable {
    public let middlewares: [any ServerMiddleware]
    public let errorResponder: ServerErrorResponder

    /// - Parameters:
    ///   - middlewares: Run in order around every handler.
    ///   - errorResponder: Answers requests refused by the spec, handlers that throw and outputs
    ///     that cannot be sent.
    public init(middlewares: [any ServerMiddleware] = [], errorResponder: @escaping ServerErrorResponder = ServerError.plainTextResponse) {
        self.middlewares = middlewares
        self.errorResponder = errorResponder
    }

    /// Runs `handle` inside the middlewares, and any error through the error hook, so that
    /// every request gets a response.
    public func respond(to request: ServerRequest, for operation: ServerOperation, _ handle: @escaping ServerHandler) async -> HTTPResponse {
        let chain = middlewares.reversed().reduce(handle) { next, middleware in
            { request in try await middleware.intercept(request, operation: operation, next: next) }
        }
        let reason: ServerError.Reason
        do {
            return try await chain(request)
        } catch let error as RequestError {
            reason = .request(error)
        } catch let error as ResponseError {
            reason = .response(error)
        } catch {
            reason = .handler(error)
        }
        return await errorResponder(ServerError(operation: operation, reason: reason))
    }

    // MARK: Request bodies

    /// The body's bytes, after checking its `Content-Type` against the one the operation
    /// takes; nil for an empty body, which the caller refuses when the spec requires one.
    public func bodyData(of request: ServerRequest, contentType expected: String) async throws(RequestError) -> Data? {
        if let received = request.headers["Content-Type"], !Self.mediaType(received, matches: expected) {
            throw .unsupportedMediaType(received: received, expected: expected)
        }
        let data = try await request.body.collect()
        return data.isEmpty ? nil : data
    }

    /// The request body as `T`, a decoding failure named by its JSON path.
    public func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data) throws(RequestError) -> T {
        try Self.decodeBody { try JSONReader.decodeReadingDirectly(T.self, from: data) }
    }

    /// An `application/x-www-form-urlencoded` body as `T`: repeated names are arrays, object
    /// members JSON text, as ``FormURLEncoded`` sends them.
    public func decodeForm<T: Decodable>(_ type: T.Type, from data: Data) throws(RequestError) -> T {
        try Self.decodeBody { try FormValue.urlEncodedForm(data).decode(T.self) }
    }

    /// A `multipart/form-data` body as `T`, split by the boundary `contentType` names: text
    /// parts read as their member's type, `application/json` parts as JSON, file parts as bytes.
    public func decodeMultipart<T: Decodable>(_ type: T.Type, from data: Data, contentType: String?) throws(RequestError) -> T {
        try Self.decodeBody { try MultipartParts.form(data, contentType: contentType).decode(T.self) }
    }

    private static func decodeBody<T>(_ decode: () throws -> T) throws(RequestError) -> T {
        do {
            return try decode()
        } catch let error as DecodingError {
            throw .malformedBody(Violation(error))
        } catch {
            throw .malformedBody(Violation(path: [], message: "\(error)"))
        }
    }

    /// `application/json; charset=utf-8` matches `application/json`; a `*` subtype or type matches any.
    static func mediaType(_ received: String, matches expected: String) -> Bool {
        func base(_ text: String) -> Substring {
            (text.split(separator: ";").first ?? "").drop { $0 == " " }.prefix { $0 != " " }
        }
        let (received, expected) = (base(received).lowercased(), base(expected).lowercased())
        if expected == "*/*" || received == expected { return true }
        if expected.hasSuffix("/*") { return received.hasPrefix(expected.dropLast()) }
        return false
    }

    // MARK: Responses

    /// A response whose body is `value` as JSON.
    public func jsonResponse(_ statusCode: Int, _ value: some Encodable, contentType: String, headers: HTTPHeaders = [:]) throws(ResponseError) -> HTTPResponse {
        var response = HTTPResponse(statusCode: statusCode, headers: headers)
        response.headers["Content-Type"] = contentType
        do {
            response.body = try StreamingJSONEncoder().encode(value)
        } catch {
            throw .encoding(String(describing: error))
        }
        return response
    }

    /// A response whose body is `text` in UTF-8.
    public func textResponse(_ statusCode: Int, _ text: String, contentType: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        dataResponse(statusCode, Data(text.utf8), contentType: contentType, headers: headers)
    }

    /// A response whose body is `data` as it is.
    public func dataResponse(_ statusCode: Int, _ data: Data, contentType: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var response = HTTPResponse(statusCode: statusCode, headers: headers, body: data)
        response.headers["Content-Type"] = contentType
        return response
    }

    /// A response whose body streams from `body` as the handler produces it, never held whole.
    public func streamResponse(_ statusCode: Int, _ body: HTTPBodyStream, contentType: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var response = HTTPResponse(statusCode: statusCode, headers: headers, bodyStream: body)
        response.headers["Content-Type"] = contentType
        return response
    }

    /// The status of a range (`4XX`) case, checked to be in its range.
    public func status(_ statusCode: Int, in range: ClosedRange<Int>) throws(ResponseError) -> Int {
        guard range.contains(statusCode) else { throw .statusOutOfRange(statusCode, expected: "\(range.lowerBound / 100)XX") }
        return statusCode
    }
}
