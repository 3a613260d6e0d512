/// Stage 3 of the pipeline: declarations → Swift text.
struct DeclarationRenderer {
    /// `public `, `package ` or empty for internal.
    let access: String
    /// Generated types by qualified name: how each is written as JSON.
    enum GeneratedKind: Equatable {
        /// A struct or union with its own `writeJSON(to:)`.
        case writable
        /// An open enum with this raw type.
        case openEnum(rawType: String)
    }

    let generatedTypes: [TypeName: GeneratedKind]
    /// Generated structs by qualified name.
    let structures: [TypeName: StructDeclaration]
    /// The discriminator property of every generated discriminated union.
    let discriminators: [TypeName: String]
    /// Type aliases by qualified name.
    let aliases: [TypeName: TypeUsage]
    /// Whether structs and unions get `writeJSON(to:)`.
    let jsonWriters: Bool
    /// Whether structs, unions and enums get `init(jsonReader:)`.
    let jsonReaders: Bool

    init(module: TranslatedModule) {
        access = module.accessModifier == "internal" ? "" : module.accessModifier + " "
        jsonWriters = module.jsonWriters
        jsonReaders = module.jsonReaders
        var kinds: [TypeName: GeneratedKind] = [:]
        var objects: [TypeName: StructDeclaration] = [:]
        var aliases: [TypeName: TypeUsage] = [:]
        var discriminators: [TypeName: String] = [:]
        Self.collectTypes(module.schemas, prefix: nil, into: &kinds, objects: &objects, aliases: &aliases, discriminators: &discriminators)
        for operation in module.operations {
            Self.collectTypes(
                operation.nestedTypes, prefix: TypeName(["Operations", operation.namespace]), into: &kinds, objects: &objects, aliases: &aliases,
                discriminators: &discriminators)
        }
        generatedTypes = kinds
        structures = objects
        self.discriminators = discriminators
        self.aliases = aliases
    }

    private static func collectTypes(
        _ declarations: [Declaration], prefix: TypeName?, into kinds: inout [TypeName: GeneratedKind],
        objects: inout [TypeName: StructDeclaration], aliases: inout [TypeName: TypeUsage], discriminators: inout [TypeName: String]
    ) {
        for declaration in declarations {
            let qualified = prefix?.nested(declaration.name) ?? TypeName(declaration.name)
            switch declaration {
            case .typeAlias(let alias): aliases[qualified] = alias.target
            case .structure(let structure):
                kinds[qualified] = .writable
                objects[qualified] = structure
            case .oneOf(let union):
                kinds[qualified] = .writable
                discriminators[qualified] = union.discriminatorProperty
            case .openEnum(let enumeration): kinds[qualified] = .openEnum(rawType: enumeration.rawType)
            }
            collectTypes(declaration.nestedTypes, prefix: qualified, into: &kinds, objects: &objects, aliases: &aliases, discriminators: &discriminators)
        }
    }

    /// The type an alias stands for, followed to the end.
    func resolved(_ type: TypeUsage, depth: Int = 0) -> TypeUsage {
        guard case .named(let name) = type, let target = aliases[name], depth < 32 else { return type }
        return resolved(target, depth: depth + 1)
    }

    /// Whether `type` is made of `Date`s (a date, or arrays and maps of them), which are
    /// coded as RFC 3339 text through `DateTimeCoded` wherever they sit.
    func isDateTime(_ type: TypeUsage) -> Bool {
        switch resolved(type) {
        case .builtin(let builtin): builtin == .date
        case .named: false
        case .array(let element): isDateTime(element)
        case .dictionary(let value): isDateTime(value)
        }
    }

    /// Whether values of `type` are JSON objects, whose members several anyOf variants can share.
    func isObject(_ type: TypeUsage) -> Bool {
        switch resolved(type) {
        case .builtin(let builtin): builtin == .jsonObject
        case .named(let name): structures[name] != nil
        case .dictionary: true
        case .array: false
        }
    }

    /// `Foo(from: decoder)`, or through `DateTimeCoded` for dates.
    func decodeExpression(_ type: TypeUsage, from decoder: String = "decoder") -> String {
        isDateTime(type) ? "DateTimeCoded<\(type)>(from: \(decoder)).value" : "\(type)(from: \(decoder))"
    }

    /// `T(jsonReader: &reader)`, or `T(dateTimeReader: &reader)` for dates.
    func readExpression(_ type: TypeUsage) -> String {
        isDateTime(type) ? "\(type)(dateTimeReader: &reader)" : "\(type)(jsonReader: &reader)"
    }

    /// `value.encode(to: encoder)`, or through `DateTimeCoded` for dates.
    func encodeExpression(_ type: TypeUsage, value: String = "value") -> String {
        isDateTime(type) ? "DateTimeCoded(\(value)).encode(to: encoder)" : "\(value).encode(to: encoder)"
    }

    /// Whether the runtime spells values of `type` as text (`ParameterValue`): built-in scalars and open enums.
    func isParameterScalar(_ type: TypeUsage) -> Bool {
        switch resolved(type) {
        case .builtin(let builtin): return builtin.isParameterScalar
        case .named(let name):
            if case .openEnum? = generatedTypes[name] { return true }
            return false
        case .array, .dictionary: return false
        }
    }

