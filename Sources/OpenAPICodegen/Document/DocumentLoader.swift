import Foundation
import YAML

/// Reads an OpenAPI document and the files it references into an ``OpenAPIDocument``.
///
/// Every problem is reported with its file:line:column. Unsupported features are
/// warnings and are skipped; anything that would make the output wrong is an error.
public struct DocumentLoader: Sendable {
    public var parser: YAMLParser

    public init(parser: YAMLParser = YAMLParser()) {
        self.parser = parser
    }

    /// The loaded document with its warnings, or a ``CodegenError`` listing every diagnostic.
    public func load(path: String) throws(CodegenError) -> LoadedDocument {
        try load(LoadSession(parser: parser), path: path)
    }

    /// Loads a document held in memory, as if read from `path` (`$ref`s to other files are
    /// still read from disk, relative to it): for editors, tests and the fuzzer.
    public func load(contents: String, path: String) throws(CodegenError) -> LoadedDocument {
        let absolute = Self.absolutePath(path, relativeTo: nil)
        let session = LoadSession(parser: parser)
        session.preload(contents, path: absolute)
        return try load(session, path: absolute)
    }

    private func load(_ session: LoadSession, path: String) throws(CodegenError) -> LoadedDocument {
        let document = session.loadDocument(at: Self.absolutePath(path, relativeTo: nil))
        let diagnostics = session.diagnostics.sorted
        guard let document, !session.diagnostics.hasErrors else {
            throw CodegenError(diagnostics: diagnostics)
        }
        return LoadedDocument(document: document, diagnostics: diagnostics, sourceFiles: session.loadedFiles)
    }

    static func absolutePath(_ path: String, relativeTo directory: String?) -> String {
        let base = directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
        return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
    }
}

/// A document, its warnings, and every file it was read from.
public struct LoadedDocument: Sendable {
    public var document: OpenAPIDocument
    public var diagnostics: [Diagnostic]
    /// Absolute paths of the root file and every file reached through `$ref`.
    public var sourceFiles: [String]
}

/// The state of one load: parsed files, named schemas found so far, diagnostics.
final class LoadSession {
    let parser: YAMLParser
    let diagnostics = DiagnosticCollector()
    private(set) var version: OpenAPIVersion = .v3_0
    private var files: [String: Node?] = [:]
    private(set) var loadedFiles: [String] = []
    private var named: [NamedSchema] = []
    private var indexByKey: [SchemaKey: Int] = [:]
    /// Named schemas registered but not parsed yet; parsing later lets references form cycles.
    private var pending: [(key: SchemaKey, node: Node)] = []

    init(parser: YAMLParser) {
        self.parser = parser
    }

    // MARK: Files and references

    /// Parses `contents` as the file at `path`, so later reads of `path` use it.
    func preload(_ contents: String, path: String) {
        do {
            files[path] = try parser.parse(contents, file: path)
            loadedFiles.append(path)
        } catch {
            diagnostics.error(error.message, at: error.location)
            files[path] = .some(nil)
        }
    }

    func root(ofFile path: String, referencedAt location: SourceLocation?) -> Node? {
        if let cached = files[path] { return cached }
        do {
            let node = try parser.parseFile(atPath: path)
            files[path] = node
            loadedFiles.append(path)
            return node
        } catch {
            if let location, case .unreadableFile(_, let reason) = error {
                diagnostics.error("cannot read referenced file \(path): \(reason)", at: location)
            } else {
                diagnostics.error(error.message, at: error.location)
            }
            files[path] = .some(nil)
            return nil
        }
    }

    /// References already resolved, by the file they are written in and their text: a large
    /// spec refers to the same few hundred schemas thousands of times.
    private var resolved: [String: [String: (key: SchemaKey, node: Node)]] = [:]

    /// Resolves `$ref` text written in `file` to the file, pointer and node it names.
    func resolve(_ reference: String, from file: String, at location: SourceLocation) -> (key: SchemaKey, node: Node)? {
        if let known = resolved[file]?[reference] { return known }
        guard let found = resolveUncached(reference, from: file, at: location) else { return nil }
        resolved[file, default: [:]][reference] = found
        return found
    }

    private func resolveUncached(_ reference: String, from file: String, at location: SourceLocation) -> (key: SchemaKey, node: Node)? {
        if reference.hasPrefix("http://") || reference.hasPrefix("https://") {
            diagnostics.error("remote reference '\(reference)' is not supported: download the file and refer to it by path", at: location)
            return nil
        }
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let filePart = String(parts[0])
        let pointer = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
        let target = filePart.isEmpty
            ? file : DocumentLoader.absolutePath(filePart, relativeTo: (file as NSString).deletingLastPathComponent)
        guard let root = root(ofFile: target, referencedAt: location) else { return nil }
        guard let node = Self.node(at: pointer, in: root) else {
            diagnostics.error("cannot resolve reference '\(reference)': nothing at '\(pointer)' in \(target)", at: location)
            return nil
        }
        return (SchemaKey(file: target, pointer: pointer), node)
    }

