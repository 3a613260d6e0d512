import Crypto
import Foundation
import Hummingbird
import Synchronization

/// Who a request comes from, for what the server records of it (who placed a legal hold):
/// the name of its bearer token, set for the handler's task by ``BearerTokenAuthentication``.
enum AuthenticatedCaller {
    @TaskLocal static var name: String?

    /// The caller's name, or `anonymous` when the server takes no tokens.
    static var current: String { name ?? "anonymous" }
}

/// Requires `Authorization: Bearer <token>`, the token matching a line of the token file.
/// It guards the route group of the operations the contract secures. The file is read again
/// when it changes, so tokens can rotate without a restart.
struct BearerTokenAuthentication<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenFile

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Bearer "), let name = tokens.name(of: String(header.dropFirst("Bearer ".count))) else {
            return Problem(status: .unauthorized, type: "unauthorized", title: "Unauthorized",
                           detail: "a valid 'Authorization: Bearer <token>' header is required").response
        }
        return try await AuthenticatedCaller.$name.withValue(name) { try await next(request, context) }
    }
}

/// The accepted tokens: the non-empty lines of a file, each a token and, after a space, the
/// name it is recorded under (without one, `token-` and the first 8 hex digits of its
/// SHA-256, so that the token itself is never recorded). Re-read when its modification time
/// changes.
final class TokenFile: Sendable {
    let path: String
    private let cache = Mutex<(modified: Date?, tokens: [String: String])>((nil, [:]))

    init(path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw TokenFileError.unreadable(path) }
        self.path = path
    }

    /// The name of `token` when the file lists it; nil when it does not.
    func name(of token: String) -> String? {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        return cache.withLock { cache in
            if cache.modified != modified || cache.modified == nil {
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                var tokens: [String: String] = [:]
                for line in text.split(whereSeparator: \.isNewline) {
                    let fields = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                    guard let token = fields.first.map(String.init)?.trimmingCharacters(in: .whitespaces), !token.isEmpty else { continue }
                    let name = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : ""
                    tokens[token] = name.isEmpty ? "token-" + SHA256.hash(data: Data(token.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined() : name
                }
                cache = (modified, tokens)
            }
            return token.isEmpty ? nil : cache.tokens[token]
        }
    }
}

enum TokenFileError: Error, CustomStringConvertible {
    case unreadable(String)

    var description: String {
        switch self {
        case .unreadable(let path): "cannot read the auth token file at \(path)"
        }
    }
}
