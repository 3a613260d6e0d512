/// Why a generated client call produced no typed response.
///
/// A documented or undocumented status code is never an error: it is a case of the
/// operation's `Output`. These cases cover what happens around it.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// The request body or a parameter could not be encoded. Retrying will not help.
    case encoding(operationID: String, underlying: any Error)
    /// No response arrived: connection refused, reset, timeout. Usually worth retrying.
    case transport(operationID: String, underlying: any Error)
    /// A middleware failed (for example, the bearer-token file is unreadable).
    case middleware(operationID: String, underlying: any Error)
    /// A response arrived but its body did not match the documented schema.
    case decoding(operationID: String, statusCode: Int, underlying: any Error)

    /// The operation that failed.
    public var operationID: String {
        switch self {
        case .encoding(let id, _), .transport(let id, _), .middleware(let id, _), .decoding(let id, _, _): id
        }
    }

    public var description: String {
        switch self {
        case .encoding(let id, let error): "\(id): cannot encode the request: \(error)"
        case .transport(let id, let error): "\(id): no response from the server: \(error)"
        case .middleware(let id, let error): "\(id): a client middleware failed: \(error)"
        case .decoding(let id, let status, let error): "\(id): cannot decode the \(status) response body: \(error)"
        }
    }
}

/// Wraps errors thrown by middlewares so ``ClientCore`` can tell them from transport errors.
struct MiddlewareFailure: Error {
    let underlying: any Error
}
