/// The Swift declarations the translator produces and the renderer prints.
///
/// This is a small, domain-specific model rather than a full Swift syntax tree: each
/// declaration says *what* to generate (a struct with these coded properties and these
/// checks); the renderer alone decides *how* it is spelled.

/// A Swift type as it appears in a declaration.
public indirect enum TypeUsage: Hashable, Sendable, CustomStringConvertible {
    /// `String`, `Date`, `JSONValue`…
    case builtin(BuiltinType)
    /// A generated type (`AuditEventRequest.Pagination`) or one the configuration supplies.
    case named(TypeName)
    case array(TypeUsage)
    /// `[String: T]`.
    case dictionary(TypeUsage)

    public var description: String {
        switch self {
        case .builtin(let type): type.rawValue
        case .named(let name): name.description
        case .array(let element): "[\(element)]"
        case .dictionary(let value): "[String: \(value)]"
        }
    }

    static let string = TypeUsage.builtin(.string)
    static let int = TypeUsage.builtin(.int)
    static let bool = TypeUsage.builtin(.bool)
    static let date = TypeUsage.builtin(.date)
    static let jsonValue = TypeUsage.builtin(.jsonValue)
    static let data = TypeUsage.builtin(.data)
}

/// A constant from the spec (a default, an enum value, a bound): the translator decides
/// what it is, the renderer spells it as a Swift literal.
public indirect enum Constant: Hashable, Sendable {
    case string(String)
    case integer(Int)
    /// A finite number, as written in the spec (`0.25`).
    case number(String)
    case bool(Bool)
    case array([Constant])
    /// A listed value of a generated open enum: `.swiftName`.
    case enumCase(String)
    /// A value a generated open enum does not list: `.unknown(raw)`.
    case unknownEnumValue(Constant)
    /// A scalar as a `JSONValue`: `.int(1)`, `.string("two")`.
    case jsonValue(Constant)
}

/// A check from the schema, applied to a value by generated `collectViolations(into:)`.
public indirect enum ValueCheck: Hashable, Sendable {
    case length(min: Int?, max: Int?)
    case pattern(String)
    /// Bounds of the value's own type (integers for integer schemas).
    case range(min: Constant?, exclusiveMin: Bool, max: Constant?, exclusiveMax: Bool)
    case count(min: Int?, max: Int?)
    case unique
    /// The value is a generated type that validates itself.
    case nested
    /// The value is of a type the application supplies (`typeOverrides`): it validates
    /// itself if it is `Validatable`.
    case supplied
    /// Apply these checks to every element (array) or value (map).
    case each([ValueCheck])
}

public struct PropertyDeclaration: Hashable, Sendable {
    public var swiftName: String
    public var wireName: String
    /// The type without optionality.
    public var type: TypeUsage
    public var isOptional: Bool
    /// Must be present on the wire (decoded with `decode`, encoded even when nil).
    public var isRequired: Bool
    /// A required `writeOnly` member: optional in responses, so `validate()` checks it instead.
    public var isRequiredInRequests = false
    /// The value used when the key is absent and as the init default.
    public var defaultValue: Constant?
    public var documentation: String?
    public var isDeprecated: Bool
    /// Stored behind `Indirect` because the type contains its owner.
    public var isBoxed: Bool
    public var checks: [ValueCheck]
}

public struct StructDeclaration: Hashable, Sendable {
    public var name: String
    public var documentation: String?
    public var isDeprecated: Bool
    public var properties: [PropertyDeclaration]
    /// Extra members are kept in `additionalProperties: [String: T]`.
    public var additionalProperties: TypeUsage?
    /// Checks every extra member's value must pass (`additionalProperties: {maxLength: 5}`).
    public var additionalPropertyChecks: [ValueCheck] = []
    /// `additionalProperties: false`: a member the spec does not name is a decoding error.
    public var rejectsUnknownMembers = false
    public var nestedTypes: [Declaration]
}

/// An open enum: listed values become cases, anything else `unknown(raw)`.
public struct EnumDeclaration: Hashable, Sendable {
    public struct Case: Hashable, Sendable {
        public var swiftName: String
        /// The raw value: a string, an integer, or for a `JSONValue` raw type a `.jsonValue`.
        public var rawValue: Constant
    }

