import YAML

/// The parts of an OpenAPI 3.0/3.1 document that code generation uses, with every
/// `$ref` resolved to a named schema or inlined.
public struct OpenAPIDocument: Sendable {
    /// `3.0` or `3.1`, from the `openapi` field.
    public var version: OpenAPIVersion
    /// The root file's absolute path.
    public var sourcePath: String
    public var title: String
    /// Named schemas: the root's `components/schemas` in order, then referenced ones as found.
    public var schemas: [NamedSchema]
    /// Operations in document order (paths, then methods in the order written).
    public var operations: [Operation]
    /// `components/securitySchemes` in document order.
    public var securitySchemes: [SecurityScheme]
    /// `servers`, in order; the first is the client's default.
    public var servers: [Server]
}

/// One way of authenticating, from `components/securitySchemes`.
public struct SecurityScheme: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `http` with `bearer`, and `oauth2`/`openIdConnect`, whose tokens travel the same way.
        case bearer
        /// `http` with `basic`.
        case basic
        /// `apiKey` in a header, the query or a cookie, under `name`.
        case apiKey(name: String, location: ParameterLocation)
    }

    public var name: String
    public var kind: Kind
    public var description: String?
}

/// Which schemes a request needs: any one alternative, each naming every scheme it needs.
/// Empty means none is needed (`security: []`).
public typealias SecurityRequirements = [[String]]

/// A `servers` entry: a URL template with its variables.
public struct Server: Sendable, Hashable {
    public struct Variable: Sendable, Hashable {
        public var name: String
        public var defaultValue: String
        /// The allowed values, when the spec lists them.
        public var allowed: [String]?
        public var description: String?
    }

    public var url: String
    public var description: String?
    public var variables: [Variable]
    /// Where `url` is written.
    public var location: SourceLocation
}

/// The OpenAPI minor line of a document.
public enum OpenAPIVersion: String, Sendable, Hashable {
    case v3_0 = "3.0"
    case v3_1 = "3.1"
}

/// One operation: a method on a path.
public struct Operation: Sendable {
    public var operationID: String?
    public var method: String
    public var path: String
    public var summary: String?
    public var description: String?
    public var deprecated: Bool
    public var tags: [String]
    public var parameters: [Parameter]
    public var requestBody: RequestBody?
    public var responses: [Response]
    /// The operation's own `security`, or else the document's; nil when neither says.
    public var security: SecurityRequirements?
    public var location: SourceLocation
}

/// Where a parameter goes.
public enum ParameterLocation: String, Sendable, Hashable {
    case path, query, header, cookie
}

public struct Parameter: Sendable {
    public var name: String
    public var location: ParameterLocation
    public var required: Bool
    public var description: String?
    public var deprecated: Bool
    public var schema: Schema
    /// `style` as written or defaulted (`form` for query and cookie, `simple` otherwise).
    public var style: ParameterStyle
    /// `explode` as written or defaulted (true for `form`, false otherwise).
    public var explode: Bool
    public var sourceLocation: SourceLocation
}

/// How a parameter is spelled (`style`), with the places each style may be used.
public enum ParameterStyle: String, Sendable, Hashable, CaseIterable {
    case simple, label, matrix, form, spaceDelimited, pipeDelimited, deepObject

    static func `default`(for location: ParameterLocation) -> ParameterStyle {
        location == .query || location == .cookie ? .form : .simple
    }

    func isAllowed(in location: ParameterLocation) -> Bool {
        switch self {
        case .simple: location == .path || location == .header
        case .label, .matrix: location == .path
        case .form: location == .query || location == .cookie
        case .spaceDelimited, .pipeDelimited, .deepObject: location == .query
        }
    }
}

public struct RequestBody: Sendable {
    public var required: Bool
    public var description: String?
    public var content: [MediaType]
    public var location: SourceLocation
}

/// One entry of a `content` map.
public struct MediaType: Sendable {
    public var contentType: String
    public var schema: Schema?
}

/// Which status codes a response covers.
public enum ResponseStatus: Sendable, Hashable, Comparable {
    case code(Int)
    /// `2XX` and the like: the leading digit.
    case range(Int)
    case `default`

    private var sortKey: Int {
        switch self {
        case .code(let code): code
        case .range(let digit): digit * 100 + 99
        case .default: 1000
        }
    }

    public static func < (lhs: ResponseStatus, rhs: ResponseStatus) -> Bool { lhs.sortKey < rhs.sortKey }

    /// A single status code, rather than a range or `default`.
    public var isCode: Bool {
        if case .code = self { true } else { false }
    }
}

public struct Response: Sendable {
    public var status: ResponseStatus
    public var description: String?
    public var content: [MediaType]
    /// Documented response headers, in document order.
    public var headers: [Header] = []
    public var location: SourceLocation
}

/// A response header: `simple` style text, typed by its schema.
public struct Header: Sendable {
    public var name: String
    public var required: Bool
    public var description: String?
    public var schema: Schema
    public var location: SourceLocation
}
