import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPICodegenRuntime
import Synchronization

/// Serves a generated `APIProtocol` on a Hummingbird 2 router.
///
/// ```swift
/// let router = Router()
/// let api = router.group()
///     .add(middleware: authentication)
///     .add(middleware: RequestBodyLimit(maximumSize: 8 << 20))
/// let transport = HummingbirdServerTransport(router) { operation in
///     operation.requiresAuthentication ? api : router.group()
/// }
/// try handler.registerHandlers(on: transport)
/// ```
///
/// Each operation becomes one route, on the route group the application picks for it, so
/// that middleware (authentication, metrics, ``RequestBodyLimit``) attaches to groups as
/// Hummingbird intends. Path templates become Hummingbird paths; parameters are read from
/// the request's own path by the generated code. Bodies stream in and out: a request body
/// is read only as the handler reads it, refused past its limit, and a streamed response
/// (`text/event-stream`, JSON Lines) is written as it is produced.
public struct HummingbirdServerTransport<Context: RequestContext>: ServerTransport {
    private let router: any RouterMethods<Context>
    private let routeGroup: (ServerOperation) -> any RouterMethods<Context>
    /// The most bytes read from one request body on a route whose group sets no
    /// ``RequestBodyLimit``; more is answered 413 through the generated server's error hook.
    /// Nil takes the request context's `maxUploadSize`, Hummingbird's own limit.
    public let maximumBodySize: Int?
    private let allowedMethods = AllowedMethods()

    /// A transport registering operations on `router`, each on the group `routeGroup` picks
    /// (the router itself by default). The operations' paths are the spec's, so the groups
    /// must not add a path prefix. A middleware added to `router` here answers 405.
    public init(
        _ router: some RouterMethods<Context>,
        maximumBodySize: Int? = nil,
        routeGroup: ((ServerOperation) -> any RouterMethods<Context>)? = nil
    ) {
        self.router = router.add(middleware: MethodNotAllowedMiddleware<Context>(allowed: allowedMethods))
        self.maximumBodySize = maximumBodySize
        self.routeGroup = routeGroup ?? { _ in router }
    }

    public func register(_ operation: ServerOperation, handler: @escaping ServerHandler) throws {
        let maximumBodySize = maximumBodySize
        routeGroup(operation).on(Self.routerPath(operation.path), method: try Self.method(operation.method)) { request, context in
            let limit = BodyLimitScope.maximumSize ?? maximumBodySize ?? context.maxUploadSize
            let received = ServerRequest(
                method: HTTPMethod(rawValue: request.method.rawValue),
                path: request.uri.path,
                query: request.uri.query,
                headers: Self.headers(request.headers),
                body: ServerRequestBody(request.body.map { Data($0.readableBytesView) }, maximumSize: limit))
            return Self.response(try await handler(received))
        }
    }

    public func registerMethodNotAllowed(path: String, allowed: [OpenAPICodegenRuntime.HTTPMethod]) throws {
        allowedMethods.add(template: path, allowed: allowed.map(\.rawValue))
    }

    /// `/items/{id}` → `/items/*`: the generated code reads the parameter from the raw path,
    /// whatever the template's shape (`{name}.{ext}`, label and matrix styles).
    static func routerPath(_ template: String) -> RouterPath {
        let components = template.split(separator: "/", omittingEmptySubsequences: false).map { $0.contains("{") ? "*" : String($0) }
        return RouterPath(components.joined(separator: "/"))
    }

    static func method(_ method: OpenAPICodegenRuntime.HTTPMethod) throws -> HTTPTypes.HTTPRequest.Method {
        guard let converted = HTTPTypes.HTTPRequest.Method(method.rawValue) else { throw HummingbirdTransportError.invalidMethod(method.rawValue) }
        return converted
    }

    static func headers(_ fields: HTTPFields) -> HTTPHeaders {
        HTTPHeaders(fields.map { HTTPHeaderField(name: $0.name.rawName, value: $0.value) })
    }

    static func response(_ response: OpenAPICodegenRuntime.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for field in response.headers {
            if let name = HTTPField.Name(field.name) { fields.append(HTTPField(name: name, value: field.value)) }
        }
        let body = if let stream = response.bodyStream {
            ResponseBody(asyncSequence: stream.map { ByteBuffer(bytes: $0) })
        } else {
            ResponseBody(byteBuffer: ByteBuffer(bytes: response.body ?? Data()))
        }
        return Response(status: .init(code: response.statusCode), headers: fields, body: body)
    }
}

/// Limits request bodies on the routes of the route group it is added to: a body longer than
/// ``maximumSize`` is answered 413 through the generated server's error hook, whether the
/// handler reads it whole or streams it. The innermost group's limit applies; routes outside
/// any such group take the transport's ``HummingbirdServerTransport/maximumBodySize``.
///
/// ```swift
/// let uploads = router.group().add(middleware: RequestBodyLimit(maximumSize: 64 << 20))
/// ```
public struct RequestBodyLimit<Context: RequestContext>: RouterMiddleware {
    /// The most bytes read from one request body.
    public let maximumSize: Int

    public init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await BodyLimitScope.$maximumSize.withValue(maximumSize) { try await next(request, context) }
    }
}

/// Carries a group's body limit from its middleware to the route's handler, which runs
/// inside the middleware's call: a task-local, since Hummingbird's request context has no
/// room for it and a generic type cannot hold one. The innermost group's value is the one seen.
private enum BodyLimitScope {
    @TaskLocal static var maximumSize: Int?
}

/// The methods each of the spec's paths serves, filled in as the generated code registers them.
final class AllowedMethods: Sendable {
    private let paths = Mutex<[(segments: [Substring], allowed: [String])]>([])

    func add(template: String, allowed: [String]) {
        paths.withLock { $0.append((template.split(separator: "/", omittingEmptySubsequences: false), allowed)) }
    }

    /// The methods `path` serves, when it is one of the spec's paths: a `{parameter}`
    /// segment matches any one segment.
    func allowed(forPath path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return paths.withLock { paths in
            paths.first { template in
                template.segments.count == segments.count
                    && zip(template.segments, segments).allSatisfy { pattern, segment in pattern.contains("{") || pattern == segment }
            }?.allowed
        }
    }
}

/// 405 with `Allow` for a request whose path is the spec's but whose method is not, whatever
/// the method (`QUERY`, `TRACE`…); the router alone would answer 404, as if the path did not exist.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let method = request.method.rawValue
        // HEAD on a GET route is the GET without its body, not a method the path refuses.
        guard let methods = allowed.allowed(forPath: request.uri.path), !methods.contains(method), !(method == "HEAD" && methods.contains("GET")) else {
            return try await next(request, context)
        }
        return Response(status: .methodNotAllowed, headers: [.allow: methods.sorted().joined(separator: ", ")])
    }
}

/// A spec the Hummingbird transport cannot route.
public enum HummingbirdTransportError: Error, CustomStringConvertible {
    /// The method is not a valid HTTP token.
    case invalidMethod(String)

    public var description: String {
        switch self {
        case .invalidMethod(let method): "'\(method)' is not an HTTP method Hummingbird can route"
        }
    }
}
