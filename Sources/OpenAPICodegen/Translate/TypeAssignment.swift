import YAML

/// Where nested declarations for inline schemas go, and the names already used there.
struct DeclarationScope {
    /// The enclosing type, or nil for the top level.
    var qualifier: TypeName?
    var names: NameAllocator
    var declarations: [Declaration] = []

    func qualified(_ name: String) -> TypeName { qualifier?.nested(name) ?? TypeName(name) }
}

/// Decides the Swift type of every schema, in one place (as swift-openapi-generator's
/// TypeAssignment does): references become type names, inline objects, enums and
/// unions become nested declarations, and formats pick `Date`, `UUID`, `Int64`….
extension SchemaTranslator {
    /// The type for `schema`, and whether it admits null. Inline definitions are added
    /// to `scope` as nested declarations named after `suggestedName`.
    func typeUsage(for schema: Schema, suggestedName: String, scope: inout DeclarationScope) -> (type: TypeUsage, nullable: Bool) {
        switch schema {
        case .reference(let key, _):
            let target = schemasByKey[key]
            let nullable = target.flatMap { inlineObject($0.schema) }?.nullable ?? false
            return (topLevelNames[key].map(TypeUsage.named) ?? .jsonValue, nullable)
        case .inline(let object):
            return typeUsage(forInline: object, suggestedName: suggestedName, scope: &scope)
        }
    }

    private func typeUsage(forInline object: SchemaObject, suggestedName: String, scope: inout DeclarationScope) -> (type: TypeUsage, nullable: Bool) {
        var object = object
        if let single = Self.singleWrappedMember(&object) {
            let inner = typeUsage(for: single, suggestedName: suggestedName, scope: &scope)
            return (inner.type, inner.nullable || object.nullable)
        }
        if isDeclarable(object) {
            // An inline schema reached twice (a property inherited through allOf) keeps the type declared first.
            if let existing = inlineTypeNames[object.location] {
                return (.named(existing), object.nullable)
            }
            let name = scope.names.allocate(SwiftNaming.typeName(suggestedName), alternative: SwiftNaming.typeName(suggestedName) + "Payload")
            let qualified = scope.qualified(name)
            inlineTypeNames[object.location] = qualified
            scope.declarations.append(declaration(for: object, name: name, qualifiedName: qualified))
            return (.named(qualified), object.nullable)
        }
        return (primitiveType(object, suggestedName: suggestedName, scope: &scope), object.nullable)
    }

    /// `allOf`/`oneOf`/`anyOf` with one member and nothing else is just that member
    /// (a common way to add `nullable` or a description to a `$ref`). A `null` variant
    /// of a union becomes nullability.
    static func singleWrappedMember(_ object: inout SchemaObject) -> Schema? {
        for keyPath in [\SchemaObject.oneOf, \SchemaObject.anyOf] {
            let nonNull = object[keyPath: keyPath].filter { !isNullOnly($0) }
            if nonNull.count < object[keyPath: keyPath].count {
                object.nullable = true
                object[keyPath: keyPath] = nonNull
            }
        }
        let hasOwnShape = !object.properties.isEmpty || object.enumValues != nil || object.discriminator != nil
        guard !hasOwnShape else { return nil }
        let members = object.allOf + object.oneOf + object.anyOf
        return members.count == 1 ? members[0] : nil
    }

    static func isNullOnly(_ schema: Schema) -> Bool {
        guard case .inline(let object) = schema else { return false }
        return object.nullable && object.types.isEmpty && object.properties.isEmpty && object.allOf.isEmpty
            && object.oneOf.isEmpty && object.anyOf.isEmpty && object.enumValues == nil
    }

    /// Whether the schema becomes a declaration of its own (struct, enum or union).
    func isDeclarable(_ object: SchemaObject) -> Bool {
        var object = object
        if Self.singleWrappedMember(&object) != nil { return false }
        if !object.allOf.isEmpty || !object.oneOf.isEmpty || !object.anyOf.isEmpty { return true }
        if let values = object.enumValues { return enumRawType(object, values: values) != nil }
        return !object.properties.isEmpty
    }

    private func primitiveType(_ object: SchemaObject, suggestedName: String, scope: inout DeclarationScope) -> TypeUsage {
        let types = object.types
        if types.count > 1 {
            diagnostics.warning("a schema with several types (\(types.map(\.rawValue).joined(separator: ", "))) is generated as JSONValue", at: object.location)
            return .jsonValue
        }
        if let format = object.format, let supplied = formatTypes[format] { return .named(supplied) }
        switch types.first {
        case .string?:
            switch object.format {
            case "date-time": return .date
            case "uuid": return .builtin(.uuid)
            case "binary": return .data
            default: return .string
            }
        case .integer?:
            switch object.format {
            case "int32": return .builtin(.int32)
            case "int64": return .builtin(.int64)
            default: return .int
            }
        case .number?:
            return object.format == "float" ? .builtin(.float) : .builtin(.double)
        case .boolean?:
            return .bool
        case .array?:
            guard let items = object.items else { return .array(.jsonValue) }
            return .array(typeUsage(for: items, suggestedName: suggestedName + "Item", scope: &scope).type)
        case .object?, nil:
            switch object.additionalProperties {
            case .schema(let values):
                return .dictionary(typeUsage(for: values, suggestedName: suggestedName + "Value", scope: &scope).type)
            case .any, .forbidden:
                return .builtin(.jsonObject)
            case .unspecified:
                return types.isEmpty ? .jsonValue : .builtin(.jsonObject)
            }
        case .null?:
            return .jsonValue
        }
    }

    /// The inline definition behind a schema, following `$ref`s.
    func inlineObject(_ schema: Schema, depth: Int = 0) -> SchemaObject? {
        switch schema {
        case .inline(let object): return object
        case .reference(let key, _):
            guard depth < 32, let target = schemasByKey[key] else { return nil }
            return inlineObject(target.schema, depth: depth + 1)
        }
    }

    /// The raw type of the open enum an `enum` becomes: `Int` or `String` when every value is
    /// of that kind (and the schema's type agrees), `JSONValue` for mixed scalars such as
    /// `[1, "two"]`, and nil (no enum; the values are only documentation) for objects or arrays.
    func enumRawType(_ object: SchemaObject, values: [Node]) -> String? {
        let nonNull = values.filter { $0.resolvedScalar != .null }
        guard nonNull.allSatisfy({ $0.scalar != nil }) else { return nil }
        let allIntegers = !nonNull.isEmpty && nonNull.allSatisfy { if case .int? = $0.resolvedScalar { true } else { false } }
        let allStrings = nonNull.allSatisfy { if case .string? = $0.resolvedScalar { true } else { false } }
        switch object.types {
        case [.string]: return "String"
        case [.integer]: return allIntegers ? "Int" : "JSONValue"
        case []: return allIntegers ? "Int" : allStrings ? "String" : "JSONValue"
        case let types where types.count > 1: return "JSONValue"
        // Booleans, numbers, objects and arrays keep their plain type; the values are documentation.
        default: return nil
        }
    }
}