    public var name: String
    public var documentation: String?
    public var isDeprecated: Bool
    /// `String`, `Int`, or `JSONValue` for values of mixed kinds (`[1, "two"]`).
    public var rawType: String
    public var cases: [Case]
}

/// `oneOf`/`anyOf`: one case per variant, or for `anyOf` without a discriminator, one
/// optional member per variant, since JSON may match several and each keeps its value.
public struct OneOfDeclaration: Hashable, Sendable {
    public struct Case: Hashable, Sendable {
        public var swiftName: String
        public var type: TypeUsage
        /// Discriminator values that select this case.
        public var discriminatorValues: [String]
        /// How to read the discriminator back from the payload; nil when the payload lacks it.
        public var discriminatorAccess: DiscriminatorAccess?
        /// For a type the application supplies: the members its JSON must have, as the schema
        /// behind it says (a union's discriminator). Generated types say it themselves.
        public var suppliedTypeNeeds: [String] = []
    }

    public enum DiscriminatorAccess: Hashable, Sendable {
        case string(property: String, isOptional: Bool)
        case openEnum(property: String, isOptional: Bool)
    }

    public var name: String
    public var documentation: String?
    public var isDeprecated: Bool
    public var cases: [Case]
    /// The wire name of the discriminator property, if there is one.
    public var discriminatorProperty: String?
    /// `oneOf` requires exactly one variant to match; `anyOf` keeps every variant that matches.
    public var requiresSingleMatch: Bool
    public var isIndirect: Bool
    /// Types declared for inline variants.
    public var nestedTypes: [Declaration] = []

    /// Rendered as a struct of optional values, one per variant, rather than an enum.
    public var keepsEveryMatch: Bool { !requiresSingleMatch && discriminatorProperty == nil }
}

public struct TypeAliasDeclaration: Hashable, Sendable {
    public var name: String
    public var documentation: String?
    public var isDeprecated: Bool
    public var target: TypeUsage
}

public indirect enum Declaration: Hashable, Sendable {
    case structure(StructDeclaration)
    case openEnum(EnumDeclaration)
    case oneOf(OneOfDeclaration)
    case typeAlias(TypeAliasDeclaration)

    public var name: String {
        switch self {
        case .structure(let declaration): declaration.name
        case .openEnum(let declaration): declaration.name
        case .oneOf(let declaration): declaration.name
        case .typeAlias(let declaration): declaration.name
        }
    }

    /// Declarations nested inside this one, for inline schemas.
    public var nestedTypes: [Declaration] {
        switch self {
        case .structure(let declaration): declaration.nestedTypes
        case .oneOf(let declaration): declaration.nestedTypes
        case .openEnum, .typeAlias: []
        }
    }
}

// MARK: Client

/// What kind of value a parameter holds, which decides how its style spells it.
public enum ParameterShape: Hashable, Sendable {
    /// A string, number, boolean, date, UUID or open enum.
    case scalar
    /// An array of scalars.
    case array
    /// An object (a generated struct or a map), sent member by member.
    case object
}

public struct ParameterDeclaration: Hashable, Sendable {
    public var swiftName: String
    public var wireName: String
    public var location: ParameterLocation
    public var type: TypeUsage
    public var shape: ParameterShape
    public var isRequired: Bool
    public var style: ParameterStyle
    public var explode: Bool
    public var documentation: String?
    /// The spec's `default`: what a generated server's `Input` holds when the request has none.
    public var defaultValue: Constant? = nil
    /// The schema's constraints, which a generated server checks.
    public var checks: [ValueCheck] = []
}

public enum BodyEncoding: Hashable, Sendable {
    case json
    /// `text/*`: a `String`, sent as UTF-8.
    case text
    /// `application/x-www-form-urlencoded`: the struct's members as `name=value&…`.
    case formURLEncoded
    /// `multipart/form-data`: one part per member of the struct, with a boundary.
    case multipart
    /// Sent as given (`Data`): `application/octet-stream` and types the generator does not encode.
    case raw
}

