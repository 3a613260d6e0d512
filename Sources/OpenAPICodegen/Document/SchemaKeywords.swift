/// Every schema keyword the generator knows, in one place: what it honours, what is only
/// documentation, and what it warns about. The README's support table is checked against
/// these lists by a test, and so is the parser's handling of each.
public enum SchemaKeywords {
    /// Keywords that shape the generated types, coding or validation.
    public static let honoured: [String] = [
        "type", "nullable", "format", "title", "description", "deprecated", "readOnly", "writeOnly", "default", "enum",
        "const", "properties", "required", "additionalProperties", "items", "allOf", "oneOf", "anyOf", "discriminator",
        "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "$ref",
    ]

    /// Keywords that only document (examples, XML names, identifiers): read and set aside.
    public static let documentation: [String] = [
        "example", "examples", "externalDocs", "xml", "$comment", "$schema", "$id", "$defs", "$anchor",
    ]

    /// JSON Schema keywords the generator does not apply; each use is a located warning.
    public static let warned: [String] = [
        "not", "if", "then", "else", "patternProperties", "prefixItems", "multipleOf", "contains", "minContains",
        "maxContains", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems",
        "propertyNames", "contentEncoding", "contentMediaType", "contentSchema", "$dynamicRef", "$dynamicAnchor",
    ]

    /// Keywords that only OpenAPI 3.1 (JSON Schema 2020-12) has; a 3.0 document that uses
    /// them gets a warning and the 3.1 reading.
    static let onlyIn31: Set<String> = [
        "const", "prefixItems", "$defs", "contains", "minContains", "maxContains", "if", "then", "else",
        "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems", "$schema", "$id",
        "$anchor", "$comment", "$dynamicRef", "$dynamicAnchor", "examples", "propertyNames", "contentEncoding",
        "contentMediaType", "contentSchema",
    ]
}
