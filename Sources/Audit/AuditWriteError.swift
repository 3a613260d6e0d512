import DataStorageClient

/// Why writing a batch to DataStorage failed, and whether trying again can help.
public enum AuditWriteError: Error, Sendable, CustomStringConvertible {
    /// DataStorage answered with an error status.
    case http(statusCode: Int, message: String)
    /// No answer: connection refused or reset, DNS, TLS…
    case network(underlying: any Error)
    /// The attempt took longer than `attemptTimeout`.
    case timedOut(after: Duration)
    /// The batch could not be encoded; the same batch will never succeed.
    case encoding(underlying: any Error)
    /// No credential for the request, which was not sent: for example the bearer-token file
    /// is missing or empty. Retried, since a mounted secret may appear or be fixed.
    case credentials(underlying: CredentialError)
    /// DataStorage refused the batch as larger than it takes (400 `batch-size-exceeded`;
    /// kubernaut's limit is 500). The store splits the batch and writes smaller ones from then on.
    case batchTooLarge(message: String)

    /// Network errors, time-outs, 5xx, missing credentials and 401/403 (a rotated token may be
    /// picked up) are retried; other 4xx and encoding errors are not.
    public var isRetryable: Bool {
        switch self {
        case .http(let status, _): status == 401 || status == 403 || status >= 500
        case .network, .timedOut, .credentials: true
        case .encoding, .batchTooLarge: false
        }
    }

    /// 401 or 403, or no credential to send: the token is missing, expired or not allowed.
    public var isAuthError: Bool {
        switch self {
        case .http(let status, _): status == 401 || status == 403
        case .credentials: true
        case .network, .timedOut, .encoding, .batchTooLarge: false
        }
    }

    /// Any 4xx, including 401 and 403.
    public var is4xx: Bool {
        switch self {
        case .http(let status, _): (400..<500).contains(status)
        case .batchTooLarge: true
        case .network, .timedOut, .encoding, .credentials: false
        }
    }

    public var is5xx: Bool {
        if case .http(let status, _) = self { return (500..<600).contains(status) }
        return false
    }

    /// Whether any error is worth retrying: write errors by their kind, anything unknown yes.
    public static func isRetryable(_ error: (any Error)?) -> Bool {
        guard let error else { return false }
        if let writeError = error as? AuditWriteError { return writeError.isRetryable }
        if let clientError = error as? ClientError { return AuditWriteError(clientError).isRetryable }
        return true
    }

    /// Classifies a generated client's failure.
    public init(_ error: ClientError) {
        switch error {
        case .encoding(_, let underlying): self = .encoding(underlying: underlying)
        case .middleware(_, let underlying as CredentialError): self = .credentials(underlying: underlying)
        case .transport(_, let underlying), .middleware(_, let underlying): self = .network(underlying: underlying)
        case .decoding(_, let status, let underlying): self = .http(statusCode: status, message: "undecodable response: \(underlying)")
        }
    }

    public var description: String {
        switch self {
        case .http(let status, let message): "Data Storage Service returned status \(status): \(message)"
        case .network(let underlying): "Data Storage Service unreachable: \(underlying)"
        case .timedOut(let after): "Data Storage Service did not answer within \(after)"
        case .encoding(let underlying): "cannot encode the audit batch: \(underlying)"
        case .credentials(let underlying): "cannot authenticate to the Data Storage Service: \(underlying)"
        case .batchTooLarge(let message): "Data Storage Service returned status 400: the batch is too large: \(message)"
        }
    }
}
