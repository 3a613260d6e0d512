/// A generated enum that accepts values the spec did not list.
///
/// Unknown raw values decode into an `unknown(raw)` case instead of failing, so a
/// server that adds a value does not break older clients; ``isKnown`` is false for
/// them and validation reports them.
public protocol OpenEnum: RawRepresentable, Codable, Hashable, Sendable, ParameterValue, ParameterDecodable, Validatable
where RawValue: Codable & Hashable & Sendable & ParameterValue & ParameterDecodable {
    /// False for a value the spec does not list.
    var isKnown: Bool { get }
}

extension OpenEnum {
    public var parameterText: String { rawValue.parameterText }

    /// An unknown value is a violation: the spec does not allow it, even though it decodes.
    @inlinable
    public func collectViolations(into validator: inout Validator) {
        if !isKnown {
            validator.report("'\(rawValue)' is not one of the allowed values", at: nil)
        }
    }
}

/// Enums whose listed values are of mixed kinds (`enum: [1, "two"]`) keep the JSON value
/// itself as their raw value; the standard library codes only String and number raw values.
extension OpenEnum where RawValue == JSONValue {
    /// Decodes any JSON scalar; values the spec does not list become `unknown`.
    public init(from decoder: any Decoder) throws {
        let raw = try JSONValue(from: decoder)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "'\(raw)' is not a value of \(Self.self)"))
        }
        self = value
    }

    /// Encodes the raw JSON value as written in the spec.
    public func encode(to encoder: any Encoder) throws {
        try rawValue.encode(to: encoder)
    }
}

/// A generated `oneOf`/`anyOf` whose variant is chosen by a discriminator member.
public protocol DiscriminatedUnion: Sendable {
    /// The discriminator value that selects the variant this value holds.
    var discriminatorValue: String { get }
}
