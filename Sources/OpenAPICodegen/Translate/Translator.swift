/// What to generate, beyond the spec itself.
public struct TranslationOptions: Sendable, Hashable {
    /// `public`, `package` or `internal`.
    public var accessModifier: String
    /// Operation IDs to generate; nil for all.
    public var operations: [String]?
    /// Also generate `writeJSON(to:)` on models: request bodies encode several times
    /// faster, for about a tenth more compile time. Worth it for hot paths.
    public var jsonWriters: Bool

    public init(accessModifier: String = "public", operations: [String]? = nil, jsonWriters: Bool = false) {
        self.accessModifier = accessModifier
        self.operations = operations
        self.jsonWriters = jsonWriters
    }
}

/// Stage 2 of the pipeline: ``OpenAPIDocument`` → ``TranslatedModule``.
public struct Translator: Sendable {
    public var options: TranslationOptions

    public init(options: TranslationOptions = TranslationOptions()) {
        self.options = options
    }

    /// The declarations for `document`, with any warnings found on the way.
    public func translate(_ document: OpenAPIDocument, sourceName: String) -> (module: TranslatedModule, diagnostics: [Diagnostic]) {
        let diagnostics = DiagnosticCollector()
        let translator = SchemaTranslator(document: document, diagnostics: diagnostics)
        var operations = document.operations
        if let selected = options.operations {
            operations = operations.filter { selected.contains($0.operationID ?? "") }
        }
        let schemas = translator.translateSchemas()
        var translatedOperations = translator.translateOperations(operations)
        let linkedSchemas = DeclarationLinking.link(schemas)
        // Inline types of operations can refer to schemas (and the reverse), so link them together.
        let operationTypes = DeclarationLinking.link(schemas + translatedOperations.flatMap(\.nestedTypes))
        var offset = schemas.count
        for position in translatedOperations.indices {
            let count = translatedOperations[position].nestedTypes.count
            translatedOperations[position].nestedTypes = Array(operationTypes[offset..<(offset + count)])
            offset += count
        }
        let module = TranslatedModule(
            sourceName: sourceName, accessModifier: options.accessModifier, jsonWriters: options.jsonWriters,
            schemas: linkedSchemas, operations: translatedOperations)
        return (module, diagnostics.sorted)
    }
}
