// Generated Codable code calls these instead of `decode(_:forKey:)` and friends. Each is a
// single generic function whose type comes from the assignment, where the standard library
// offers seventeen overloads to choose from; on the kubernaut spec that cut the compiler's
// CPU time by about a tenth in our experiment. `@inlinable` keeps release builds specialised.
extension KeyedDecodingContainer {
    /// Decodes the value for `key`, its type taken from context.
    @inlinable
    public func decodeValue<Value: Decodable>(forKey key: Key) throws -> Value {
        try decode(Value.self, forKey: key)
    }

    /// Decodes the value for `key`, or nil when the key is absent or null.
    @inlinable
    public func decodeValueIfPresent<Value: Decodable>(forKey key: Key) throws -> Value? {
        try decodeIfPresent(Value.self, forKey: key)
    }
}

extension KeyedEncodingContainer {
    /// Encodes `value` for `key`.
    @inlinable
    public mutating func encodeValue<Value: Encodable>(_ value: Value, forKey key: Key) throws {
        try encode(value, forKey: key)
    }

    /// Encodes `value` for `key`, and nothing when it is nil.
    @inlinable
    public mutating func encodeValueIfPresent<Value: Encodable>(_ value: Value?, forKey key: Key) throws {
        try encodeIfPresent(value, forKey: key)
    }
}
