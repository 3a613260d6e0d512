import YAML

/// Spec constraints → ``ValueCheck``s for generated `collectViolations(into:)`.
extension SchemaTranslator {
    func checks(for schema: Schema, depth: Int = 0) -> [ValueCheck] {
        guard depth < 32 else { return [] }
        switch schema {
        case .reference(let key, _):
            // The application's own type checks itself, if it wants to.
            guard let named = schemasByKey[key], !replacedSchemas.contains(key) else { return [] }
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
            checks.append(.range(
                min: object.minimum.map { literal($0, integer: isInteger) }, exclusiveMin: object.minimum?.isExclusive ?? false,
                max: object.maximum.map { literal($0, integer: isInteger) }, exclusiveMax: object.maximum?.isExclusive ?? false))
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

    private func literal(_ bound: NumberBound, integer: Bool) -> String {
        guard integer else { return bound.text }
        let rounded = bound.value.rounded(.up)
        return rounded == bound.value ? String(Int(bound.value)) : String(Int(rounded))
    }
}

/// Swift literal spelling.
enum SwiftLiteral {
    /// A double-quoted string literal with escapes.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\0": result += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// A `JSONValue` literal for a scalar node (`.int(1)`, `.string("two")`).
    static func jsonValue(_ node: Node) -> String {
        switch node.resolvedScalar {
        case .int(let value)?: ".int(\(value))"
        case .double(let value)? where value.isFinite: ".double(\(value))"
        case .bool(let value)?: ".bool(\(value))"
        case .null?: ".null"
        default: ".string(\(string(node.scalar?.value ?? "")))"
        }
    }
}