    /// Whether `type` is a generated type, which validates itself.
    func isValidatable(_ type: TypeUsage) -> Bool {
        if case .named(let name) = resolved(type) { return generatedTypes[name] != nil }
        return false
    }

    /// Whether `type` is one the application supplies in place of a generated one.
    func isSupplied(_ type: TypeUsage) -> Bool {
        if case .named(let name) = resolved(type) { return generatedTypes[name] == nil }
        return false
    }

    /// What every generated struct and union conforms to.
    private var codingConformances: String {
        "Codable, Hashable, Sendable, Validatable" + (jsonWriters ? ", JSONWritable" : "") + (jsonReaders ? ", JSONReadable" : "")
    }

    func render(_ declaration: Declaration, into writer: inout CodeWriter) {
        switch declaration {
        case .structure(let structure): render(structure, into: &writer)
        case .openEnum(let enumeration): render(enumeration, into: &writer)
        case .oneOf(let union): render(union, into: &writer)
        case .typeAlias(let alias):
            writer.documentation(alias.documentation)
            writer.deprecation(alias.isDeprecated)
            writer.line("\(access)typealias \(alias.name) = \(alias.target)")
        }
    }

    // MARK: Structs

    private func render(_ structure: StructDeclaration, into writer: inout CodeWriter) {
        writer.documentation(structure.documentation)
        writer.deprecation(structure.isDeprecated)
        let conformances = codingConformances
        writer.block("\(access)struct \(structure.name): \(conformances)") { body in
            for property in structure.properties { renderStorage(property, into: &body) }
            if let additional = structure.additionalProperties {
                body.line("/// Members the spec does not name, by their JSON names.")
                body.line("\(access)var additionalProperties: [String: \(additional)]")
            }
            body.line("")
            renderInit(structure, into: &body)
            body.line("")
            renderEquality(structure, into: &body)
            body.line("")
            renderDecoding(structure, from: .decoder, into: &body)
            if jsonReaders {
                body.line("")
                renderDecoding(structure, from: .reader, into: &body)
            }
            body.line("")
            renderEncoding(structure, into: &body)
            body.line("")
            body.block("\(access)func collectViolations(into validator: inout Validator)") { validation in
                for property in structure.properties where property.isRequiredInRequests {
                    validation.line("if \(valueExpression(property)) == nil { validator.report(\"is required in requests\", at: \(SwiftLiteral.string(property.wireName))) }")
                }
                for property in structure.properties where !property.checks.isEmpty {
                    renderChecks(property, into: &validation)
                }
                if !structure.additionalPropertyChecks.isEmpty, let additional = structure.additionalProperties {
                    // Sorted, so violations come in the same order every time.
                    validation.block("for (name, value) in self.additionalProperties.sorted(by: { $0.key < $1.key })") { loop in
                        renderChecks(structure.additionalPropertyChecks, on: "value", type: additional, at: ".key(name)", depth: 0, into: &loop)
                    }
                }
            }
            if jsonWriters {
                body.line("")
                renderWriteJSON(structure, into: &body)
            }
            for nested in structure.nestedTypes {
                body.line("")
                render(nested, into: &body)
            }
        }
    }

    /// Boxed (recursive) and deprecated properties keep their value in `_name`, so
    /// generated code never touches a deprecated accessor.
    private func storageName(_ property: PropertyDeclaration) -> String? {
        property.isBoxed || property.isDeprecated ? "_" + property.swiftName : nil
    }

    private func declaredType(_ property: PropertyDeclaration) -> String {
        "\(property.type)" + (property.isOptional ? "?" : "")
    }

    /// How generated code reads the property's value.
    private func valueExpression(_ property: PropertyDeclaration) -> String {
        guard let storage = storageName(property) else { return "self." + SwiftNaming.escaped(property.swiftName) }
        guard property.isBoxed else { return "self." + storage }
        return "self.\(storage)" + (property.isOptional ? "?.value" : ".value")
    }

    /// Wraps a value expression for storage.
    private func storedExpression(_ property: PropertyDeclaration, _ value: String) -> String {
        guard property.isBoxed else { return value }
        return property.isOptional ? "\(value).map(Indirect.init)" : "Indirect(\(value))"
    }

    private func renderStorage(_ property: PropertyDeclaration, into writer: inout CodeWriter) {
        writer.documentation(property.documentation)
        let name = SwiftNaming.escaped(property.swiftName)
        guard let storage = storageName(property) else {
            writer.line("\(access)var \(name): \(declaredType(property))")
            return
        }
        writer.deprecation(property.isDeprecated)
        writer.block("\(access)var \(name): \(declaredType(property))") { accessor in
            accessor.line("get { \(valueExpression(property)) }")
            accessor.line("set { self.\(storage) = \(storedExpression(property, "newValue")) }")
        }
        let storedType = property.isBoxed ? "Indirect<\(property.type)>" + (property.isOptional ? "?" : "") : declaredType(property)
        writer.line("private var \(storage): \(storedType)")
    }

