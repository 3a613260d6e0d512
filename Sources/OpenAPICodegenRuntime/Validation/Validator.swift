import Foundation
import Synchronization

/// One step of the JSON path to a violation: a member name or an array index.
public enum PathComponent: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case key(String)
    case index(Int)

    public init(stringLiteral value: String) { self = .key(value) }
    public init(integerLiteral value: Int) { self = .index(value) }
}

/// One way a value breaks its schema, with where it is.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    /// Wire names from the root of the validated value.
    public var path: [PathComponent]
    /// What is wrong, in words a user can act on.
    public var message: String

    public init(path: [PathComponent], message: String) {
        self.path = path
        self.message = message
    }

    /// The path as a JSONPath expression: `$.event_data.payload[3]`.
    public var jsonPath: String {
        path.reduce(into: "$") { text, component in
            switch component {
            case .key(let name): text += "." + name
            case .index(let index): text += "[\(index)]"
            }
        }
    }

    public var description: String { "\(jsonPath): \(message)" }
}

/// Every violation found when validating a value, not only the first.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name of the validated type.
    public var typeName: String
    public var violations: [Violation]

    public init(typeName: String, violations: [Violation]) {
        self.typeName = typeName
        self.violations = violations
    }

    public var description: String {
        "invalid \(typeName): " + violations.map(\.description).joined(separator: "; ")
    }
}

/// A value that can check itself against the constraints of the schema it came from.
public protocol Validatable {
    /// Appends a ``Violation`` for every constraint this value breaks.
    func collectViolations(into validator: inout Validator)
}

extension Validatable {
    /// Throws every violation of the schema's constraints: lengths, patterns, ranges,
    /// array bounds and enum membership (unknown values of open enums fail).
    public func validate() throws(ValidationError) {
        var validator = Validator()
        collectViolations(into: &validator)
        if !validator.violations.isEmpty {
            throw ValidationError(typeName: String(describing: Self.self), violations: validator.violations)
        }
    }
}

/// Collects violations. Paths are built only when something fails, so validating a
/// valid value allocates nothing.
///
/// The checks that run on every `store()` are `@inlinable`, so that they specialise in
/// the generated module instead of going through generic dispatch.
public struct Validator: Sendable {
    @usableFromInline var recorded: [Violation] = []

    /// Everything found so far.
    public var violations: [Violation] { recorded }

    public init() {}

    /// Records a violation at `component` (or at the current value when nil).
    public mutating func report(_ message: String, at component: PathComponent?) {
        recorded.append(Violation(path: component.map { [$0] } ?? [], message: message))
    }

    /// Runs `body` for a nested value and prefixes its violations with `component`.
    @inlinable
    public mutating func nested(_ component: PathComponent, _ body: (inout Validator) -> Void) {
        let start = recorded.count
        body(&self)
        if recorded.count > start { prefix(from: start, with: component) }
    }

    @usableFromInline
    mutating func prefix(from start: Int, with component: PathComponent) {
        for index in start..<recorded.count {
            recorded[index].path.insert(component, at: 0)
        }
    }

    /// Validates a nested value that knows its own constraints.
    @inlinable
    public mutating func validate(_ value: some Validatable, at component: PathComponent) {
        nested(component) { value.collectViolations(into: &$0) }
    }

    /// Validates a value of a type the application supplies in place of a generated one
    /// (`typeOverrides`) that knows its own constraints.
    @inlinable
    public mutating func validateSupplied(_ value: some Validatable, at component: PathComponent) {
        validate(value, at: component)
    }

    /// A supplied type that is not ``Validatable`` has no constraints to check.
    @inlinable
    public mutating func validateSupplied<Value>(_ value: Value, at component: PathComponent) {}

    /// The violations of a supplied value that is a `oneOf` variant, at the union's own path.
    @inlinable
    public mutating func collectViolations(ofSupplied value: some Validatable) {
        value.collectViolations(into: &self)
    }

    /// A supplied variant that is not ``Validatable`` has no constraints to check.
    @inlinable
    public mutating func collectViolations<Value>(ofSupplied value: Value) {}

    /// Validates each element of an array of nested values.
    public mutating func validateEach(_ values: [some Validatable], at component: PathComponent) {
        nested(component) { validator in
            for (index, value) in values.enumerated() {
                validator.validate(value, at: .index(index))
            }
        }
    }

