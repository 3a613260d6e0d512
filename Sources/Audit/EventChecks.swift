import OpenAPICodegenRuntime

/// The checks every contract's events pass before they may enter a buffer.
package enum EventChecks {
    /// Throws every violation of the contract's constraints (and of `extra`) at once.
    static func requireValid<Event: Validatable>(
        _ event: Event, typeName: String, extra: (inout Validator) -> Void = { _ in }
    ) throws(AuditStoreError) {
        var validator = Validator()
        event.collectViolations(into: &validator)
        extra(&validator)
        if !validator.violations.isEmpty {
            throw .invalidEvent(ValidationError(typeName: typeName, violations: validator.violations))
        }
    }
}

/// The discriminator value inside `eventData` when it differs from `eventType`, else nil.
/// Works for any generated union; kubernaut's `event_data` is one.
public func discriminatorMismatch(eventType: String, eventData: some Any) -> String? {
    guard let union = eventData as? any DiscriminatedUnion else { return nil }
    let inner = union.discriminatorValue
    return inner == eventType ? nil : inner
}
