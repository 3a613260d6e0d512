import YAML

extension LoadSession {
    func parseSchema(_ node: Node, file: String) -> Schema {
        guard let pairs = node.mapping else {
            if case .bool(true)? = node.resolvedScalar, version == .v3_1 {
                return .inline(SchemaObject(location: node.location))
            }
            diagnostics.error("expected a schema (a mapping), found \(node.kindDescription) '\(node)'", at: node.location)
            return .inline(SchemaObject(location: node.location))
        }
        if let reference = node["$ref"] {
            guard let text = string(reference, "$ref") else { return .inline(SchemaObject(location: node.location)) }
            for pair in pairs {
                guard let key = pair.key.scalar?.value, key != "$ref", !key.hasPrefix("x-") else { continue }
                // 3.0 ignores every sibling of $ref; 3.1 allows them, but the generator uses the referenced type as is.
                diagnostics.warning("'\(key)' beside '$ref' is not applied; the referenced schema is used as it is", at: pair.key.location)
            }
            return schemaReference(text, from: file, at: reference.location)
        }
        var schema = SchemaObject(location: node.location)
        for pair in pairs {
            guard let key = pair.key.scalar?.value else {
                unsupported(pair.key, in: "a schema")
                continue
            }
            if version == .v3_0, SchemaKeywords.onlyIn31.contains(key) {
                diagnostics.warning("'\(key)' is an OpenAPI 3.1 keyword, but this document declares OpenAPI 3.0; read as 3.1 reads it", at: pair.key.location)
            }
            parseKeyword(key, pair.value, into: &schema, file: file, keyNode: pair.key)
        }
        if schema.exclusiveMinimumFlag { schema.minimum?.isExclusive = true }
        if schema.exclusiveMaximumFlag { schema.maximum?.isExclusive = true }
        if schema.types.isEmpty, schema.items != nil { schema.types = [.array] }
        return .inline(schema)
    }

    private func parseKeyword(_ key: String, _ value: Node, into schema: inout SchemaObject, file: String, keyNode: Node) {
        switch key {
        case "type":
            parseType(value, into: &schema)
        case "nullable":
            if version == .v3_1 {
                diagnostics.warning("'nullable' is not part of OpenAPI 3.1; write type: [T, \"null\"] instead (honoured here)", at: keyNode.location)
            }
            schema.nullable = bool(value, key) ?? false
        case "format": schema.format = string(value, key)
        case "title": schema.title = string(value, key)
        case "description": schema.description = string(value, key)
        case "deprecated": schema.deprecated = bool(value, key) ?? false
        case "readOnly": schema.readOnly = bool(value, key) ?? false
        case "writeOnly": schema.writeOnly = bool(value, key) ?? false
        case "default": schema.defaultValue = value
        case "enum":
            schema.enumValues = sequence(value, key)
        case "const":
            schema.enumValues = [value]
        case "properties":
            for pair in mapping(value, key) ?? [] {
                guard let name = string(pair.key, "property name") else { continue }
                schema.properties.append(Property(name: name, schema: parseSchema(pair.value, file: file), location: pair.key.location))
            }
        case "required":
            schema.required = (sequence(value, key) ?? []).compactMap { string($0, "required") }
        case "additionalProperties":
            switch value.resolvedScalar {
            case .bool(true)?: schema.additionalProperties = .any
            case .bool(false)?: schema.additionalProperties = .forbidden
            default:
                if value.mapping?.isEmpty == true {
                    schema.additionalProperties = .any
                } else {
                    schema.additionalProperties = .schema(parseSchema(value, file: file))
                }
            }
        case "items":
            schema.items = parseSchema(value, file: file)
        case "allOf", "oneOf", "anyOf":
            let members = (sequence(value, key) ?? []).map { parseSchema($0, file: file) }
            if key == "allOf" { schema.allOf = members } else if key == "oneOf" { schema.oneOf = members } else { schema.anyOf = members }
        case "discriminator":
            schema.discriminator = parseDiscriminator(value, file: file)
        case "minLength": schema.minLength = int(value, key)
        case "maxLength": schema.maxLength = int(value, key)
        case "pattern": schema.pattern = string(value, key)
        case "minItems": schema.minItems = int(value, key)
        case "maxItems": schema.maxItems = int(value, key)
        case "minProperties": schema.minProperties = int(value, key)
        case "maxProperties": schema.maxProperties = int(value, key)
        case "uniqueItems": schema.uniqueItems = bool(value, key) ?? false
        case "minimum": schema.minimum = number(value, key, exclusive: false)
        case "maximum": schema.maximum = number(value, key, exclusive: false)
        case "exclusiveMinimum", "exclusiveMaximum":
            parseExclusiveBound(key, value, into: &schema)
        default:
            if SchemaKeywords.documentation.contains(key) { return }
            if SchemaKeywords.warned.contains(key) {
                diagnostics.warning("'\(key)' in a schema is not supported and is ignored", at: keyNode.location)
            } else {
                unsupported(keyNode, in: "a schema")
            }
        }
    }

