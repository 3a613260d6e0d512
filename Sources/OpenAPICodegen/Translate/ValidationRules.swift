import YAML

/// Spec constraints → ``ValueCheck``s for generated `collectViolations(into:)`.
extension SchemaTranslator {
    func checks(for schema: Schema, depth: Int = 0) -> [ValueCheck] {
        guard depth < 32 else { return [] }
        switch schema {
        case .reference(let key, _):
            // The application's own type checks itself, if it is Validatable.
            if replacedSchemas.contains(key) { return [.supplied] }
            guard let named = schemasByKey[key] else { return [] }
            // A named struct, enum or union validates itself; an alias carries its target's checks.
            if let object = inlineObject(named.schema), isDeclarable(object) { return [.nested] }
            return checks(for: named.schema, depth: depth + 1)
        case .inline(var object):
            if let single = Self.singleWrappedMember(&object) { return checks(for: single, depth: depth + 1) }
            if isDeclarable(object) { return [.nested] }
            return primitiveChecks(object, depth: depth)
        }
    }

    private func primitiveChecks(_ object: SchemaObject, depth: Int) -> [ValueCheck] {
        var checks: [ValueCheck] = []
        if let format = object.format, formatTypes[format] != nil { return checks }
        if object.minLength != nil || object.maxLength != nil {
            checks.append(.length(min: object.minLength, max: object.maxLength))
        }
        if let pattern = object.pattern { checks.append(.pattern(pattern)) }
        if object.minimum != nil || object.maximum != nil {
            let isInteger = object.types.contains(.integer)
            let minimum = object.minimum.map { bound($0, integer: isInteger, roundingUp: true) }
            let maximum = object.maximum.map { bound($0, integer: isInteger, roundingUp: false) }
            checks.append(.range(
                min: minimum?.constant, exclusiveMin: minimum?.isExclusive ?? false,
                max: maximum?.constant, exclusiveMax: maximum?.isExclusive ?? false))
        }
        if object.types.contains(.array) {
            if object.minItems != nil || object.maxItems != nil { checks.append(.count(min: object.minItems, max: object.maxItems)) }
            if object.uniqueItems { checks.append(.unique) }
            if let items = object.items {
                let inner = self.checks(for: items, depth: depth + 1)
                if !inner.isEmpty { checks.append(.each(inner)) }
            }
        } else if case .schema(let values) = object.additionalProperties {
            if object.minProperties != nil || object.maxProperties != nil {
                checks.append(.count(min: object.minProperties, max: object.maxProperties))
            }
            let inner = self.checks(for: values, depth: depth + 1)
            if !inner.isEmpty { checks.append(.each(inner)) }
        }
        return checks
    }

    /// A bound in the value's type. For an integer schema a fractional bound rounds inward
    /// (`minimum: 2.5` is `>= 3`), and is then inclusive whatever it was.
    private func bound(_ bound: NumberBound, integer: Bool, roundingUp: Bool) -> (constant: Constant, isExclusive: Bool) {
        guard integer else { return (.number(bound.text), bound.isExclusive) }
        let rounded = bound.value.rounded(roundingUp ? .up : .down)
        guard rounded != bound.value, abs(rounded) < 9e15 else { return (.integer(Int(rounded)), bound.isExclusive) }
        return (.integer(Int(rounded)), false)
    }
}