    private func renderInit(_ structure: StructDeclaration, into writer: inout CodeWriter) {
        var arguments = structure.properties.map { property -> String in
            let name = SwiftNaming.escaped(property.swiftName)
            let fallback = property.defaultValue.map(SwiftLiteral.constant) ?? (property.isOptional ? "nil" : nil)
            return "\(name): \(declaredType(property))" + (fallback.map { " = \($0)" } ?? "")
        }
        if let additional = structure.additionalProperties {
            arguments.append("additionalProperties: [String: \(additional)] = [:]")
        }
        writer.documentation("Creates a value from its members.")
        writer.block("\(access)init(\(arguments.joined(separator: ", ")))") { body in
            for property in structure.properties {
                let name = SwiftNaming.escaped(property.swiftName)
                let target = storageName(property).map { "self.\($0)" } ?? "self.\(name)"
                body.line("\(target) = \(storedExpression(property, name))")
            }
            if structure.additionalProperties != nil { body.line("self.additionalProperties = additionalProperties") }
        }
    }

    /// `==` written out rather than derived: a `guard` per stored property through one
    /// generic function, which the compiler checks several times faster (see `membersEqual`).
    private func renderEquality(_ structure: StructDeclaration, into writer: inout CodeWriter) {
        writer.block("\(access)static func == (lhs: Self, rhs: Self) -> Bool") { body in
            var stored = structure.properties.map { storageName($0) ?? SwiftNaming.escaped($0.swiftName) }
            if structure.additionalProperties != nil { stored.append("additionalProperties") }
            for name in stored {
                body.line("guard OpenAPICodegenRuntime.membersEqual(lhs.\(name), rhs.\(name)) else { return false }")
            }
            body.line("return true")
        }
    }

    /// Where generated code decodes from: a `Decoder`, or bytes through a ``JSONReader`` (the
    /// same calls, the same order, so both fail on the same member with the same error).
    private enum DecodingSource {
        case decoder, reader

        var signature: String {
            switch self {
            case .decoder: "init(from decoder: any Decoder) throws"
            case .reader: "init(jsonReader reader: inout JSONReader) throws"
            }
        }

        /// The value members are read from, and how it is opened.
        var receiver: String { self == .decoder ? "container" : "reader" }
        var open: String {
            switch self {
            case .decoder: "let container = try decoder.container(keyedBy: DynamicCodingKey.self)"
            case .reader: "let object = try reader.beginObject()"
            }
        }

        /// The arguments that name member `key`.
        func key(_ key: String) -> String { self == .decoder ? "forKey: \(key)" : "object, \(key)" }
        /// The arguments before `excluding:` of the calls on every member.
        var everyMember: String { self == .decoder ? "" : "object, " }
    }

    private func renderDecoding(_ structure: StructDeclaration, from source: DecodingSource, into writer: inout CodeWriter) {
        writer.block("\(access)\(source.signature)") { body in
            // Members are keyed by their JSON names through the runtime's one key type: a
            // `CodingKeys` enum per type costs the compiler about twenty functions each.
            guard !structure.properties.isEmpty || structure.additionalProperties != nil || structure.rejectsUnknownMembers else {
                // Nothing to read: the `Decoder` path opens no container, so any JSON will do.
                if source == .reader { body.line("try reader.skipValue()") }
                return
            }
            let from = source.receiver
            body.line(source.open)
            for property in structure.properties {
                let key = source.key(SwiftLiteral.string(property.wireName))
                let present = !property.isOptional && property.defaultValue == nil
                var expression: String
                if isDateTime(property.type) {
                    expression = present ? "try \(from).decodeDateTime(\(key))" : "try \(from).decodeDateTimeIfPresent(\(key))"
                } else if property.isBoxed {
                    // `.map(Indirect.init)` gives no type context, so the type is spelled out.
                    expression = present
                        ? "try \(from).decode(\(property.type).self, \(key))" : "try \(from).decodeIfPresent(\(property.type).self, \(key))"
                } else {
                    expression = present ? "try \(from).decodeValue(\(key))" : "try \(from).decodeValueIfPresent(\(key))"
                }
                if let fallback = property.defaultValue { expression += " ?? \(SwiftLiteral.constant(fallback))" }
                let target = storageName(property) ?? SwiftNaming.escaped(property.swiftName)
                body.line("self.\(target) = \(storedExpression(property, property.isBoxed ? "(\(expression))" : expression))")
            }
            let known = "excluding: [" + structure.properties.map { SwiftLiteral.string($0.wireName) }.joined(separator: ", ") + "]"
            if let additional = structure.additionalProperties {
                switch (isDateTime(additional), source) {
                case (true, .decoder):
                    body.line("self.additionalProperties = try container.decodeAdditionalProperties(DateTimeCoded<\(additional)>.self, \(known)).mapValues(\\.value)")
                case (true, .reader):
                    body.line("self.additionalProperties = try reader.decodeDateTimeAdditionalProperties(\(additional).self, object, \(known))")
                case (false, _):
                    body.line("self.additionalProperties = try \(from).decodeAdditionalProperties(\(additional).self, \(source.everyMember)\(known))")
                }
            } else if structure.rejectsUnknownMembers {
                body.line("try \(from).rejectMembers(\(source.everyMember)\(known))")
            }
            if source == .reader { body.line("reader.end(object)") }
        }
    }

