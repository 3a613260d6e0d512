import DataStorageClient

/// The checks `store` runs before an event may enter the buffer.
package enum EventChecks {
    /// Whether `event_data`'s type carries a discriminator at all; decided once, since the
    /// type is fixed by the contract, so `store` pays for no dynamic cast.
    static let eventDataIsDiscriminated = (CommonEnvelope.self as Any.Type) is any DiscriminatedUnion.Type

    package static func check(_ event: AuditEvent) throws(AuditStoreError) {
        var validator = Validator()
        event.collectViolations(into: &validator)
        if case .null = event.eventData.payload {
            validator.nested("event_data") { $0.report("must not be null", at: "payload") }
        }
        if !validator.violations.isEmpty {
            throw .invalidEvent(ValidationError(typeName: "AuditEvent", violations: validator.violations))
        }
        if eventDataIsDiscriminated, let inner = discriminatorMismatch(eventType: event.eventType, eventData: event.eventData) {
            throw .eventTypeMismatch(eventType: event.eventType, eventDataType: inner)
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
