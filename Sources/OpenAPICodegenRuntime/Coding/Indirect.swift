/// A heap box that gives a recursive schema's value-typed property a finite size.
public final class Indirect<Wrapped: Sendable & Hashable>: Sendable, Hashable {
    public let value: Wrapped

    public init(_ value: Wrapped) {
        self.value = value
    }

    public static func == (lhs: Indirect, rhs: Indirect) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