    private func renderEncoding(_ structure: StructDeclaration, into writer: inout CodeWriter) {
        writer.block("\(access)func encode(to encoder: any Encoder) throws") { body in
            if !structure.properties.isEmpty || structure.additionalProperties != nil {
                body.line("var container = encoder.container(keyedBy: DynamicCodingKey.self)")
            }
            for property in structure.properties {
                let key = "forKey: \(SwiftLiteral.string(property.wireName))"
                let value = valueExpression(property)
                // Required members are written even when nil (as null); optional ones are left out.
                let omitWhenNil = property.isOptional && !property.isRequired
                if !isDateTime(property.type) {
                    body.line(omitWhenNil ? "try container.encodeValueIfPresent(\(value), \(key))" : "try container.encodeValue(\(value), \(key))")
                } else if omitWhenNil {
                    body.line("try container.encodeDateTimeIfPresent(\(value), \(key))")
                } else if property.isOptional {
                    body.line("try container.encodeValue(\(value).map(DateTimeCoded.init), \(key))")
                } else {
                    body.line("try container.encodeDateTime(\(value), \(key))")
                }
            }
            if let additional = structure.additionalProperties {
                let values = isDateTime(additional) ? "self.additionalProperties.mapValues(DateTimeCoded.init)" : "self.additionalProperties"
                body.line("try container.encodeAdditionalProperties(\(values))")
            }
        }
    }

    // MARK: Direct JSON writing

    private func renderWriteJSON(_ structure: StructDeclaration, into writer: inout CodeWriter) {
        writer.block("\(access)func writeJSON(to output: JSONOutput) throws") { body in
            body.line("output.beginObject()")
            for property in structure.properties {
                let key = "output.key(\(SwiftLiteral.string(property.wireName)))"
                let value = valueExpression(property)
                if !property.isOptional {
                    body.line(key)
                    renderWrite(value, type: property.type, depth: 0, into: &body)
                } else if property.isRequired {
                    body.line(key)
                    body.block("if let value = \(value)") { present in renderWrite("value", type: property.type, depth: 0, into: &present) }
                    body.block("else") { absent in absent.line("output.writeNull()") }
                } else {
                    body.block("if let value = \(value)") { present in
                        present.line(key)
                        renderWrite("value", type: property.type, depth: 0, into: &present)
                    }
                }
            }
            if let additional = structure.additionalProperties {
                body.block("for name in self.additionalProperties.keys.sorted()") { loop in
                    loop.line("output.key(name)")
                    renderWrite("self.additionalProperties[name]!", type: additional, depth: 1, into: &loop)
                }
            }
            body.line("output.end()")
        }
    }

    private func renderWriteJSON(_ union: OneOfDeclaration, into writer: inout CodeWriter) {
        writer.block("\(access)func writeJSON(to output: JSONOutput) throws") { body in
            body.switchBlock("self") { cases in
                for item in union.cases {
                    let name = SwiftNaming.escaped(item.swiftName)
                    if union.discriminatorProperty != nil, item.discriminatorAccess == nil {
                        // The discriminator is written beside the payload, which only the Encoder path can do.
                        cases.line("case .\(name): try output.writeThroughEncoder(self)")
                    } else {
                        cases.line("case .\(name)(let value):")
                        var inner = CodeWriter()
                        renderWrite("value", type: item.type, depth: 0, into: &inner)
                        for line in inner.text.split(separator: "\n") { cases.line("    " + line) }
                    }
                }
                if union.discriminatorProperty != nil {
                    cases.line("case .undocumented(let value): try output.writeJSON(value)")
                }
            }
        }
    }

    /// Writes `value` of `type` at the output's current position.
    private func renderWrite(_ value: String, type: TypeUsage, depth: Int, into writer: inout CodeWriter) {
        switch resolved(type) {
        case .builtin(let builtin):
            switch builtin {
            case .string: writer.line("output.writeString(\(value))")
            case .int, .int32, .int64: writer.line("output.writeInteger(\(value))")
            case .double: writer.line("try output.writeDouble(\(value))")
            case .float: writer.line("try output.writeDouble(Double(\(value)))")
            case .bool: writer.line("output.writeBool(\(value))")
            case .uuid: writer.line("output.writeUUID(\(value))")
            case .date: writer.line("output.writeDateTime(\(value))")
            case .jsonValue: writer.line("try output.writeJSON(\(value))")
            case .jsonObject: writer.line("try output.writeJSON(.object(\(value)))")
            case .data: writer.line("try output.writeEncodable(\(value))")
            }
        case .named(let name):
            switch generatedTypes[name] {
            case .writable?: writer.line("try \(value).writeJSON(to: output)")
            case .openEnum("Int")?: writer.line("output.writeInteger(\(value).rawValue)")
            case .openEnum("String")?: writer.line("output.writeString(\(value).rawValue)")
            case .openEnum?: writer.line("try output.writeJSON(\(value).rawValue)")
            case nil: writer.line("try output.writeEncodable(\(value))")
            }
        case .array(let element):
            writer.line("output.beginArray()")
            writer.block("for item\(depth) in \(value)") { loop in
                loop.line("output.element()")
                renderWrite("item\(depth)", type: element, depth: depth + 1, into: &loop)
            }
            writer.line("output.end()")
        case .dictionary(let valueType):
            writer.line("output.beginObject()")
            writer.block("for (key\(depth), item\(depth)) in \(value)") { loop in
                loop.line("output.key(key\(depth))")
                renderWrite("item\(depth)", type: valueType, depth: depth + 1, into: &loop)
            }
            writer.line("output.end()")
        }
    }

