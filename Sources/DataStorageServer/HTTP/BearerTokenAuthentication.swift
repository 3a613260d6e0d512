import Foundation
import Hummingbird
import Synchronization

/// Requires `Authorization: Bearer <token>`, the token matching a line of the token file.
/// It guards the route group of the operations the contract secures. The file is read again
/// when it changes, so tokens can rotate without a restart.
struct BearerTokenAuthentication<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenFile

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Bearer "), tokens.accepts(String(header.dropFirst("Bearer ".count))) else {
            return Problem(status: .unauthorized, type: "unauthorized", title: "Unauthorized",
                           detail: "a valid 'Authorization: Bearer <token>' header is required").response
        }
        return try await next(request, context)
    }
}

/// The accepted tokens: the non-empty lines of a file, re-read when its modification time changes.
final class TokenFile: Sendable {
    let path: String
    private let cache = Mutex<(modified: Date?, tokens: Set<String>)>((nil, []))

    init(path: String) throws {
        guard FileManager.default.isReadableFile(atPath: path) else { throw TokenFileError.unreadable(path) }
        self.path = path
    }

    func accepts(_ token: String) -> Bool {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        return cache.withLock { cache in
            if cache.modified != modified || cache.modified == nil {
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                cache = (modified, Set(lines.filter { !$0.isEmpty }))
            }
            return !token.isEmpty && cache.tokens.contains(token)
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
