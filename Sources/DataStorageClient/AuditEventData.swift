extension AuditEventData {
    /// The envelope, when the event carries this contract's envelope rather than one of
    /// kubernaut's typed payloads.
    ///
    /// Setting an envelope makes it the event's data, so `event.eventData.envelope?.payload = …`
    /// edits an envelope in place and leaves a kubernaut payload alone. Setting nil changes
    /// nothing: an event always has data.
    public var envelope: CommonEnvelope? {
        get {
            if case .commonEnvelope(let envelope) = self { envelope } else { nil }
        }
        set {
            if let newValue { self = .commonEnvelope(newValue) }
        }
    }
}