    // MARK: Validation

    private func renderChecks(_ property: PropertyDeclaration, into writer: inout CodeWriter) {
        renderChecks(property.checks, on: valueExpression(property), type: property.type, isOptional: property.isOptional, wireName: property.wireName, into: &writer)
    }

    /// Checks of a value (a member, a parameter, a body), its violations under `wireName`.
    func renderChecks(_ checks: [ValueCheck], on value: String, type: TypeUsage, isOptional: Bool, wireName: String, into writer: inout CodeWriter) {
        let component = SwiftLiteral.string(wireName)
        if isOptional {
            writer.block("if let value = \(value)") { body in
                renderChecks(checks, on: "value", type: type, at: component, depth: 0, into: &body)
            }
        } else {
            renderChecks(checks, on: value, type: type, at: component, depth: 0, into: &writer)
        }
    }

    private func renderChecks(_ checks: [ValueCheck], on value: String, type: TypeUsage, at component: String, depth: Int, into writer: inout CodeWriter) {
        for check in checks {
            switch check {
            case .length(let min, let max):
                writer.line("validator.checkLength(\(value), min: \(min.map(String.init) ?? "nil"), max: \(max.map(String.init) ?? "nil"), at: \(component))")
            case .pattern(let pattern):
                writer.line("validator.checkPattern(\(value), pattern: \(SwiftLiteral.string(pattern)), at: \(component))")
            case .range(let min, let exclusiveMin, let max, let exclusiveMax):
                var arguments = [value]
                if let min { arguments += ["minimum: \(SwiftLiteral.constant(min))"] + (exclusiveMin ? ["exclusiveMinimum: true"] : []) }
                if let max { arguments += ["maximum: \(SwiftLiteral.constant(max))"] + (exclusiveMax ? ["exclusiveMaximum: true"] : []) }
                writer.line("validator.checkRange(\(arguments.joined(separator: ", ")), at: \(component))")
            case .count(let min, let max):
                writer.line("validator.checkCount(\(value).count, min: \(min.map(String.init) ?? "nil"), max: \(max.map(String.init) ?? "nil"), at: \(component))")
            case .unique:
                writer.line("validator.checkUnique(\(value), at: \(component))")
            case .nested:
                writer.line("validator.validate(\(value), at: \(component))")
            case .supplied:
                writer.line("validator.validateSupplied(\(value), at: \(component))")
            case .each(let inner):
                renderEach(inner, on: value, type: type, at: component, depth: depth, into: &writer)
            }
        }
    }

    private func renderEach(_ inner: [ValueCheck], on value: String, type: TypeUsage, at component: String, depth: Int, into writer: inout CodeWriter) {
        if inner == [.nested] {
            writer.line("validator.validateEach(\(value), at: \(component))")
            return
        }
        let item = "item\(depth)"
        writer.block("validator.nested(\(component))", closureParameters: "validator") { nested in
            switch resolved(type) {
            case .dictionary(let valueType):
                nested.block("for (key\(depth), \(item)) in \(value)") { loop in
                    renderChecks(inner, on: item, type: valueType, at: ".key(key\(depth))", depth: depth + 1, into: &loop)
                }
            case .array(let element):
                nested.block("for (index\(depth), \(item)) in \(value).enumerated()") { loop in
                    renderChecks(inner, on: item, type: element, at: ".index(index\(depth))", depth: depth + 1, into: &loop)
                }
            case .named, .builtin:
                // Checks on elements of something that is not a collection: the translator never asks for these.
                nested.line("_ = validator")
            }
        }
    }

    // MARK: Enums

