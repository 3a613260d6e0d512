/// Builds ``Node`` trees from parser events: anchors and aliases, merge keys and
/// duplicate-key checks live here, apart from libyaml's C interface.
struct Composer {
    /// A collection still being built. Mutated in place on the stack, so appends never copy.
    private struct Frame {
        var isMapping: Bool
        var items: [Node] = []
        var pairs: [Node.Pair] = []
        var pendingKey: Node?
        /// Where each scalar key was first stated, for O(1) duplicate checks.
        var scalarKeys: [String: SourceLocation] = [:]
        var tag: String?
        var anchor: String?
        var location: SourceLocation
    }

    let file: String
    let expansionLimit: Int
    private var stack: [Frame] = []
    private var anchors: [String: Node] = [:]
    /// Anchors whose node is still being built; an alias to one of them is a cycle.
    private var openAnchors: Set<String> = []
    private var expandedNodes = 0
    private var document: Node?
    private var documentCount = 0

    init(file: String, expansionLimit: Int) {
        self.file = file
        self.expansionLimit = expansionLimit
    }

    func location(line: Int, column: Int) -> SourceLocation {
        SourceLocation(file: file, line: line + 1, column: column + 1)
    }

    mutating func consume(_ event: Event) throws(YAMLError) {
        switch event {
        case .streamStart, .documentEnd:
            break
        case .documentStart:
            documentCount += 1
            if documentCount > 1 { throw .multipleDocuments(at: document?.location ?? location(line: 0, column: 0)) }
        case .scalar(let value, let style, let tag, let anchor, let line, let column):
            let node = Node(.scalar(Scalar(value, style: style)), tag: tag, location: location(line: line, column: column))
            try complete(node, anchor: anchor)
        case .sequenceStart(let tag, let anchor, let line, let column):
            if let anchor { openAnchors.insert(anchor) }
            stack.append(Frame(isMapping: false, tag: tag, anchor: anchor, location: location(line: line, column: column)))
        case .mappingStart(let tag, let anchor, let line, let column):
            if let anchor { openAnchors.insert(anchor) }
            stack.append(Frame(isMapping: true, tag: tag, anchor: anchor, location: location(line: line, column: column)))
        case .sequenceEnd, .mappingEnd:
            guard let frame = stack.popLast() else { return }
            let content: Node.Content = frame.isMapping ? .mapping(try Self.applyingMergeKeys(frame.pairs)) : .sequence(frame.items)
            try complete(Node(content, tag: frame.tag, location: frame.location), anchor: frame.anchor)
        case .alias(let name, let line, let column):
            let at = location(line: line, column: column)
            if openAnchors.contains(name) { throw .aliasCycle(name, at: at) }
            guard let target = anchors[name] else { throw .undefinedAlias(name, at: at) }
            expandedNodes += target.expandedSize
            if expandedNodes > expansionLimit { throw .expansionLimitExceeded(limit: expansionLimit, at: at) }
            var copy = target
            copy.location = at
            try attach(copy)
        }
    }

    func finish() throws(YAMLError) -> Node {
        guard let document else { throw .emptyDocument(file: file) }
        return document
    }

    private mutating func complete(_ node: Node, anchor: String?) throws(YAMLError) {
        if let anchor {
            openAnchors.remove(anchor)
            anchors[anchor] = node
        }
        expandedNodes += 1
        if expandedNodes > expansionLimit { throw .expansionLimitExceeded(limit: expansionLimit, at: node.location) }
        try attach(node)
    }

    private mutating func attach(_ node: Node) throws(YAMLError) {
        guard !stack.isEmpty else {
            document = node
            return
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            stack[top].pendingKey = node
            return
        }
        if !Self.isMergeKey(key) {
            if let scalar = key.scalar {
                if let first = stack[top].scalarKeys[scalar.value] {
                    throw .duplicateKey(scalar.value, at: key.location, firstAt: first)
                }
                stack[top].scalarKeys[scalar.value] = key.location
            } else if let first = stack[top].pairs.first(where: { $0.key == key }) {
                throw .duplicateKey(key.description, at: key.location, firstAt: first.key.location)
            }
        }
        stack[top].pairs.append(Node.Pair(key: key, value: node))
        stack[top].pendingKey = nil
    }

    private static func isMergeKey(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.value == "<<" else { return false }
        return scalar.style == .plain && (node.tag == nil || node.tag == "tag:yaml.org,2002:merge")
    }

    /// Replaces each `<<` entry with the entries it merges in. Keys stated in the mapping
    /// itself win, then earlier merge sources over later ones (YAML merge-key semantics).
    private static func applyingMergeKeys(_ pairs: [Node.Pair]) throws(YAMLError) -> [Node.Pair] {
        guard pairs.contains(where: { isMergeKey($0.key) }) else { return pairs }
        var taken: [Node] = pairs.filter { !isMergeKey($0.key) }.map(\.key)
        var result: [Node.Pair] = []
        for pair in pairs {
            guard isMergeKey(pair.key) else {
                result.append(pair)
                continue
            }
            let sources: [Node]
            switch pair.value.content {
            case .mapping: sources = [pair.value]
            case .sequence(let items) where items.allSatisfy({ $0.mapping != nil }): sources = items
            default: throw .invalidMerge(at: pair.value.location)
            }
            for source in sources {
                for entry in source.mapping ?? [] where !taken.contains(entry.key) {
                    taken.append(entry.key)
                    result.append(entry)
                }
            }
        }
        return result
    }
}
