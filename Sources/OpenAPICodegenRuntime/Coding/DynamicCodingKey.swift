/// The coding key of every generated type: a member's JSON name, written as a string
/// literal in generated code, or known only at run time (`additionalProperties`,
/// discriminators).
///
/// One shared key type instead of a `CodingKeys` enum per type keeps generated code
/// fast to compile: each such enum costs the compiler about twenty functions (its
/// `CodingKey`, `RawRepresentable` and `Hashable` witnesses).
public struct DynamicCodingKey: CodingKey, Hashable, Sendable, ExpressibleByStringLiteral {
    public var stringValue: String
    public var intValue: Int? { nil }

    /// The key of the member named `name` in JSON.
    public init(_ name: String) { stringValue = name }
    /// The key of the member named by the literal, as generated code writes it: `forKey: "event_id"`.
    public init(stringLiteral name: String) { stringValue = name }
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

    /// Throws for a member not named in `known`: the schema says `additionalProperties: false`.
    public func rejectMembers(excluding known: Set<String>) throws {
        for key in allKeys where !known.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "member '\(key.stringValue)' is not allowed (additionalProperties: false)")
        }
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