    private func render(_ enumeration: EnumDeclaration, into writer: inout CodeWriter) {
        writer.documentation(enumeration.documentation)
        writer.deprecation(enumeration.isDeprecated)
        let raw = enumeration.rawType
        writer.block("\(access)enum \(enumeration.name): OpenEnum" + (jsonReaders ? ", JSONReadable" : "")) { body in
            for item in enumeration.cases { body.line("case \(SwiftNaming.escaped(item.swiftName))") }
            body.line("/// A value this version of the spec does not list.")
            body.line("case unknown(\(raw))")
            body.line("")
            body.block("\(access)init(rawValue: \(raw))") { initializer in
                initializer.switchBlock("rawValue") { cases in
                    for item in enumeration.cases { cases.line("case \(SwiftLiteral.constant(item.rawValue)): self = .\(SwiftNaming.escaped(item.swiftName))") }
                    cases.line("default: self = .unknown(rawValue)")
                }
            }
            body.line("")
            body.block("\(access)var rawValue: \(raw)") { getter in
                getter.switchBlock("self") { cases in
                    for item in enumeration.cases { cases.line("case .\(SwiftNaming.escaped(item.swiftName)): \(SwiftLiteral.constant(item.rawValue))") }
                    cases.line("case .unknown(let rawValue): rawValue")
                }
            }
            body.line("")
            body.block("\(access)var isKnown: Bool") { getter in
                getter.line("if case .unknown = self { false } else { true }")
            }
        }
    }

    // MARK: Unions

    private func render(_ union: OneOfDeclaration, into writer: inout CodeWriter) {
        if union.keepsEveryMatch {
            renderEveryMatch(union, into: &writer)
            return
        }
        writer.documentation(union.documentation)
        writer.deprecation(union.isDeprecated)
        let keyword = union.isIndirect ? "indirect enum" : "enum"
        let conformances = codingConformances
            + (union.discriminatorProperty == nil ? "" : ", DiscriminatedUnion")
        writer.block("\(access)\(keyword) \(union.name): \(conformances)") { body in
            for item in union.cases { body.line("case \(SwiftNaming.escaped(item.swiftName))(\(item.type))") }
            if union.discriminatorProperty != nil {
                body.line("/// A discriminator value this version of the spec does not know, kept as JSON.")
                body.line("case undocumented(JSONValue)")
            }
            body.line("")
            if let property = union.discriminatorProperty {
                renderDiscriminatedCoding(union, property: property, into: &body)
            } else {
                renderTrialDecoding(union, into: &body)
                body.line("")
                body.block("\(access)func encode(to encoder: any Encoder) throws") { encode in
                    encode.switchBlock("self") { cases in
                        for item in union.cases {
                            cases.line("case .\(SwiftNaming.escaped(item.swiftName))(let value): try \(encodeExpression(item.type))")
                        }
                    }
                }
            }
            body.line("")
            body.block("\(access)func collectViolations(into validator: inout Validator)") { validation in
                validation.switchBlock("self") { cases in
                    for item in union.cases {
                        let name = SwiftNaming.escaped(item.swiftName)
                        if isValidatable(item.type) {
                            cases.line("case .\(name)(let value): value.collectViolations(into: &validator)")
                        } else if isSupplied(item.type) {
                            cases.line("case .\(name)(let value): validator.collectViolations(ofSupplied: value)")
                        } else if case .array(let element) = item.type, isValidatable(element) {
                            cases.line("case .\(name)(let value): for (index, item) in value.enumerated() { validator.validate(item, at: .index(index)) }")
                        } else {
                            cases.line("case .\(name): break")
                        }
                    }
                    if let property = union.discriminatorProperty {
                        cases.line("case .undocumented: validator.report(\"'\\(discriminatorValue)' is not a known \(property)\", at: \(SwiftLiteral.string(property)))")
                    }
                }
            }
            if jsonWriters {
                body.line("")
                renderWriteJSON(union, into: &body)
            }
            for nested in union.nestedTypes {
                body.line("")
                render(nested, into: &body)
            }
        }
    }

