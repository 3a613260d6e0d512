import YAML

/// Spec `default`s → Swift expressions for init defaults and absent keys.
extension SchemaTranslator {
    func defaultExpression(_ node: Node, type: TypeUsage, schema: Schema) -> String? {
        if node.resolvedScalar == .null { return nil }
        if let expression = literal(node, type: type, schema: schema) { return expression }
        diagnostics.warning("default value '\(node)' for a \(type) is not supported and is ignored", at: node.location)
        return nil
    }

    private func literal(_ node: Node, type: TypeUsage, schema: Schema) -> String? {
        switch (type, node.resolvedScalar) {
        case (.named("String"), _?):
            return node.scalar.map { SwiftLiteral.string($0.value) }
        case (.named("Int"), .int(let value)?), (.named("Int32"), .int(let value)?), (.named("Int64"), .int(let value)?):
            return String(value)
        case (.named("Double"), .int(let value)?), (.named("Float"), .int(let value)?):
            return String(value)
        case (.named("Double"), .double(let value)?), (.named("Float"), .double(let value)?):
            return value.isFinite ? String(value) : nil
        case (.named("Bool"), .bool(let value)?):
            return String(value)
        case (.array(let element), nil):
            guard let items = node.sequence else { return nil }
            let itemSchema = inlineObject(schema)?.items ?? schema
            let literals = items.map { literal($0, type: element, schema: itemSchema) }
            guard literals.allSatisfy({ $0 != nil }) else { return nil }
            return "[" + literals.map { $0! }.joined(separator: ", ") + "]"
        case (.named, _?):
            return enumCaseExpression(node, schema: schema)
        default:
            return nil
        }
    }

    /// `.caseName` for a listed value of an open enum, `.unknown(raw)` for any other.
    private func enumCaseExpression(_ node: Node, schema: Schema) -> String? {
        guard let scalar = node.scalar, var object = inlineObject(schema) else { return nil }
        if let single = Self.singleWrappedMember(&object), let inner = inlineObject(single) { object = inner }
        guard let values = object.enumValues, let rawType = enumRawType(object, values: values) else { return nil }
        let cases = Self.enumCases(values, rawType: rawType)
        let literal = rawType == "Int" ? scalar.value : SwiftLiteral.string(scalar.value)
        if let match = cases.first(where: { $0.literal == literal }) { return "." + SwiftNaming.escaped(match.swiftName) }
        diagnostics.warning("default '\(scalar.value)' is not one of the enum's values", at: node.location)
        return ".unknown(\(literal))"
    }
}