    private func parseType(_ value: Node, into schema: inout SchemaObject) {
        var names: [Node] = []
        if let items = value.sequence {
            if version == .v3_0 {
                diagnostics.warning("'type' is a single type name in OpenAPI 3.0; a list of types is OpenAPI 3.1, read as 3.1 reads it", at: value.location)
            }
            names = items
        } else {
            names = [value]
        }
        for name in names {
            guard let text = string(name, "type") else { continue }
            guard let type = JSONType(rawValue: text) else {
                diagnostics.error("unknown type '\(text)'; expected one of \(JSONType.allCases.map(\.rawValue).joined(separator: ", "))", at: name.location)
                continue
            }
            if type == .null {
                if version == .v3_0 {
                    diagnostics.warning("type 'null' is OpenAPI 3.1; in 3.0 write nullable: true (read as nullable)", at: name.location)
                }
                schema.nullable = true
            } else {
                schema.types.append(type)
            }
        }
    }

    /// 3.0 writes `exclusiveMinimum: true` beside `minimum`; 3.1 writes the bound itself.
    private func parseExclusiveBound(_ key: String, _ value: Node, into schema: inout SchemaObject) {
        let isMinimum = key == "exclusiveMinimum"
        if version == .v3_0 {
            // Applied after every keyword is read, since it may come before `minimum`.
            guard let exclusive = bool(value, key), exclusive else { return }
            if isMinimum { schema.exclusiveMinimumFlag = true } else { schema.exclusiveMaximumFlag = true }
            return
        }
        if case .bool(let exclusive)? = value.resolvedScalar {
            diagnostics.warning("'\(key)' is a number in OpenAPI 3.1; the boolean is the 3.0 spelling, read as 3.0 reads it", at: value.location)
            if exclusive, isMinimum { schema.exclusiveMinimumFlag = true } else if exclusive { schema.exclusiveMaximumFlag = true }
            return
        }
        guard let bound = number(value, key, exclusive: true) else { return }
        if isMinimum { schema.minimum = bound } else { schema.maximum = bound }
    }

    private func parseDiscriminator(_ node: Node, file: String) -> Discriminator? {
        guard let pairs = mapping(node, "discriminator") else { return nil }
        var discriminator = Discriminator(propertyName: "", mapping: [], location: node.location)
        for pair in pairs {
            switch pair.key.scalar?.value {
            case "propertyName":
                discriminator.propertyName = string(pair.value, "propertyName") ?? ""
            case "mapping":
                for entry in mapping(pair.value, "mapping") ?? [] {
                    guard let value = string(entry.key, "mapping key"), let target = string(entry.value, "mapping value") else { continue }
                    // A bare name means a schema in the root document's components.
                    let reference = target.contains("#") || target.contains("/") || target.hasSuffix(".yaml") || target.hasSuffix(".json")
                        ? target : "#/components/schemas/\(target)"
                    guard case .reference(let key, _) = schemaReference(reference, from: file, at: entry.value.location) else { continue }
                    discriminator.mapping.append((value, key))
                }
            default:
                unsupported(pair.key, in: "a discriminator")
            }
        }
        if discriminator.propertyName.isEmpty {
            diagnostics.error("a discriminator needs a 'propertyName'", at: node.location)
            return nil
        }
        return discriminator
    }
}