    /// `anyOf` without a discriminator: JSON can match several variants at once, and each
    /// keeps its own reading of it (as swift-openapi-generator does), so nothing is lost
    /// when the value is encoded again.
    private func renderEveryMatch(_ union: OneOfDeclaration, into writer: inout CodeWriter) {
        writer.documentation(union.documentation)
        writer.deprecation(union.isDeprecated)
        let conformances = codingConformances
        let members = union.cases.map { (name: SwiftNaming.escaped($0.swiftName), type: $0.type) }
        writer.block("\(access)struct \(union.name): \(conformances)") { body in
            for member in members {
                body.documentation("The value read as `\(member.type)`, when the JSON matches that variant.")
                if union.isIndirect {
                    // A variant that contains this type is boxed, as recursive struct members are.
                    body.block("\(access)var \(member.name): \(member.type)?") { accessor in
                        accessor.line("get { _\(member.name)?.value }")
                        accessor.line("set { _\(member.name) = newValue.map(Indirect.init) }")
                    }
                    body.line("private var _\(member.name): Indirect<\(member.type)>?")
                } else {
                    body.line("\(access)var \(member.name): \(member.type)?")
                }
            }
            body.line("")
            body.documentation("Creates a value from the variants it matches; at least one must be given to encode it.")
            body.block("\(access)init(\(members.map { "\($0.name): \($0.type)? = nil" }.joined(separator: ", ")))") { initializer in
                for member in members { initializer.line("self.\(member.name) = \(member.name)") }
            }
            body.line("")
            body.block("\(access)init(from decoder: any Decoder) throws") { decode in
                decode.line("var failures: [String] = []")
                for member in members {
                    decode.line("do { self.\(member.name) = try \(decodeExpression(member.type)) } catch { failures.append(\"\\(error)\") }")
                }
                decode.block("guard \(members.map { "self.\($0.name) == nil" }.joined(separator: " && ")) else") { found in found.line("return") }
                decode.line("throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: \"\(union.name) matches none of its variants: \\(failures)\"))")
            }
            renderReadThroughDecoder(into: &body)
            body.line("")
            body.block("\(access)func encode(to encoder: any Encoder) throws") { encode in
                // Object variants write their members into one JSON object; a value of any
                // other kind is written whole, so only the first present one is.
                let objects = members.filter { isObject($0.type) }
                let others = members.filter { !isObject($0.type) }
                if !objects.isEmpty {
                    encode.line("var wroteObject = false")
                    for member in objects {
                        encode.block("if let value = self.\(member.name)") { present in
                            present.line("try \(encodeExpression(member.type))")
                            present.line("wroteObject = true")
                        }
                    }
                    encode.line("if wroteObject { return }")
                }
                for member in others {
                    encode.block("if let value = self.\(member.name)") { present in
                        present.line("try \(encodeExpression(member.type))")
                        present.line("return")
                    }
                }
                encode.line("throw EncodingError.invalidValue(self, EncodingError.Context(codingPath: encoder.codingPath, debugDescription: \"\(union.name) holds no variant\"))")
            }
            body.line("")
            body.block("\(access)func collectViolations(into validator: inout Validator)") { validation in
                validation.line("if \(members.map { "self.\($0.name) == nil" }.joined(separator: " && ")) { validator.report(\"matches none of its variants\", at: nil) }")
                for member in members where isValidatable(member.type) {
                    validation.line("if let value = self.\(member.name) { value.collectViolations(into: &validator) }")
                }
            }
            if jsonWriters {
                body.line("")
                body.block("\(access)func writeJSON(to output: JSONOutput) throws") { write in write.line("try output.writeThroughEncoder(self)") }
            }
            for nested in union.nestedTypes {
                body.line("")
                render(nested, into: &body)
            }
        }
    }

    private func renderDiscriminatedCoding(_ union: OneOfDeclaration, property: String, into writer: inout CodeWriter) {
        let key = SwiftLiteral.string(property)
        writer.block("\(access)init(from decoder: any Decoder) throws") { body in
            body.line("let container = try decoder.container(keyedBy: DynamicCodingKey.self)")
            body.switchBlock("try container.decode(String.self, forKey: \(key))") { cases in
                for item in union.cases {
                    let values = item.discriminatorValues.map(SwiftLiteral.string).joined(separator: ", ")
                    cases.line("case \(values): self = .\(SwiftNaming.escaped(item.swiftName))(try \(decodeExpression(item.type)))")
                }
                cases.line("default: self = .undocumented(try JSONValue(from: decoder))")
            }
        }
        if jsonReaders {
            writer.line("")
            writer.block("\(access)init(jsonReader reader: inout JSONReader) throws") { body in
                // The same steps as the `Decoder` path: the discriminator first, then the whole object as the variant.
                body.line("let object = try reader.beginObject()")
                body.line("let discriminator: String = try reader.decodeValue(object, \(key))")
                body.line("reader.rewind(object)")
                body.switchBlock("discriminator") { cases in
                    for item in union.cases {
                        let values = item.discriminatorValues.map(SwiftLiteral.string).joined(separator: ", ")
                        cases.line("case \(values): self = .\(SwiftNaming.escaped(item.swiftName))(try \(readExpression(item.type)))")
                    }
                    cases.line("default: self = .undocumented(try JSONValue(jsonReader: &reader))")
                }
            }
        }
        writer.line("")
        writer.block("\(access)func encode(to encoder: any Encoder) throws") { body in
            body.switchBlock("self") { cases in
                for item in union.cases {
                    let name = SwiftNaming.escaped(item.swiftName)
                    if item.discriminatorAccess != nil {
                        cases.line("case .\(name)(let value): try value.encode(to: encoder)")
                    } else {
                        // The payload has no member for the discriminator, so it is written beside it.
                        cases.line("case .\(name)(let value):")
                        cases.line("    try value.encode(to: encoder)")
                        cases.line("    var container = encoder.container(keyedBy: DynamicCodingKey.self)")
                        cases.line("    try container.encode(discriminatorValue, forKey: \(key))")
                    }
                }
                cases.line("case .undocumented(let value): try value.encode(to: encoder)")
            }
        }
        writer.line("")
        writer.documentation("The value of `\(property)` that selects this variant.")
        writer.block("\(access)var discriminatorValue: String") { body in
            body.switchBlock("self") { cases in
                for item in union.cases {
                    let name = SwiftNaming.escaped(item.swiftName)
                    let first = SwiftLiteral.string(item.discriminatorValues.first ?? "")
                    switch item.discriminatorAccess {
                    case .string(let member, let isOptional)?:
                        cases.line("case .\(name)(let value): value.\(SwiftNaming.escaped(member))" + (isOptional ? " ?? \(first)" : ""))
                    case .openEnum(let member, let isOptional)?:
                        cases.line("case .\(name)(let value): value.\(SwiftNaming.escaped(member))" + (isOptional ? "?.rawValue ?? \(first)" : ".rawValue"))
                    case nil:
                        cases.line("case .\(name): \(first)")
                    }
                }
                cases.line("case .undocumented(let value): value.objectValue?[\(SwiftLiteral.string(property))]?.stringValue ?? \"\"")
            }
        }
    }

