import Foundation

/// Where a parameter is sent, as OpenAPI's `in` names it.
public enum ParameterLocation: String, Sendable, Hashable {
    case path, query, header, cookie
}

/// Why a generated server refused a request before its handler ran: the request does not
/// match the operation's spec. Each case names what is wrong and where.
public enum RequestError: Error, Sendable, CustomStringConvertible {
    /// A parameter the spec marks `required` is absent.
    case missingParameter(name: String, location: ParameterLocation)
    /// A parameter's text is not a value of its type (`limit=ten` for an integer).
    case invalidParameter(name: String, location: ParameterLocation, value: String, expected: String)
    /// Parameters break their schemas' constraints (range, length, pattern, enum), each
    /// violation's path starting with the parameter's name.
    case parameterViolations([Violation])
    /// The spec requires a body and the request has none.
    case missingBody
    /// The body's `Content-Type` is not the one the operation takes.
    case unsupportedMediaType(received: String, expected: String)
    /// The body is not JSON, or not of the schema's shape (a member missing or of the wrong
    /// type), at the violation's path.
    case malformedBody(Violation)
    /// The body breaks its schema's constraints, every violation with its JSON path. The
    /// decoded body comes along, so that an error hook can add the violations of rules the
    /// spec cannot state (a time window relative to now) and answer with every one.
    case bodyViolations([Violation], body: any Sendable)
    /// The body is longer than the server reads.
    case bodyTooLarge(maximumSize: Int)
    /// The transport failed while the body was read.
    case bodyUnreadable(String)

    public var description: String {
        switch self {
        case .missingParameter(let name, let location): "the required \(location.rawValue) parameter '\(name)' is missing"
        case .invalidParameter(let name, let location, let value, let expected):
            "\(location.rawValue) parameter '\(name)': '\(value)' is not a valid \(expected)"
        case .parameterViolations(let violations): violations.map(Self.parameterDescription).joined(separator: "; ")
        case .missingBody: "the request body is required"
        case .unsupportedMediaType(let received, let expected): "the body's Content-Type is \(received); the operation takes \(expected)"
        case .malformedBody(let violation): violation.path.isEmpty ? "malformed JSON: \(violation.message)" : "\(violation)"
        case .bodyViolations(let violations, _): violations.map(\.description).joined(separator: "; ")
        case .bodyTooLarge(let maximumSize): "the request body exceeds \(maximumSize) bytes"
        case .bodyUnreadable(let reason): "the request body could not be read: \(reason)"
        }
    }

    /// `limit must be at most 1000`, naming the parameter as it is spelled in the request.
    private static func parameterDescription(_ violation: Violation) -> String {
        guard case .key(let name)? = violation.path.first else { return violation.description }
        let rest = Violation(path: Array(violation.path.dropFirst()), message: violation.message)
        return name + (rest.path.isEmpty ? " " : rest.jsonPath.dropFirst() + " ") + violation.message
    }

    /// The violations of the validator's checks of a body, each path relative to the body
    /// (generated code checks the body under the name `body`).
    public static func bodyViolations(of validator: Validator, body: some Sendable) -> RequestError? {
        guard !validator.violations.isEmpty else { return nil }
        let violations = validator.violations.map { violation in
            Violation(path: Array(violation.path.dropFirst()), message: violation.message)
        }
        return .bodyViolations(violations, body: body)
    }
}

extension Violation {
    /// Where and why JSON did not decode, spelled as validation spells its violations.
    public init(_ error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> [PathComponent] {
            codingPath.map { key in key.intValue.map(PathComponent.index) ?? .key(key.stringValue) }
        }
        switch error {
        case .keyNotFound(let key, let context): self.init(path: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            self.init(path: path(context.codingPath), message: context.debugDescription)
        case .dataCorrupted(let context): self.init(path: path(context.codingPath), message: context.debugDescription)
        @unknown default: self.init(path: [], message: "\(error)")
        }
    }
}

/// A handler returned an `Output` case the server cannot send.
public enum ResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `undocumented(statusCode:body:)`: the spec does not document the status, so a server
    /// generated from it does not send it.
    case undocumentedStatus(Int)
    /// A range case (`4XX`) or `default` with a status outside what it stands for.
    case statusOutOfRange(Int, expected: String)
    /// The body did not encode as JSON.
    case encoding(String)

    public var description: String {
        switch self {
        case .undocumentedStatus(let status): "the handler returned status \(status), which the spec does not document"
        case .statusOutOfRange(let status, let expected): "the handler returned status \(status) for a \(expected) response"
        case .encoding(let reason): "the response body did not encode: \(reason)"
        }
    }
}

/// Anything that stopped a generated server from answering with the handler's `Output`:
/// what the hook passed to `registerHandlers` turns into a response.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable {
        /// The request does not match the spec; the handler did not run.
        case request(RequestError)
        /// The handler or a middleware threw.
        case handler(any Error)
        /// The handler's `Output` cannot be sent.
        case response(ResponseError)
    }

    public let operation: ServerOperation
    public let reason: Reason

    public init(operation: ServerOperation, reason: Reason) {
        self.operation = operation
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .request(let error): "\(operation.id): \(error)"
        case .handler(let error): "\(operation.id): \(String(reflecting: error))"
        case .response(let error): "\(operation.id): \(error)"
        }
    }

    /// The status a request error is answered with: 413 for a body too large, 415 for a media
    /// type the operation does not take, 400 for the rest; 500 for handler and response errors.
    public var statusCode: Int {
        switch reason {
        case .request(.bodyTooLarge): 413
        case .request(.unsupportedMediaType): 415
        case .request: 400
        case .handler, .response: 500
        }
    }

    /// The default answer: the status with the error's description as text, except that a
    /// 500 does not describe the server's internals to the client.
    @Sendable
    public static func plainTextResponse(_ error: ServerError) async -> HTTPResponse {
        let text = error.statusCode == 500 ? "internal server error" : error.description
        return HTTPResponse(statusCode: error.statusCode, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.utf8))
    }
}

/// Turns a ``ServerError`` into the response the client gets: one hook per server, so that it
/// can answer in its own format (problem+json, say).
public typealias ServerErrorResponder = @Sendable (ServerError) async -> HTTPResponse
