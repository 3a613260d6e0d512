import YAML

/// Identifies a named schema: the absolute file path and the JSON pointer inside it.
public struct SchemaKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var pointer: String

    public var description: String { "\(file)#\(pointer)" }

    public static func < (lhs: SchemaKey, rhs: SchemaKey) -> Bool {
        (lhs.file, lhs.pointer) < (rhs.file, rhs.pointer)
    }
}

/// A schema: either a reference to a named schema or an inline definition.
public indirect enum Schema: Sendable {
    case reference(SchemaKey, at: SourceLocation)
    case inline(SchemaObject)

    public var location: SourceLocation {
        switch self {
        case .reference(_, let at): at
        case .inline(let object): object.location
        }
    }
}

/// The JSON types a schema admits.
public enum JSONType: String, Sendable, Hashable, CaseIterable {
    case string, integer, number, boolean, array, object, null
}

/// What `additionalProperties` says.
public enum AdditionalProperties: Sendable {
    /// Not stated (JSON Schema then allows anything, but codegen ignores extra members).
    case unspecified
    /// `true` or `{}`: any extra members, kept as JSON values.
    case any
    /// `false`: no extra members.
    case forbidden
    /// A schema every extra member must match.
    case schema(Schema)
}

/// A numeric bound as written, so integer bounds stay integer literals.
public struct NumberBound: Sendable, Hashable {
    public var value: Double
    public var text: String
    public var isExclusive: Bool
}

/// One named member of an object schema.
public struct Property: Sendable {
    public var name: String
    public var schema: Schema
    public var location: SourceLocation
}

/// `discriminator`: which member picks the `oneOf`/`anyOf` variant.
public struct Discriminator: Sendable {
    public var propertyName: String
    /// Explicit mapping entries in document order.
    public var mapping: [(value: String, target: SchemaKey)]
    public var location: SourceLocation
}

/// An inline schema with the subset of JSON Schema that code generation uses.
public struct SchemaObject: Sendable {
    public var location: SourceLocation
    /// Empty means any type.
    public var types: [JSONType] = []
    public var nullable = false
    public var format: String?
    public var title: String?
    public var description: String?
    public var deprecated = false
    /// `readOnly`: sent by the server only.
    public var readOnly = false
    /// `writeOnly`: sent by the client only.
    public var writeOnly = false
    public var defaultValue: Node?
    public var enumValues: [Node]?
    public var properties: [Property] = []
    public var required: [String] = []
    public var additionalProperties: AdditionalProperties = .unspecified
    public var items: Schema?
    public var allOf: [Schema] = []
    public var oneOf: [Schema] = []
    public var anyOf: [Schema] = []
    public var discriminator: Discriminator?
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
    public var minimum: NumberBound?
    public var maximum: NumberBound?
    public var minItems: Int?
    public var maxItems: Int?
    public var uniqueItems = false
    public var minProperties: Int?
    public var maxProperties: Int?
    /// OpenAPI 3.0's boolean `exclusiveMinimum`/`exclusiveMaximum`, folded into the bounds after parsing.
    var exclusiveMinimumFlag = false
    var exclusiveMaximumFlag = false

    public init(location: SourceLocation) {
        self.location = location
    }
}

/// A schema with a name: from `components/schemas`, or the target of a `$ref`.
public struct NamedSchema: Sendable {
    public var key: SchemaKey
    /// The name as the spec writes it (`AuditEventRequest`, or a file stem for whole-file refs).
    public var name: String
    public var schema: Schema
}