    /// Unions without a discriminator are read through their `Decoder` path: trying variant
    /// after variant needs the values `JSONDecoder` builds anyway.
    private func renderReadThroughDecoder(into writer: inout CodeWriter) {
        guard jsonReaders else { return }
        writer.line("")
        writer.block("\(access)init(jsonReader reader: inout JSONReader) throws") { body in body.line("self = try reader.decodeWithDecoder(Self.self)") }
    }

    /// `oneOf` without a discriminator: every variant is tried, and exactly one may match.
    /// With `jsonReaders`, the reader tries them from the same mark instead of going through
    /// `JSONDecoder`; both word a mismatch through `UnionMismatch`.
    private func renderTrialDecoding(_ union: OneOfDeclaration, into writer: inout CodeWriter) {
        writer.block("\(access)init(from decoder: any Decoder) throws") { body in
            body.line("var match: Self?")
            body.line("var matchCount = 0")
            body.line("var failures: [(variant: String, error: any Error)] = []")
            for item in union.cases {
                body.line("do { match = .\(SwiftNaming.escaped(item.swiftName))(try \(decodeExpression(item.type))); matchCount += 1 } catch { failures.append((\(SwiftLiteral.string("\(item.type)")), error)) }")
            }
            body.block("guard let match, matchCount == 1 else") { failure in
                failure.line("throw UnionMismatch.error(\(SwiftLiteral.string(union.name)), matchCount: matchCount, failures: failures, codingPath: decoder.codingPath)")
            }
            body.line("self = match")
        }
        guard jsonReaders else { return }
        writer.line("")
        let needs = union.cases.map(membersNeeded)
        guard needs.contains(where: { !$0.isEmpty }) else {
            writer.block("\(access)init(jsonReader reader: inout JSONReader) throws") { body in
                body.line("self = try Self.readVariant(&reader, trying: nil)")
            }
            renderReadVariant(union, into: &writer)
            return
        }
        writer.block("\(access)init(jsonReader reader: inout JSONReader) throws") { body in
            // Trying a variant that cannot match costs an error; the check costs one look at the keys.
            body.line("// Variants missing a member they need cannot match and are not tried; when then not exactly")
            body.line("// one matches, every variant is tried, so that the error is the one `init(from:)` gives.")
            let lists = needs.map { "[" + $0.map(SwiftLiteral.string).joined(separator: ", ") + "]" }.joined(separator: ", ")
            body.line("let fits = reader.objectHasMembers([\(lists)])")
            body.line("do {")
            body.indented { $0.line("self = try Self.readVariant(&reader, trying: fits)") }
            body.line("} catch where fits.contains(false) {")
            body.indented { $0.line("self = try Self.readVariant(&reader, trying: nil)") }
            body.line("}")
        }
        renderReadVariant(union, into: &writer)
    }

    /// The variants of a `oneOf` read one after the other from the same mark (those `fits`
    /// allows, or all): the one that matches, or the union's mismatch error.
    private func renderReadVariant(_ union: OneOfDeclaration, into writer: inout CodeWriter) {
        writer.line("")
        writer.block("private static func readVariant(_ reader: inout JSONReader, trying fits: [Bool]?) throws -> Self") { body in
            body.line("let start = reader.mark()")
            body.line("var end = start")
            body.line("var match: Self?")
            body.line("var matchCount = 0")
            body.line("var failures: [(variant: String, error: any Error)] = []")
            for (index, item) in union.cases.enumerated() {
                body.block("if fits?[\(index)] != false") { attempt in
                    attempt.line("do { match = .\(SwiftNaming.escaped(item.swiftName))(try \(readExpression(item.type))); matchCount += 1; end = reader.mark() } catch { failures.append((\(SwiftLiteral.string("\(item.type)")), error)) }")
                    attempt.line("reader.reset(to: start)")
                }
            }
            body.block("guard let match, matchCount == 1 else") { failure in
                failure.line("throw reader.unionMismatch(\(SwiftLiteral.string(union.name)), matchCount: matchCount, failures: failures)")
            }
            body.line("reader.reset(to: end)")
            body.line("return match")
        }
    }

    /// The members a variant's JSON must have for its type to decode: a struct's members read
    /// without a fallback, a union's discriminator. Empty when any JSON might do.
    private func membersNeeded(_ item: OneOfDeclaration.Case) -> [String] {
        guard case .named(let name) = resolved(item.type) else { return [] }
        if let structure = structures[name] {
            return structure.properties.filter { !$0.isOptional && $0.defaultValue == nil }.map(\.wireName)
        }
        if let property = discriminators[name] { return [property] }
        return generatedTypes[name] == nil ? item.suppliedTypeNeeds : []
    }
}
