import YAML

/// Translates named schemas into top-level declarations.
final class SchemaTranslator {
    let diagnostics: DiagnosticCollector
    let schemasByKey: [SchemaKey: NamedSchema]
    /// The Swift name of every named schema.
    private(set) var topLevelNames: [SchemaKey: TypeName] = [:]
    let document: OpenAPIDocument
    /// Top-level names, shared with operation namespaces and aliases' companion types.
    var topLevel: DeclarationScope
    /// The qualified name declared for each inline schema, by where it is written.
    var inlineTypeNames: [SourceLocation: TypeName] = [:]
    let options: TranslationOptions
    /// Named schemas the application supplies its own type for: nothing is declared for them.
    private(set) var replacedSchemas: Set<SchemaKey> = []
    /// Swift types the application supplies for formats.
    let formatTypes: [String: TypeName]
    /// Type names the application supplies, which the generator must not look into.
    private(set) var suppliedTypeNames: Set<TypeName> = []

    init(document: OpenAPIDocument, options: TranslationOptions = TranslationOptions(), diagnostics: DiagnosticCollector) {
        self.document = document
        self.options = options
        self.diagnostics = diagnostics
        schemasByKey = Dictionary(document.schemas.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        topLevel = DeclarationScope(qualifier: nil, names: NameAllocator(reserved: SwiftNaming.reservedTypeNames))
        formatTypes = Dictionary(options.formatTypeOverrides.map { ($0.from.value, TypeName(parsing: $0.to)) }, uniquingKeysWith: { first, _ in first })
        suppliedTypeNames = Set(formatTypes.values)
        let renamed = Dictionary(options.nameOverrides.map { ($0.from.value, $0.to) }, uniquingKeysWith: { first, _ in first })
        let replaced = Dictionary(options.schemaTypeOverrides.map { ($0.from.value, TypeName(parsing: $0.to)) }, uniquingKeysWith: { first, _ in first })
        for named in document.schemas {
            if let type = replaced[named.name] {
                topLevelNames[named.key] = type
                replacedSchemas.insert(named.key)
                suppliedTypeNames.insert(type)
                continue
            }
            let preferred = renamed[named.name] ?? SwiftNaming.typeName(named.name)
            topLevelNames[named.key] = TypeName(topLevel.names.allocate(preferred, alternative: preferred + "Schema"))
        }
        reportUnknownOverrides()
    }

    /// An override that names nothing in the spec is an error where it is written; a format
    /// no schema uses is only a warning, since formats are open-ended.
    private func reportUnknownOverrides() {
        let schemaNames = Set(document.schemas.map(\.name))
        let operationIDs = Set(document.operations.compactMap(\.operationID))
        let fallback = SourceLocation(file: document.sourcePath, line: 1, column: 1)
        for rename in options.nameOverrides where !schemaNames.contains(rename.from.value) && !operationIDs.contains(rename.from.value) {
            diagnostics.error("nameOverrides names '\(rename.from.value)', which is neither a schema nor an operationId in the spec", at: rename.from.location ?? fallback)
        }
        for rename in options.schemaTypeOverrides where !schemaNames.contains(rename.from.value) {
            diagnostics.error("typeOverrides.schemas names '\(rename.from.value)', which is not a schema in the spec", at: rename.from.location ?? fallback)
        }
    }

    /// A fresh scope for the members of a type, where nested names must not shadow
    /// any top-level or reserved name.
    func nestedScope(for qualifiedName: TypeName) -> DeclarationScope {
        var names = NameAllocator(reserved: nestedReservedNames)
        names.reserve(qualifiedName.name)
        return DeclarationScope(qualifier: qualifiedName, names: names)
    }

    /// Reserved and top-level names, computed once: every nested scope shares the set.
    private lazy var nestedReservedNames: Set<String> = SwiftNaming.reservedTypeNames.union(topLevelNames.values.map(\.root))

    func translateSchemas(reachable: Set<SchemaKey>?) -> [Declaration] {
        var declarations: [Declaration] = []
        for named in document.schemas where !replacedSchemas.contains(named.key) && reachable?.contains(named.key) != false {
            guard let typeName = topLevelNames[named.key] else { continue }
            let name = typeName.name
            switch named.schema {
            case .reference(let key, _):
                declarations.append(.typeAlias(TypeAliasDeclaration(
                    name: name, documentation: nil, isDeprecated: false, target: topLevelNames[key].map(TypeUsage.named) ?? .jsonValue)))
            case .inline(let object):
                if isDeclarable(object) {
                    declarations.append(declaration(for: object, name: name, qualifiedName: typeName))
                } else {
                    // Inline types inside an alias (`[Item]`) have nowhere to nest, so they go top-level.
                    var type = typeUsage(for: named.schema, suggestedName: name, scope: &topLevel).type
                    if containsItselfThroughCollections(named.key) {
                        diagnostics.warning(
                            "'\(named.name)' contains itself only through arrays and maps, which a Swift type alias cannot express; it is generated as JSONValue",
                            at: object.location)
                        type = .jsonValue
                    }
                    declarations += topLevel.declarations
                    topLevel.declarations = []
                    declarations.append(.typeAlias(TypeAliasDeclaration(
                        name: name, documentation: object.description, isDeprecated: object.deprecated, target: type)))
                }
            }
        }
        return declarations
    }

    /// Whether a schema that becomes a type alias reaches itself without passing through a
    /// declared type (struct, enum, union), as `Tree: {type: array, items: {$ref: Tree}}` does.
    private func containsItselfThroughCollections(_ key: SchemaKey) -> Bool {
        guard let start = schemasByKey[key] else { return false }
        var visited: Set<SchemaKey> = []
        var pending: [Schema] = [start.schema]
        while let schema = pending.popLast() {
            switch schema {
            case .reference(let target, _):
                if target == key { return true }
                guard visited.insert(target).inserted, let named = schemasByKey[target] else { continue }
                pending.append(named.schema)
            case .inline(var object):
                if let single = Self.singleWrappedMember(&object) {
                    pending.append(single)
                    continue
                }
                guard !isDeclarable(object) else { continue }
                if let items = object.items { pending.append(items) }
                if case .schema(let values) = object.additionalProperties { pending.append(values) }
            }
        }
        return false
    }

    /// A struct, open enum or union for a declarable schema.
    func declaration(for object: SchemaObject, name: String, qualifiedName: TypeName) -> Declaration {
        var object = object
        _ = Self.singleWrappedMember(&object)
        if !object.oneOf.isEmpty || !object.anyOf.isEmpty {
            return .oneOf(unionDeclaration(object, name: name, qualifiedName: qualifiedName))
        }
        if let values = object.enumValues, let rawType = enumRawType(object, values: values), object.allOf.isEmpty {
            return .openEnum(EnumDeclaration(
                name: name, documentation: object.description, isDeprecated: object.deprecated, rawType: rawType,
                cases: Self.enumCases(values, rawType: rawType)))
        }
        return .structure(structDeclaration(object, name: name, qualifiedName: qualifiedName))
    }

    // MARK: Structs

    private func structDeclaration(_ object: SchemaObject, name: String, qualifiedName: TypeName) -> StructDeclaration {
        var scope = nestedScope(for: qualifiedName)
        var visited: Set<SchemaKey> = []
        let shape = flatten(object, visited: &visited)
        var memberNames = NameAllocator.members(reserving: shape.additional == nil ? [] : ["additionalProperties"])
        var properties: [PropertyDeclaration] = []
        for property in shape.properties {
            let (type, nullable) = typeUsage(for: property.schema, suggestedName: property.name, scope: &scope)
            let inline = inlineObject(property.schema)
            // readOnly members are the server's to send, so requests may leave them out; writeOnly
            // members never come back, so responses may. Either way the member is optional on the
            // wire, and a required writeOnly member is checked by validate() instead.
            let direction = inline.map { ($0.readOnly, $0.writeOnly) } ?? (false, false)
            let isRequired = shape.required.contains(property.name) && !direction.0 && !direction.1
            let defaultValue = inline?.defaultValue.flatMap { defaultConstant($0, type: type, schema: property.schema) }
            let note = direction.0 ? "Read-only: set by the server; requests leave it out." : direction.1 ? "Write-only: sent in requests, never returned." : nil
            properties.append(PropertyDeclaration(
                swiftName: memberNames.allocate(SwiftNaming.memberName(property.name)),
                wireName: property.name,
                type: type,
                isOptional: nullable || (!isRequired && defaultValue == nil),
                isRequired: isRequired,
                isRequiredInRequests: direction.1 && shape.required.contains(property.name),
                defaultValue: defaultValue,
                documentation: note.map { [Self.inlineDescription(property.schema), $0].compactMap { $0 }.joined(separator: "\n\n") }
                    ?? Self.inlineDescription(property.schema),
                isDeprecated: Self.isDeprecated(property.schema),
                isBoxed: false,
                checks: checks(for: property.schema)))
        }
        var additional: TypeUsage?
        var additionalChecks: [ValueCheck] = []
        switch shape.additional {
        case .schema(let values)?:
            additional = typeUsage(for: values, suggestedName: "AdditionalProperty", scope: &scope).type
            additionalChecks = checks(for: values)
        case .any?: additional = .jsonValue
        default: additional = nil
        }
        return StructDeclaration(
            name: name, documentation: object.description, isDeprecated: object.deprecated, properties: properties,
            additionalProperties: additional, additionalPropertyChecks: additionalChecks,
            rejectsUnknownMembers: shape.additional == nil && shape.isClosed, nestedTypes: scope.declarations)
    }

    private struct ObjectShape {
        var properties: [Property] = []
        var required: Set<String> = []
        var additional: AdditionalProperties?
        /// Some schema in the flattened set says `additionalProperties: false`.
        var isClosed = false
    }

    /// Merges `allOf` members into one set of properties: members first, in order, then
    /// the schema's own; a later definition of a property replaces an earlier one in place.
    private func flatten(_ object: SchemaObject, visited: inout Set<SchemaKey>) -> ObjectShape {
        var shape = ObjectShape()
        func merge(_ other: ObjectShape) {
            for property in other.properties {
                if let index = shape.properties.firstIndex(where: { $0.name == property.name }) {
                    shape.properties[index] = property
                } else {
                    shape.properties.append(property)
                }
            }
            shape.required.formUnion(other.required)
            if let additional = other.additional { shape.additional = additional }
            shape.isClosed = shape.isClosed || other.isClosed
        }
        for member in object.allOf {
            if case .reference(let key, _) = member {
                guard visited.insert(key).inserted else { continue }
            }
            guard let memberObject = inlineObject(member) else { continue }
            let isObjectLike = !memberObject.properties.isEmpty || !memberObject.allOf.isEmpty || memberObject.types.contains(.object)
                || !memberObject.required.isEmpty
            guard isObjectLike, memberObject.oneOf.isEmpty, memberObject.anyOf.isEmpty else {
                diagnostics.warning("allOf member is not an object schema and is skipped", at: member.location)
                continue
            }
            merge(flatten(memberObject, visited: &visited))
        }
        var own = ObjectShape(properties: object.properties, required: Set(object.required))
        switch object.additionalProperties {
        case .schema, .any: own.additional = object.additionalProperties
        case .unspecified: own.additional = nil
        case .forbidden: own.isClosed = true
        }
        merge(own)
        return shape
    }

    static func inlineDescription(_ schema: Schema) -> String? {
        if case .inline(let object) = schema { return object.description }
        return nil
    }

    static func isDeprecated(_ schema: Schema) -> Bool {
        if case .inline(let object) = schema { return object.deprecated }
        return false
    }

    // MARK: Enums

    /// Cases for an open enum's values, named deterministically. Pure, so a default
    /// value can find its case before or after the enum itself is translated.
    static func enumCases(_ values: [Node], rawType: String) -> [EnumDeclaration.Case] {
        var names = NameAllocator.members(reserving: ["unknown", "rawValue", "isKnown", "hashValue"])
        var seen: Set<String> = []
        var cases: [EnumDeclaration.Case] = []
        for value in values {
            guard let scalar = value.scalar, value.resolvedScalar != .null, seen.insert(scalar.value).inserted else { continue }
            let preferred = scalar.value.isEmpty ? "empty" : SwiftNaming.memberName(scalar.value)
            cases.append(EnumDeclaration.Case(swiftName: names.allocate(preferred), rawValue: enumRawValue(value, rawType: rawType)))
        }
        return cases
    }

    /// A listed value as the enum's raw type holds it.
    static func enumRawValue(_ node: Node, rawType: String) -> Constant {
        let text = node.scalar?.value ?? ""
        switch rawType {
        case "Int": return Int(text).map(Constant.integer) ?? .string(text)
        case "String": return .string(text)
        default:
            switch node.resolvedScalar {
            case .int(let value)?: return .jsonValue(.integer(value))
            case .double(let value)? where value.isFinite: return .jsonValue(.number(text))
            case .bool(let value)?: return .jsonValue(.bool(value))
            default: return .jsonValue(.string(text))
            }
        }
    }

    // MARK: Unions

    private func unionDeclaration(_ object: SchemaObject, name: String, qualifiedName: TypeName) -> OneOfDeclaration {
        var scope = nestedScope(for: qualifiedName)
        let members = object.oneOf.isEmpty ? object.anyOf : object.oneOf
        var caseNames = NameAllocator.members(reserving: ["undocumented", "discriminatorValue"])
        var cases: [OneOfDeclaration.Case] = []
        if let discriminator = object.discriminator {
            var targets: [SchemaKey] = []
            for member in members {
                if case .reference(let key, _) = member { targets.append(key) } else {
                    diagnostics.warning("an inline oneOf variant cannot be selected by the discriminator and is skipped", at: member.location)
                }
            }
            for entry in discriminator.mapping where !targets.contains(entry.target) {
                targets.append(entry.target)
            }
            for target in targets {
                var values = discriminator.mapping.filter { $0.target == target }.map(\.value)
                if values.isEmpty, let named = schemasByKey[target] { values = [named.name] }
                let type = topLevelNames[target].map(TypeUsage.named) ?? .jsonValue
                cases.append(OneOfDeclaration.Case(
                    swiftName: caseNames.allocate(Self.caseName(for: type)), type: type,
                    discriminatorValues: values, discriminatorAccess: nil))
            }
        } else {
            for (index, member) in members.enumerated() {
                let type = typeUsage(for: member, suggestedName: "Variant\(index + 1)", scope: &scope).type
                var suppliedTypeNeeds: [String] = []
                // A supplied type is taken to decode as its schema says: a union needs its discriminator.
                if case .reference(let key, _) = member, replacedSchemas.contains(key), let target = inlineObject(member),
                   let property = target.discriminator?.propertyName, !target.oneOf.isEmpty || !target.anyOf.isEmpty {
                    suppliedTypeNeeds = [property]
                }
                cases.append(OneOfDeclaration.Case(
                    swiftName: caseNames.allocate(Self.caseName(for: type)), type: type, discriminatorValues: [], discriminatorAccess: nil,
                    suppliedTypeNeeds: suppliedTypeNeeds))
            }
            // anyOf keeps every variant that matches, so only oneOf has anything to be ambiguous about.
            if !object.oneOf.isEmpty { reportAmbiguousVariants(members) }
        }
        return OneOfDeclaration(
            name: name, documentation: object.description, isDeprecated: object.deprecated, cases: cases,
            discriminatorProperty: object.discriminator?.propertyName, requiresSingleMatch: !object.oneOf.isEmpty,
            isIndirect: false, nestedTypes: scope.declarations)
    }

    private static func caseName(for type: TypeUsage) -> String {
        switch type {
        case .builtin(let type): SwiftNaming.memberName(type.rawValue)
        case .named(let name): SwiftNaming.memberName(name.name)
        case .array(let element): caseName(for: element) + "Array"
        case .dictionary(let value): caseName(for: value) + "Map"
        }
    }

    /// Warns about variants that the same JSON always matches, so `oneOf` would fail at
    /// run time with "ambiguous" and `anyOf` would always pick the first. Two object
    /// variants overlap when one's required members are a subset of the other's: every
    /// instance of the larger then also satisfies the smaller.
    private func reportAmbiguousVariants(_ members: [Schema]) {
        let shapes = members.map { member -> (kind: String, required: Set<String>) in
            guard let object = inlineObject(member) else { return ("any", []) }
            let isObject = !object.properties.isEmpty || !object.allOf.isEmpty || object.types.contains(.object)
            var visited: Set<SchemaKey> = []
            return isObject ? ("object", flatten(object, visited: &visited).required) : (object.types.first?.rawValue ?? "any", [])
        }
        for i in shapes.indices {
            for j in shapes.indices where j > i && shapes[i].kind == shapes[j].kind {
                let (a, b) = (shapes[i].required, shapes[j].required)
                if shapes[i].kind != "object" || a.isSubset(of: b) || b.isSubset(of: a) {
                    diagnostics.warning(
                        "variants \(i + 1) and \(j + 1) of this union can match the same JSON; add a discriminator or distinct required properties",
                        at: members[j].location)
                }
            }
        }
    }
}
