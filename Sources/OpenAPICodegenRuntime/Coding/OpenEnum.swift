/// A generated enum that accepts values the spec did not list.
///
/// Unknown raw values decode into an `unknown(raw)` case instead of failing, so a
/// server that adds a value does not break older clients; ``isKnown`` is false for
/// them and validation reports them.
public protocol OpenEnum: RawRepresentable, Codable, Hashable, Sendable, ParameterValue, Validatable
where RawValue: Codable & Hashable & Sendable & ParameterValue {
    /// False for a value the spec does not list.
    var isKnown: Bool { get }
}

extension OpenEnum {
    public var parameterText: String { rawValue.parameterText }

    /// An unknown value is a violation: the spec does not allow it, even though it decodes.
    public func collectViolations(into validator: inout Validator) {
        if !isKnown {
            validator.report("'\(rawValue)' is not one of the allowed values", at: nil)
        }
    }
}

/// A heap box that gives a recursive schema's value-typed property a finite size.
public final class Indirect<Wrapped: Sendable & Hashable>: Sendable, Hashable {
    public let value: Wrapped

    public init(_ value: Wrapped) {
        self.value = value
    }

    public static func == (lhs: Indirect, rhs: Indirect) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A coding key for members whose names are only known at run time
/// (`additionalProperties`, discriminators).
public struct DynamicCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }

    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == DynamicCodingKey {
    /// Decodes every member not named in `known` as `Value`, for `additionalProperties`.
    public func decodeAdditionalProperties<Value: Decodable>(
        _ type: Value.Type, excluding known: Set<String>
    ) throws -> [String: Value] {
        var result: [String: Value] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            result[key.stringValue] = try decode(Value.self, forKey: key)
        }
        return result
    }
}

extension KeyedEncodingContainer where Key == DynamicCodingKey {
    /// Encodes `additionalProperties` in a stable (sorted) order.
    public mutating func encodeAdditionalProperties<Value: Encodable>(_ properties: [String: Value]) throws {
        for name in properties.keys.sorted() {
            try encode(properties[name], forKey: DynamicCodingKey(name))
        }
    }
}