    private static func node(at pointer: String, in root: Node) -> Node? {
        guard !pointer.isEmpty, pointer != "/" else { return root }
        guard pointer.hasPrefix("/") else { return nil }
        var current = root
        for rawToken in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = rawToken.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let pairs = current.mapping, let next = pairs.first(where: { $0.key.scalar?.value == token }) {
                current = next.value
            } else if let items = current.sequence, let index = Int(token), items.indices.contains(index) {
                current = items[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// Follows `$ref` chains for non-schema objects (parameters, responses, bodies, path items).
    func dereference(_ node: Node, file: String) -> (node: Node, file: String)? {
        var current = (node: node, file: file)
        var seen: Set<SchemaKey> = []
        while let reference = current.node["$ref"] {
            guard let text = string(reference, "$ref"),
                let (key, target) = resolve(text, from: current.file, at: reference.location)
            else { return nil }
            guard seen.insert(key).inserted else {
                diagnostics.error("reference cycle through '\(text)'", at: reference.location)
                return nil
            }
            current = (target, key.file)
        }
        return current
    }

    // MARK: Named schemas

    /// The named schema for a key, registering it (to be parsed later) on first sight.
    func register(_ key: SchemaKey, node: Node, name: String) {
        guard indexByKey[key] == nil else { return }
        indexByKey[key] = named.count
        named.append(NamedSchema(key: key, name: name, schema: .inline(SchemaObject(location: node.location))))
        pending.append((key, node))
    }

    func isRegistered(_ key: SchemaKey) -> Bool { indexByKey[key] != nil }

    func parsePendingSchemas() {
        while !pending.isEmpty {
            let (key, node) = pending.removeFirst()
            named[indexByKey[key]!].schema = parseSchema(node, file: key.file)
        }
    }

    func schemaReference(_ text: String, from file: String, at location: SourceLocation) -> Schema {
        guard let (key, node) = resolve(text, from: file, at: location) else {
            return .inline(SchemaObject(location: location))
        }
        if !isRegistered(key) {
            let name = key.pointer.split(separator: "/").last.map(String.init)
                ?? URL(fileURLWithPath: key.file).deletingPathExtension().lastPathComponent
            register(key, node: node, name: name)
        }
        return .reference(key, at: location)
    }

    var namedSchemas: [NamedSchema] { named }

    // MARK: Reading scalars with diagnostics

    /// `'field'` for a key, or the description as is (`path item '/a'`).
    private func label(_ field: String) -> String {
        field.contains(" ") ? field : "'\(field)'"
    }

    func string(_ node: Node, _ field: String) -> String? {
        guard let scalar = node.scalar else {
            diagnostics.error("\(label(field)) must be a string, found \(node.kindDescription)", at: node.location)
            return nil
        }
        return scalar.value
    }

    func bool(_ node: Node, _ field: String) -> Bool? {
        guard case .bool(let value)? = node.resolvedScalar else {
            diagnostics.error("\(label(field)) must be true or false, found '\(node)'", at: node.location)
            return nil
        }
        return value
    }

    func int(_ node: Node, _ field: String) -> Int? {
        if case .double(let value)? = node.resolvedScalar, value >= 0, value == value.rounded(), value < 1e15 {
            diagnostics.warning("\(label(field)) is an integer; '\(node)' is read as \(Int(value))", at: node.location)
            return Int(value)
        }
        guard case .int(let value)? = node.resolvedScalar, value >= 0 else {
            diagnostics.error("\(label(field)) must be a non-negative integer, found '\(node)'", at: node.location)
            return nil
        }
        return value
    }

    func number(_ node: Node, _ field: String, exclusive: Bool) -> NumberBound? {
        switch node.resolvedScalar {
        case .int(let value)?: return NumberBound(value: Double(value), text: String(value), isExclusive: exclusive)
        case .double(let value)?: return NumberBound(value: value, text: node.scalar!.value, isExclusive: exclusive)
        default:
            diagnostics.error("\(label(field)) must be a number, found '\(node)'", at: node.location)
            return nil
        }
    }

    func mapping(_ node: Node, _ field: String) -> [Node.Pair]? {
        guard let pairs = node.mapping else {
            diagnostics.error("\(label(field)) must be a mapping, found \(node.kindDescription)", at: node.location)
            return nil
        }
        return pairs
    }

    func sequence(_ node: Node, _ field: String) -> [Node]? {
        guard let items = node.sequence else {
            diagnostics.error("\(label(field)) must be a sequence, found \(node.kindDescription)", at: node.location)
            return nil
        }
        return items
    }

    /// Reports a key that the loader does not use: silently accepted when it is an
    /// extension or documentation-only, an error when the document's version lacks it.
    func unsupported(_ key: Node, in object: String) {
        let name = key.scalar?.value ?? key.description
        if name.hasPrefix("x-") { return }
        diagnostics.warning("'\(name)' in \(object) is not supported and is ignored", at: key.location)
    }

    func setVersion(_ version: OpenAPIVersion) { self.version = version }
}
