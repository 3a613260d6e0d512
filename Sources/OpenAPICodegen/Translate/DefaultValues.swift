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
        case (.builtin(.string), _?):
            return node.scalar.map { SwiftLiteral.string($0.value) }
        case (.builtin(let builtin), .int(let value)?) where builtin.isInteger || builtin == .double || builtin == .float:
            return String(value)
        case (.builtin(.double), .double(let value)?), (.builtin(.float), .double(let value)?):
            return value.isFinite ? String(value) : nil
        case (.builtin(.bool), .bool(let value)?):
            return String(value)
        case (.array(let element), nil):
            guard let items = node.sequence else { return nil }
            let itemSchema = inlineObject(schema)?.items ?? schema
            let literals = items.compactMap { literal($0, type: element, schema: itemSchema) }
            guard literals.count == items.count else { return nil }
            return "[" + literals.joined(separator: ", ") + "]"
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
        let literal = rawType == "Int" ? scalar.value : rawType == "String" ? SwiftLiteral.string(scalar.value) : SwiftLiteral.jsonValue(node)
        if let match = cases.first(where: { $0.literal == literal }) { return "." + SwiftNaming.escaped(match.swiftName) }
        diagnostics.warning("default '\(scalar.value)' is not one of the enum's values", at: node.location)
        return ".unknown(\(literal))"
    }
}
