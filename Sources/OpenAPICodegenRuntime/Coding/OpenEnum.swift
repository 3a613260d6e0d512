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
    @inlinable
    public func collectViolations(into validator: inout Validator) {
        if !isKnown {
            validator.report("'\(rawValue)' is not one of the allowed values", at: nil)
        }
    }
}

/// A generated `oneOf`/`anyOf` whose variant is chosen by a discriminator member.
public protocol DiscriminatedUnion: Sendable {
    /// The discriminator value that selects the variant this value holds.
    var discriminatorValue: String { get }
}
