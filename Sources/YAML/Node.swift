/// One node of a parsed YAML (or JSON) document, with the place it came from.
///
/// Aliases are already expanded and merge keys (`<<`) already applied, so consumers
/// see a plain tree. Equality compares content and tags, not locations.
public struct Node: Sendable, CustomStringConvertible {
    /// The shape of a node.
    public enum Content: Sendable {
        case scalar(Scalar)
        case sequence([Node])
        case mapping([Pair])
    }

    /// One key/value entry of a mapping. Mappings keep their entries in document order.
    public struct Pair: Sendable {
        public var key: Node
        public var value: Node

        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    public var content: Content
    /// The explicit tag in its resolved long form (`tag:yaml.org,2002:str` for `!!str`), if any.
    public var tag: String?
    /// Where the node starts.
    public var location: SourceLocation
    /// How many nodes this subtree holds once aliases are expanded; bounds alias bombs.
    public internal(set) var expandedSize: Int

    public init(_ content: Content, tag: String? = nil, location: SourceLocation) {
        self.content = content
        self.tag = tag
        self.location = location
        switch content {
        case .scalar:
            expandedSize = 1
        case .sequence(let items):
            expandedSize = items.reduce(1) { $0 + $1.expandedSize }
        case .mapping(let pairs):
            expandedSize = pairs.reduce(1) { $0 + $1.key.expandedSize + $1.value.expandedSize }
        }
    }

    /// The scalar, if this node is one.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items, if this node is a sequence.
    public var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The entries, if this node is a mapping.
    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value stored under a scalar key, if this node is a mapping that has it.
    public subscript(key: String) -> Node? {
        guard case .mapping(let pairs) = content else { return nil }
        return pairs.first { $0.key.scalar?.value == key }?.value
    }

    /// A short human name for the node's kind, for diagnostics ("a mapping", "a scalar").
    public var kindDescription: String {
        switch content {
        case .scalar: "a scalar"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        }
    }

    public var description: String {
        switch content {
        case .scalar(let scalar): return scalar.value
        case .sequence(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let pairs): return "{" + pairs.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

extension Node: Equatable {
    /// Two nodes are equal when their content and tags are; where they stand does not matter.
    public static func == (lhs: Node, rhs: Node) -> Bool {
        guard lhs.tag == rhs.tag else { return false }
        switch (lhs.content, rhs.content) {
        case (.scalar(let a), .scalar(let b)): return a == b
        case (.sequence(let a), .sequence(let b)): return a == b
        case (.mapping(let a), .mapping(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// A scalar's text and how it was written.
public struct Scalar: Sendable, Hashable {
    /// How a scalar was written; only plain scalars are resolved to null, booleans and numbers.
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var value: String
    public var style: Style

    public init(_ value: String, style: Style = .plain) {
        self.value = value
        self.style = style
    }
}