    /// Validates each value of a map of nested values.
    public mutating func validateEach(_ values: [String: some Validatable], at component: PathComponent) {
        nested(component) { validator in
            for name in values.keys.sorted() {
                validator.validate(values[name]!, at: .key(name))
            }
        }
    }

    /// `minLength`/`maxLength`, counted in Unicode code points as JSON Schema says.
    @inlinable
    public mutating func checkLength(_ text: String, min minimum: Int?, max maximum: Int?, at component: PathComponent) {
        // A code point takes 1 to 4 UTF-8 bytes, so the byte count often settles it without counting.
        let bytes = text.utf8.count
        if bytes <= maximum ?? .max, (bytes + 3) / 4 >= minimum ?? 0 { return }
        reportLength(text, min: minimum, max: maximum, at: component)
    }

    @usableFromInline
    mutating func reportLength(_ text: String, min minimum: Int?, max maximum: Int?, at component: PathComponent) {
        let length = text.unicodeScalars.count
        if let minimum, length < minimum {
            report("must be at least \(minimum) characters long, got \(length)", at: component)
        }
        if let maximum, length > maximum {
            report("must be at most \(maximum) characters long, got \(length)", at: component)
        }
    }

    /// `pattern`, an ECMA-262 regular expression that must match somewhere in the text.
    public mutating func checkPattern(_ text: String, pattern: String, at component: PathComponent) {
        guard let expression = PatternCache.shared.expression(for: pattern) else {
            report("cannot check pattern '\(pattern)': it is not a valid regular expression", at: component)
            return
        }
        let range = NSRange(text.startIndex..., in: text)
        if expression.firstMatch(in: text, range: range) == nil {
            report("must match pattern '\(pattern)'", at: component)
        }
    }

    /// `minimum`/`maximum` and their exclusive forms.
    @inlinable
    public mutating func checkRange<Number: Comparable>(
        _ value: Number, minimum: Number? = nil, exclusiveMinimum: Bool = false,
        maximum: Number? = nil, exclusiveMaximum: Bool = false, at component: PathComponent
    ) {
        if let minimum, exclusiveMinimum ? value <= minimum : value < minimum {
            reportBound(value, minimum, exclusiveMinimum ? "greater than" : "at least", at: component)
        }
        if let maximum, exclusiveMaximum ? value >= maximum : value > maximum {
            reportBound(value, maximum, exclusiveMaximum ? "less than" : "at most", at: component)
        }
    }

    /// Kept out of line: only a failing check formats a message.
    @usableFromInline
    mutating func reportBound(_ value: some Comparable, _ bound: some Comparable, _ relation: String, at component: PathComponent) {
        report("must be \(relation) \(bound), got \(value)", at: component)
    }

    /// `minItems`/`maxItems` (also used for `minProperties`/`maxProperties`).
    public mutating func checkCount(_ count: Int, min minimum: Int?, max maximum: Int?, at component: PathComponent) {
        if let minimum, count < minimum {
            report("must have at least \(minimum) items, got \(count)", at: component)
        }
        if let maximum, count > maximum {
            report("must have at most \(maximum) items, got \(count)", at: component)
        }
    }

    /// `uniqueItems: true`.
    public mutating func checkUnique<Element: Hashable>(_ items: [Element], at component: PathComponent) {
        if Set(items).count != items.count {
            report("must not contain duplicate items", at: component)
        }
    }
}

/// Compiled `pattern` expressions, compiled once per process.
final class PatternCache: Sendable {
    static let shared = PatternCache()

    private let expressions = Mutex<[String: CompiledPattern]>([:])

    /// NSRegularExpression is immutable after creation and documented thread-safe for matching.
    private struct CompiledPattern: @unchecked Sendable {
        let expression: NSRegularExpression?
    }

    func expression(for pattern: String) -> NSRegularExpression? {
        expressions.withLock { cache in
            if let compiled = cache[pattern] { return compiled.expression }
            let compiled = CompiledPattern(expression: try? NSRegularExpression(pattern: pattern))
            cache[pattern] = compiled
            return compiled.expression
        }
    }
}
