import YAML

/// Spec `default`s → constants for init defaults and absent keys.
extension SchemaTranslator {
    func defaultConstant(_ node: Node, type: TypeUsage, schema: Schema) -> Constant? {
        if node.resolvedScalar == .null { return nil }
        if let constant = constant(node, type: type, schema: schema) { return constant }
        diagnostics.warning("default value '\(node)' for a \(type) is not supported and is ignored", at: node.location)
        return nil
    }

    private func constant(_ node: Node, type: TypeUsage, schema: Schema) -> Constant? {
        switch (type, node.resolvedScalar) {
        case (.builtin(.string), _?):
            return node.scalar.map { .string($0.value) }
        case (.builtin(let builtin), .int(let value)?) where builtin.isInteger || builtin == .double || builtin == .float:
            return .integer(value)
        case (.builtin(.double), .double(let value)?), (.builtin(.float), .double(let value)?):
            return value.isFinite ? node.scalar.map { .number($0.value) } : nil
        case (.builtin(.bool), .bool(let value)?):
            return .bool(value)
        case (.array(let element), nil):
            guard let items = node.sequence else { return nil }
            let itemSchema = inlineObject(schema)?.items ?? schema
            let constants = items.compactMap { constant($0, type: element, schema: itemSchema) }
            guard constants.count == items.count else { return nil }
            return .array(constants)
        case (.named, _?):
            return enumCase(node, schema: schema)
        default:
            return nil
        }
    }

    /// The case of an open enum a default names, or `unknown(raw)` for a value it does not list.
    private func enumCase(_ node: Node, schema: Schema) -> Constant? {
        guard let scalar = node.scalar, var object = inlineObject(schema) else { return nil }
        if let single = Self.singleWrappedMember(&object), let inner = inlineObject(single) { object = inner }
        guard let values = object.enumValues, let rawType = enumRawType(object, values: values) else { return nil }
        let raw = Self.enumRawValue(node, rawType: rawType)
        if let match = Self.enumCases(values, rawType: rawType).first(where: { $0.rawValue == raw }) { return .enumCase(match.swiftName) }
        diagnostics.warning("default '\(scalar.value)' is not one of the enum's values", at: node.location)
        return .unknownEnumValue(raw)
    }
}