public struct RequestBodyDeclaration: Hashable, Sendable {
    public var type: TypeUsage
    public var isRequired: Bool
    public var contentType: String
    public var encoding: BodyEncoding
    /// The schema's constraints, which a generated server checks.
    public var checks: [ValueCheck] = []
}

public enum ResponseBodyDecoding: Hashable, Sendable {
    case json
    case text
    case raw
    /// `text/event-stream`: `ServerSentEvents<T>`, each event's data decoded as JSON of the type.
    case serverSentEvents
    /// `text/event-stream` whose data is text: `ServerSentEvents<String>`.
    case serverSentEventsText
    /// JSON Lines: `JSONLines<T>`, one value per line.
    case jsonLines

    /// The body arrives as a stream and is decoded as it does.
    public var isStreamed: Bool { self == .serverSentEvents || self == .serverSentEventsText || self == .jsonLines }
}

/// A typed response header.
public struct HeaderDeclaration: Hashable, Sendable {
    public var swiftName: String
    public var wireName: String
    /// A scalar or an array of scalars (`simple` style, comma-separated).
    public var type: TypeUsage
    public var isRequired: Bool
    public var documentation: String?
}

public struct ResponseCaseDeclaration: Hashable, Sendable {
    public var swiftName: String
    public var status: ResponseStatus
    public var documentation: String?
    public var body: (type: TypeUsage, decoding: ResponseBodyDecoding)?
    /// The media type the body is sent as.
    public var contentType: String?
    /// The `Operations.<Name>.<Case>Headers` struct's name, and its members; nil without headers.
    public var headers: (typeName: TypeName, members: [HeaderDeclaration])?

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.swiftName == rhs.swiftName && lhs.status == rhs.status && lhs.documentation == rhs.documentation
            && lhs.contentType == rhs.contentType && lhs.body?.type == rhs.body?.type && lhs.body?.decoding == rhs.body?.decoding
            && lhs.headers?.typeName == rhs.headers?.typeName && lhs.headers?.members == rhs.headers?.members
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(swiftName)
        hasher.combine(status)
    }
}

public enum PathPart: Hashable, Sendable {
    case literal(String)
    /// The Swift name of a path parameter.
    case parameter(String)
}

public struct OperationDeclaration: Hashable, Sendable {
    /// The client method name.
    public var methodName: String
    /// The `Operations.<namespace>` type holding `Output` and inline types.
    public var namespace: String
    public var operationID: String
    public var httpMethod: String
    public var path: [PathPart]
    public var parameters: [ParameterDeclaration]
    public var body: RequestBodyDeclaration?
    public var responses: [ResponseCaseDeclaration]
    public var acceptedContentTypes: [String]
    public var documentation: String?
    public var isDeprecated: Bool
    /// The schemes the request needs, or nil when the spec says nothing.
    public var security: SecurityRequirements?
    public var nestedTypes: [Declaration]
}

/// A server URL the client can be pointed at, from `servers`.
public struct ServerDeclaration: Hashable, Sendable {
    public struct Variable: Hashable, Sendable {
        public var swiftName: String
        public var wireName: String
        public var defaultValue: String
        public var allowed: [String]?
        public var documentation: String?
    }

    /// The `Servers` function's name.
    public var swiftName: String
    public var template: String
    public var documentation: String?
    public var variables: [Variable]
}

/// Everything the renderer prints for one spec.
public struct TranslatedModule: Hashable, Sendable {
    public var sourceName: String
    public var accessModifier: String
    /// Whether models get `writeJSON(to:)` (``TranslationOptions/jsonWriters``).
    public var jsonWriters: Bool
    /// Whether models get `init(jsonReader:)` (``TranslationOptions/jsonReaders``).
    public var jsonReaders = false
    public var schemas: [Declaration]
    public var operations: [OperationDeclaration]
    /// The schemes operations may need, each becoming a factory of its middleware.
    public var securitySchemes: [SecurityScheme] = []
    /// The first is the client's default.
    public var servers: [ServerDeclaration] = []
    /// The parts to render (``TranslationOptions/generate``).
    public var generate: Set<GeneratedPart> = [.types, .client]
}
