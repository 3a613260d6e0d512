/// A Swift type name, qualified by the types it is nested in (`Operations.GetPet.Body`):
/// a structured value the translator builds and the renderer spells, never a string that is
/// joined and split again.
public struct TypeName: Hashable, Sendable, CustomStringConvertible {
    /// Outermost first; never empty.
    public private(set) var components: [String]

    public init(_ name: String) { components = [name] }

    public init(_ components: [String]) {
        self.components = components.isEmpty ? ["_"] : components
    }

    /// A name the configuration gives as text (`MyTypes.UserID`).
    init(parsing text: String) {
        self.init(text.split(separator: ".").map(String.init))
    }

    /// The innermost name, as declared.
    public var name: String { components[components.count - 1] }

    /// The outermost name: the one a nested declaration must not shadow.
    var root: String { components[0] }

    /// The name of a type declared inside this one.
    public func nested(_ name: String) -> TypeName { TypeName(components + [name]) }

    /// The name as Swift spells it.
    public var description: String { components.joined(separator: ".") }
}

/// The types generated code takes from Swift, Foundation and the runtime, listed once with
/// what the generator needs to know about each.
public enum BuiltinType: String, Hashable, Sendable, CaseIterable {
    case string = "String"
    case int = "Int"
    case int32 = "Int32"
    case int64 = "Int64"
    case double = "Double"
    case float = "Float"
    case bool = "Bool"
    case uuid = "UUID"
    case date = "Date"
    case data = "Data"
    case jsonValue = "JSONValue"
    case jsonObject = "JSONObject"

    /// Whether the runtime spells it as parameter or header text (`ParameterValue`, `ParameterDecodable`).
    var isParameterScalar: Bool {
        switch self {
        case .string, .int, .int32, .int64, .double, .float, .bool, .uuid, .date: true
        case .data, .jsonValue, .jsonObject: false
        }
    }

    var isInteger: Bool { self == .int || self == .int32 || self == .int64 }
}

/// Names the generated code declares or uses at the top level besides the spec's own types.
/// A schema with one of these names is renamed, so no generated type shadows them.
enum ReservedNames {
    /// Declared by the generator in every module.
    static let generated: [String] = ["Client", "Operations", "Servers", "SecuritySchemes", "Output"]

    /// Declared by OpenAPICodegenRuntime and used by generated code.
    static let runtime: [String] = [
        "Validatable", "Validator", "Violation", "ValidationError", "PathComponent", "OpenEnum", "DiscriminatedUnion",
        "Indirect", "DynamicCodingKey", "DateTimeCodable", "DateTimeCoded", "RFC3339", "JSONOutput", "JSONWritable",
        "StreamingJSONEncoder", "ClientCore", "ClientError", "ClientTransport", "ClientMiddleware", "HTTPRequest",
        "HTTPResponse", "HTTPHeaders", "HTTPMethod", "QueryBuilder", "PercentEncoding", "PathParameter", "ParameterObject",
        "ParameterStyle", "ParameterValue", "ParameterDecodable", "HeaderError", "ServerURL", "ServerURLError", "MultipartForm",
        "FormURLEncoded", "TokenProvider", "BearerTokenMiddleware", "BasicAuthenticationMiddleware", "APIKeyMiddleware",
        "OpenAPICodegenRuntime",
    ]

    /// From Swift and Foundation.
    static let language: [String] = [
        "URL", "Error", "Codable", "Decodable", "Encodable", "Hashable", "Sendable", "Set", "Array", "Dictionary", "Optional",
        "Result", "Never", "Any", "Type", "Protocol", "Self", "Character", "Decoder", "Encoder", "DecodingError",
        "EncodingError", "CodingKeys", "CodingKey", "Foundation", "Swift",
    ]

    static let all: Set<String> = Set(BuiltinType.allCases.map(\.rawValue) + generated + runtime + language)
}
