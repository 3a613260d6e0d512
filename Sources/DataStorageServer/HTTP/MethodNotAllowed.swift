import Hummingbird

/// 405 with an `Allow` header for a known path asked with a method it does not serve; the
/// router alone answers 404, as if the path did not exist.
struct MethodNotAllowed<Context: RequestContext>: RouterMiddleware {
    /// The methods each path serves.
    let methods: [String: [HTTPRequest.Method]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let allowed = methods[request.uri.path], !allowed.contains(request.method),
            !(request.method == .head && allowed.contains(.get))
        else {
            return try await next(request, context)
        }
        return Response(status: .methodNotAllowed, headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
    }
}
