/// Why a YAML document could not be turned into a ``Node`` tree.
///
/// Every case carries the location of the problem; `description` prints
/// `file:line:column: error: …` so that editors can jump to it.
public enum YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libyaml rejected the text. `problem` is libyaml's own wording.
    case syntax(problem: String, context: String?, at: SourceLocation)
    /// A mapping states the same key twice.
    case duplicateKey(String, at: SourceLocation, firstAt: SourceLocation)
    /// An alias names an anchor that was never defined.
    case undefinedAlias(String, at: SourceLocation)
    /// An alias refers to the node that contains it.
    case aliasCycle(String, at: SourceLocation)
    /// Expanding aliases would build more nodes than the limit allows (an "alias bomb").
    case expansionLimitExceeded(limit: Int, at: SourceLocation)
    /// The input holds no document at all.
    case emptyDocument(file: String)
    /// The input holds more than one document where one was expected.
    case multipleDocuments(at: SourceLocation)
    /// The merge key `<<` has a value that is neither a mapping nor a sequence of mappings.
    case invalidMerge(at: SourceLocation)
    /// The file could not be read.
    case unreadableFile(path: String, reason: String)

    /// Where the problem is.
    public var location: SourceLocation {
        switch self {
        case .syntax(_, _, let at), .duplicateKey(_, let at, _), .undefinedAlias(_, let at),
            .aliasCycle(_, let at), .expansionLimitExceeded(_, let at), .multipleDocuments(let at),
            .invalidMerge(let at):
            return at
        case .emptyDocument(let file): return SourceLocation(file: file, line: 1, column: 1)
        case .unreadableFile(let path, _): return SourceLocation(file: path, line: 1, column: 1)
        }
    }

    /// What went wrong, without the location.
    public var message: String {
        switch self {
        case .syntax(let problem, let context, _):
            return context.map { "\(problem) \($0)" } ?? problem
        case .duplicateKey(let key, _, let firstAt):
            return "duplicate mapping key '\(key)' (first defined at \(firstAt.line):\(firstAt.column))"
        case .undefinedAlias(let name, _):
            return "alias '*\(name)' refers to an undefined anchor"
        case .aliasCycle(let name, _):
            return "alias '*\(name)' refers to a node that contains it (alias cycle)"
        case .expansionLimitExceeded(let limit, _):
            return "expanding aliases would create more than \(limit) nodes (alias bomb?)"
        case .emptyDocument:
            return "the file is empty: expected a YAML or JSON document"
        case .multipleDocuments:
            return "expected a single document, found another one here"
        case .invalidMerge:
            return "the merge key '<<' needs a mapping or a sequence of mappings"
        case .unreadableFile(_, let reason):
            return "cannot read file: \(reason)"
        }
    }

    public var description: String { "\(location): error: \(message)" }
}
