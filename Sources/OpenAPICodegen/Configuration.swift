import Foundation
import YAML

/// The `openapi-codegen.yaml` a target opts in with.
///
/// ```yaml
/// spec: ../../openapi/datastorage.yaml   # relative to this file
/// accessModifier: public                 # public, package or internal
/// operations: [createAuditEvent]         # optional; all when absent
/// jsonWriters: true                      # optional; faster request encoding, longer compile
/// jsonReaders: true                      # optional; faster decoding, longer compile
/// generate: [types, client, server]      # optional; [types, client] when absent
/// ```
public struct CodegenConfiguration: Sendable, Hashable {
    /// The spec's path, relative to the configuration file.
    public var spec: String?
    public var options: TranslationOptions

    public init(spec: String? = nil, options: TranslationOptions = TranslationOptions()) {
        self.spec = spec
        self.options = options
    }

    /// Reads and checks a configuration file; unknown keys are errors, so typos do not pass silently.
    public static func load(path: String) throws(CodegenError) -> CodegenConfiguration {
        let node: Node
        do {
            node = try YAMLParser().parseFile(atPath: path)
        } catch {
            throw CodegenError(diagnostics: [Diagnostic(.error, error.message, at: error.location)])
        }
        var configuration = CodegenConfiguration()
        var diagnostics: [Diagnostic] = []
        guard let pairs = node.mapping else {
            throw CodegenError(diagnostics: [Diagnostic(.error, "the configuration must be a mapping", at: node.location)])
        }
        for pair in pairs {
            let key = pair.key.scalar?.value ?? ""
            switch key {
            case "spec":
                configuration.spec = pair.value.scalar?.value
            case "accessModifier":
                let value = pair.value.scalar?.value ?? ""
                if ["public", "package", "internal"].contains(value) {
                    configuration.options.accessModifier = value
                } else {
                    diagnostics.append(Diagnostic(.error, "accessModifier must be public, package or internal, not '\(value)'", at: pair.value.location))
                }
            case "operations", "tags", "paths":
                let items = pair.value.sequence ?? []
                let entries = items.compactMap { item in item.scalar.map { FilterEntry($0.value, at: item.location) } }
                guard pair.value.sequence != nil, entries.count == items.count else {
                    diagnostics.append(Diagnostic(.error, "\(key) must be a list of strings", at: pair.value.location))
                    continue
                }
                switch key {
                case "operations": configuration.options.filter.operations = entries
                case "tags": configuration.options.filter.tags = entries
                default: configuration.options.filter.paths = entries
                }
            case "jsonWriters", "jsonReaders", "pruneUnusedSchemas":
                guard case .bool(let value)? = pair.value.resolvedScalar else {
                    diagnostics.append(Diagnostic(.error, "\(key) must be true or false", at: pair.value.location))
                    continue
                }
                switch key {
                case "jsonWriters": configuration.options.jsonWriters = value
                case "jsonReaders": configuration.options.jsonReaders = value
                default: configuration.options.pruneUnusedSchemas = value
                }
            case "generate":
                let items = pair.value.sequence ?? []
                let parts = items.compactMap { $0.scalar.flatMap { GeneratedPart(rawValue: $0.value) } }
                guard pair.value.sequence != nil, parts.count == items.count, parts.contains(.types) else {
                    diagnostics.append(Diagnostic(.error, "generate must be a list of types, client and server, with types", at: pair.value.location))
                    continue
                }
                configuration.options.generate = Set(parts)
            case "nameOverrides":
                configuration.options.nameOverrides = renames(pair.value, key, into: &diagnostics)
            case "typeOverrides":
                for entry in pair.value.mapping ?? [] {
                    switch entry.key.scalar?.value {
                    case "schemas": configuration.options.schemaTypeOverrides = renames(entry.value, "typeOverrides.schemas", into: &diagnostics)
                    case "formats": configuration.options.formatTypeOverrides = renames(entry.value, "typeOverrides.formats", into: &diagnostics)
                    default:
                        diagnostics.append(Diagnostic(.error, "typeOverrides takes 'schemas' and 'formats'", at: entry.key.location))
                    }
                }
                if pair.value.mapping == nil {
                    diagnostics.append(Diagnostic(.error, "typeOverrides must be a mapping with 'schemas' and/or 'formats'", at: pair.value.location))
                }
            default:
                diagnostics.append(Diagnostic(.error, "unknown configuration key '\(key)'; expected \(Self.keys.joined(separator: ", "))", at: pair.key.location))
            }
        }
        if !diagnostics.isEmpty { throw CodegenError(diagnostics: diagnostics) }
        return configuration
    }

    /// Every key a configuration file may have.
    public static let keys = [
        "spec", "accessModifier", "operations", "tags", "paths", "jsonWriters", "jsonReaders", "pruneUnusedSchemas", "generate", "nameOverrides",
        "typeOverrides",
    ]

    /// A mapping of names in the spec to Swift names, each with where it is written.
    private static func renames(_ node: Node, _ key: String, into diagnostics: inout [Diagnostic]) -> [Rename] {
        guard let pairs = node.mapping else {
            diagnostics.append(Diagnostic(.error, "\(key) must be a mapping of names in the spec to Swift names", at: node.location))
            return []
        }
        return pairs.compactMap { pair in
            guard let from = pair.key.scalar?.value, let to = pair.value.scalar?.value, !to.isEmpty else {
                diagnostics.append(Diagnostic(.error, "\(key) entries map a name to a Swift name", at: pair.key.location))
                return nil
            }
            return Rename(from: FilterEntry(from, at: pair.key.location), to: to)
        }
    }

    /// The spec's absolute path, given where the configuration file is.
    public func specPath(relativeTo configurationPath: String) -> String? {
        spec.map { DocumentLoader.absolutePath($0, relativeTo: (configurationPath as NSString).deletingLastPathComponent) }
    }
}
