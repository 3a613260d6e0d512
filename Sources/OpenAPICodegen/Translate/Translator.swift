import YAML

/// A name in the spec and what the configuration makes of it.
public struct Rename: Sendable, Hashable {
    public var from: FilterEntry
    public var to: String

    public init(from: FilterEntry, to: String) {
        self.from = from
        self.to = to
    }
}

/// One entry of a configuration filter, with where it is written (for an unknown entry's error).
public struct FilterEntry: Sendable, Hashable, ExpressibleByStringLiteral {
    public var value: String
    public var location: SourceLocation?

    public init(_ value: String, at location: SourceLocation? = nil) {
        self.value = value
        self.location = location
    }

    public init(stringLiteral value: String) { self.init(value) }
}

/// Which operations to generate: those matching any given filter; all when none is given.
public struct OperationFilter: Sendable, Hashable {
    /// `operationId`s.
    public var operations: [FilterEntry]?
    /// Tags: an operation with any of them.
    public var tags: [FilterEntry]?
    /// Path templates as written (`/items/{id}`): every operation on them.
    public var paths: [FilterEntry]?

    public init(operations: [FilterEntry]? = nil, tags: [FilterEntry]? = nil, paths: [FilterEntry]? = nil) {
        self.operations = operations
        self.tags = tags
        self.paths = paths
    }

    var isEmpty: Bool { operations == nil && tags == nil && paths == nil }

    func includes(_ operation: Operation) -> Bool {
        isEmpty || operations?.contains { $0.value == operation.operationID } == true
            || tags?.contains { operation.tags.contains($0.value) } == true || paths?.contains { $0.value == operation.path } == true
    }

    /// An error for each entry that names nothing in the document: a typo must not silently generate less.
    func unknownEntries(in document: OpenAPIDocument, diagnostics: DiagnosticCollector) {
        let checks: [(entries: [FilterEntry]?, kind: String, known: Set<String>)] = [
            (operations, "operationId", Set(document.operations.compactMap(\.operationID))),
            (tags, "tag", Set(document.operations.flatMap(\.tags))),
            (paths, "path", Set(document.operations.map(\.path))),
        ]
        for check in checks {
            for entry in check.entries ?? [] where !check.known.contains(entry.value) {
                diagnostics.error(
                    "the configuration names \(check.kind) '\(entry.value)', which no operation in the spec has",
                    at: entry.location ?? SourceLocation(file: document.sourcePath, line: 1, column: 1))
            }
        }
    }
}

/// What to generate, beyond the spec itself.
public struct TranslationOptions: Sendable, Hashable {
    /// `public`, `package` or `internal`.
    public var accessModifier: String
    /// Which operations to generate.
    public var filter: OperationFilter
    /// Operation IDs to generate; nil for all.
    public var operations: [String]? {
        get { filter.operations?.map(\.value) }
        set { filter.operations = newValue?.map { FilterEntry($0) } }
    }
    /// Also generate `writeJSON(to:)` on models: request bodies encode several times
    /// faster, for about a tenth more compile time. Worth it for hot paths.
    public var jsonWriters: Bool
    /// Also generate `init(jsonReader:)` on models: bodies and responses decode straight
    /// from bytes, several times faster than through `JSONDecoder`. Worth it for hot paths.
    public var jsonReaders = false
    /// Generate only the schemas the generated operations reach.
    public var pruneUnusedSchemas = false
    /// Swift names for schemas and operationIds, by their names in the spec.
    public var nameOverrides: [Rename] = []
    /// The application's own types for named schemas (`UserID: MyTypes.UserID`): nothing is
    /// declared for them, and every use refers to the given type.
    public var schemaTypeOverrides: [Rename] = []
    /// The application's own types for formats (`uuid: MyUUID`).
    public var formatTypeOverrides: [Rename] = []
    /// What to generate besides the types: the client (the default), the server side, or both.
    public var generate: Set<GeneratedPart> = [.types, .client]

    public init(accessModifier: String = "public", operations: [String]? = nil, jsonWriters: Bool = false) {
        self.accessModifier = accessModifier
        self.filter = OperationFilter(operations: operations?.map { FilterEntry($0) })
        self.jsonWriters = jsonWriters
    }
}

/// A part of the generated code that `generate:` in openapi-codegen.yaml selects.
public enum GeneratedPart: String, Sendable, Hashable, CaseIterable {
    /// The schemas' models and each operation's `Output` (always generated).
    case types
    /// `Client`, `Servers` and `SecuritySchemes`.
    case client
    /// `APIProtocol`, each operation's `Input`, and `registerHandlers(on:)`.
    case server
}

/// Stage 2 of the pipeline: ``OpenAPIDocument`` → ``TranslatedModule``.
public struct Translator: Sendable {
    public var options: TranslationOptions

    public init(options: TranslationOptions = TranslationOptions()) {
        self.options = options
    }

    /// Absolute server URLs become `Servers` functions; a relative one has no base a client could resolve it against.
    private static func servers(_ servers: [Server], diagnostics: DiagnosticCollector, document: OpenAPIDocument) -> [ServerDeclaration] {
        var names = NameAllocator.members(reserving: ["default"])
        return servers.enumerated().compactMap { index, server in
            guard server.url.contains("://") else {
                diagnostics.warning(
                    "server URL '\(server.url)' is relative; the client needs an absolute URL, so it is not generated",
                    at: server.location)
                return nil
            }
            var argumentNames = NameAllocator.members()
            return ServerDeclaration(
                // A short description names the server ("Production", "EU sandbox"); otherwise its position does.
                swiftName: names.allocate(SwiftNaming.memberName(
                    server.description.flatMap { $0.split(separator: " ").count <= 3 ? $0 : nil } ?? "server\(index + 1)")),
                template: server.url, documentation: server.description,
                variables: server.variables.map {
                    ServerDeclaration.Variable(
                        swiftName: argumentNames.allocate(SwiftNaming.memberName($0.name)), wireName: $0.name, defaultValue: $0.defaultValue,
                        allowed: $0.allowed, documentation: $0.description)
                })
        }
    }

    /// The declarations for `document`, with any warnings found on the way.
    public func translate(_ document: OpenAPIDocument, sourceName: String) -> (module: TranslatedModule, diagnostics: [Diagnostic]) {
        let diagnostics = DiagnosticCollector()
        let translator = SchemaTranslator(document: document, options: options, diagnostics: diagnostics)
        options.filter.unknownEntries(in: document, diagnostics: diagnostics)
        let operations = document.operations.filter(options.filter.includes)
        let schemas = translator.translateSchemas(reachable: SchemaReachability.keys(
            for: operations, pruning: options.pruneUnusedSchemas, replaced: translator.replacedSchemas, in: document))
        var translatedOperations = translator.translateOperations(operations)
        let groups: [DeclarationLinking.Group] = [(nil, schemas)]
            + translatedOperations.map { (TypeName(["Operations", $0.namespace]), $0.nestedTypes) }
        var linked = DeclarationLinking.link(groups)
        let linkedSchemas = linked.removeFirst()
        for (position, nestedTypes) in zip(translatedOperations.indices, linked) {
            translatedOperations[position].nestedTypes = nestedTypes
        }
        let module = TranslatedModule(
            sourceName: sourceName, accessModifier: options.accessModifier, jsonWriters: options.jsonWriters, jsonReaders: options.jsonReaders,
            schemas: linkedSchemas, operations: translatedOperations, securitySchemes: document.securitySchemes,
            servers: Self.servers(document.servers, diagnostics: diagnostics, document: document), generate: options.generate)
        return (module, diagnostics.sorted)
    }
}
