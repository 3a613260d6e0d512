import Foundation
import Testing
import YAML

/// `openapi/kubernaut-datastorage.yaml` is our copy of the wire facts of kubernaut's audit
/// contract. It must say what kubernaut's published spec says on the audit write and query
/// paths, for every schema they reach, prose aside.
@Suite("kubernaut's contract, our copy")
struct KubernautContractTests {
    static let ours = TestPaths.packageRoot.appending(path: "openapi/kubernaut-datastorage.yaml")
    static let theirs = TestPaths.sharedSpecs.appending(path: "kubernaut-data-storage-v1.yaml")
    static let paths = ["/api/v1/audit/events", "/api/v1/audit/events/batch"]

    @Test("every wire fact of the audit paths and the schemas they reach is kubernaut's, and nothing more",
          .enabled(if: TestPaths.sharedCorpusPresent, "../shared/specs is not beside this checkout"))
    func sameWireFacts() throws {
        let ours = try YAMLParser().parseFile(atPath: Self.ours.path)
        let theirs = try YAMLParser().parseFile(atPath: Self.theirs.path)
        #expect(Set(try #require(ours["paths"]?.mapping).compactMap(\.key.scalar?.value)) == Set(Self.paths))
        var reached: [String] = []
        for path in Self.paths {
            let mine = try #require(ours["paths"]?[path], "our copy lacks \(path)")
            let published = try #require(theirs["paths"]?[path], "kubernaut's spec lacks \(path)")
            let difference = WireFacts(mine).difference(from: WireFacts(published))
            #expect(difference == nil, "\(path) differs: \(difference ?? "")")
            reached += WireFacts.references(in: published)
        }
        // Every schema the paths reach, through $ref and discriminator mappings, and no other.
        let theirSchemas = try #require(theirs["components"]?["schemas"])
        var seen = Set<String>()
        while let reference = reached.popLast() {
            let name = String(reference.split(separator: "/").last ?? "")
            guard seen.insert(name).inserted else { continue }
            let published = try #require(theirSchemas[name], "\(reference) is not in kubernaut's spec")
            reached += WireFacts.references(in: published)
            let mine = try #require(ours["components"]?["schemas"]?[name], "our copy lacks schema \(name)")
            let difference = WireFacts(mine).difference(from: WireFacts(published))
            #expect(difference == nil, "schema \(name) differs: \(difference ?? "")")
        }
        let ourSchemas = Set(try #require(ours["components"]?["schemas"]?.mapping).compactMap(\.key.scalar?.value))
        #expect(ourSchemas == seen, "schemas the audit paths do not reach: \(ourSchemas.subtracting(seen).sorted())")
        #expect(seen.count > 100, "kubernaut's payload schemas are all reached")
    }

    @Test("the comparison sees a changed constraint, a dropped required member and a changed mapping")
    func comparisonCatchesDifferences() throws {
        let base = """
            type: object
            description: prose is ignored
            required: [a, event_type]
            properties:
              a: {type: string, maxLength: 5, description: also ignored}
              description: {type: string}
            discriminator: {propertyName: event_type, mapping: {x: '#/components/schemas/X'}}
            """
        let parse = { (text: String) in try YAMLParser().parse(text, file: "t.yaml") }
        let original = WireFacts(try parse(base)).text
        #expect(WireFacts(try parse(base.replacingOccurrences(of: "prose is ignored", with: "other prose"))).text == original)
        #expect(WireFacts(try parse(base.replacingOccurrences(of: "maxLength: 5", with: "maxLength: 6"))).text != original)
        #expect(WireFacts(try parse(base.replacingOccurrences(of: "[a, event_type]", with: "[event_type]"))).text != original)
        #expect(WireFacts(try parse(base.replacingOccurrences(of: "schemas/X'", with: "schemas/Y'"))).text != original)
        // A member named like a prose keyword is a wire fact.
        #expect(WireFacts(try parse(base.replacingOccurrences(of: "  description: {type: string}\n", with: ""))).text != original)
        #expect(WireFacts.references(in: try parse(base)) == ["#/components/schemas/X"])
    }
}

/// A node as the wire sees it: prose keywords dropped (except as member names under
/// `properties`), response descriptions too (our copy has words of its own there), keys
/// sorted, scalars by their resolved value.
struct WireFacts {
    static let prose: Set = ["description", "summary", "example", "examples", "tags", "externalDocs", "title"]
    let text: String

    init(_ node: Node) {
        text = Self.render(node, membersAreNames: false)
    }

    /// Where the two first part, with a little context on each side; nil when they agree.
    func difference(from other: WireFacts) -> String? {
        guard text != other.text else { return nil }
        let common = zip(text, other.text).prefix { $0 == $1 }.count
        func around(_ text: String) -> String { String(text.dropFirst(max(0, common - 60)).prefix(120)) }
        return "ours …\(around(text))… kubernaut's …\(around(other.text))…"
    }

    private static func render(_ node: Node, membersAreNames: Bool) -> String {
        switch node.content {
        case .scalar:
            return "\(node.resolvedScalar.map { "\($0)" } ?? "?")"
        case .sequence(let items):
            return "[" + items.map { render($0, membersAreNames: false) }.joined(separator: ",") + "]"
        case .mapping(let pairs):
            let kept = pairs.compactMap { pair -> String? in
                let key = pair.key.scalar?.value ?? "?"
                if !membersAreNames && (prose.contains(key) || key.hasPrefix("x-")) { return nil }
                return "\(key):" + render(pair.value, membersAreNames: !membersAreNames && key == "properties")
            }
            return "{" + kept.sorted().joined(separator: ",") + "}"
        }
    }

    /// The `$ref`s and discriminator mapping targets inside `node`.
    static func references(in node: Node) -> [String] {
        switch node.content {
        case .scalar: return []
        case .sequence(let items): return items.flatMap { references(in: $0) }
        case .mapping(let pairs):
            return pairs.flatMap { pair -> [String] in
                switch pair.key.scalar?.value {
                case "$ref": return pair.value.scalar.map { [$0.value] } ?? []
                case "mapping": return (pair.value.mapping ?? []).compactMap(\.value.scalar?.value)
                default: return references(in: pair.value)
                }
            }
        }
    }
}
