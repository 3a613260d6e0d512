import Testing
import YAML

private func parse(_ text: String, limit: Int = 1_000_000) throws(YAMLError) -> Node {
    try YAMLParser(expansionLimit: limit).parse(text, file: "test.yaml")
}

private func parseError(_ text: String, limit: Int = 1_000_000) -> YAMLError? {
    do {
        _ = try parse(text, limit: limit)
        return nil
    } catch {
        return error
    }
}

@Suite("YAML constructs")
struct YAMLConstructTests {
    @Test("block mapping keeps order and locations")
    func blockMapping() throws {
        let node = try parse("b: 1\na: two\nc:\n  nested: true\n")
        let keys = try #require(node.mapping).map { $0.key.scalar?.value }
        #expect(keys == ["b", "a", "c"])
        #expect(node["a"]?.location == SourceLocation(file: "test.yaml", line: 2, column: 4))
        #expect(node["c"]?["nested"]?.location.line == 4)
        #expect(node["c"]?["nested"]?.location.column == 11)
        #expect(node["b"]?.resolvedScalar == .int(1))
        #expect(node["c"]?["nested"]?.resolvedScalar == .bool(true))
    }

    @Test("sequences in block and flow style")
    func sequences() throws {
        let node = try parse("block:\n  - a\n  - b\nflow: [1, 2.5, null]\n")
        #expect(node["block"]?.sequence?.map(\.description) == ["a", "b"])
        let flow = try #require(node["flow"]?.sequence)
        #expect(flow.map(\.resolvedScalar) == [.int(1), .double(2.5), .null])
        #expect(flow[1].location.column == 11)
    }

    @Test("flow mappings")
    func flowMapping() throws {
        let node = try parse("{a: 1, b: {c: d}}")
        #expect(node["b"]?["c"]?.scalar?.value == "d")
    }

    @Test("scalar styles and tags")
    func scalarStyles() throws {
        let node = try parse("""
            plain: 12
            single: '12'
            double: "a\\tb"
            tagged: !!str 12
            literal: |
              line one
              line two
            folded: >
              folded
              text
            """)
        #expect(node["plain"]?.scalar?.style == .plain)
        #expect(node["plain"]?.resolvedScalar == .int(12))
        #expect(node["single"]?.scalar?.style == .singleQuoted)
        #expect(node["single"]?.resolvedScalar == .string("12"))
        #expect(node["double"]?.scalar == Scalar("a\tb", style: .doubleQuoted))
        #expect(node["tagged"]?.tag == "tag:yaml.org,2002:str")
        #expect(node["tagged"]?.resolvedScalar == .string("12"))
        #expect(node["literal"]?.scalar == Scalar("line one\nline two\n", style: .literal))
        #expect(node["folded"]?.scalar == Scalar("folded text", style: .folded))
    }

    @Test("core-schema resolution of plain scalars", arguments: [
        ("~", ScalarValue.null), ("null", .null), ("", .null), ("True", .bool(true)), ("false", .bool(false)),
        ("-42", .int(-42)), ("0x1F", .int(31)), ("0o17", .int(15)), ("1e3", .double(1000)), (".5", .double(0.5)),
        ("1.2.3", .string("1.2.3")), ("yes", .string("yes")), ("-.inf", .double(-.infinity)),
    ])
    func plainResolution(text: String, expected: ScalarValue) throws {
        let node = try parse("value: \(text)")
        #expect(node["value"]?.resolvedScalar == expected)
    }

    @Test("anchors and aliases are expanded")
    func aliases() throws {
        let node = try parse("base: &b {x: 1}\ncopy: *b\n")
        #expect(node["copy"] == node["base"])
        #expect(node["copy"]?.location.line == 2)
    }

    @Test("merge keys: explicit keys win, then earlier sources")
    func mergeKeys() throws {
        let node = try parse("""
            a: &a {x: 1, y: 1}
            b: &b {y: 2, z: 2}
            merged:
              <<: [*a, *b]
              x: 0
            """)
        let merged = try #require(node["merged"])
        #expect(merged["x"]?.resolvedScalar == .int(0))
        #expect(merged["y"]?.resolvedScalar == .int(1))
        #expect(merged["z"]?.resolvedScalar == .int(2))
        #expect(merged.mapping?.count == 3)
    }

    @Test("multi-line plain and quoted scalars fold into one line")
    func multiLine() throws {
        let node = try parse("text: first\n  second\nquoted: \"a\n  b\"\n")
        #expect(node["text"]?.scalar?.value == "first second")
        #expect(node["quoted"]?.scalar?.value == "a b")
    }

    @Test("JSON documents parse as YAML")
    func json() throws {
        let node = try parse(#"{"openapi": "3.1.0", "paths": {"/a": {"get": {"responses": {}}}}, "n": [1, 2.0, true, null]}"#)
        #expect(node["openapi"]?.resolvedScalar == .string("3.1.0"))
        #expect(node["n"]?.sequence?.map(\.resolvedScalar) == [.int(1), .double(2), .bool(true), .null])
        #expect(node["paths"]?["/a"]?["get"]?["responses"]?.mapping?.isEmpty == true)
    }
}

@Suite("YAML errors carry file:line:column")
struct YAMLErrorTests {
    @Test("duplicate keys name both places")
    func duplicateKey() {
        let error = parseError("a: 1\nb: 2\na: 3\n")
        #expect(error == .duplicateKey("a", at: SourceLocation(file: "test.yaml", line: 3, column: 1), firstAt: SourceLocation(file: "test.yaml", line: 1, column: 1)))
        #expect(error?.description == "test.yaml:3:1: error: duplicate mapping key 'a' (first defined at 1:1)")
    }

    @Test("duplicate keys in flow mappings")
    func duplicateFlowKey() {
        #expect(parseError("{k: 1, k: 2}")?.location.column == 8)
    }

    @Test("tabs used for indentation")
    func tabs() throws {
        let error = try #require(parseError("a:\n\tb: 1\n"))
        guard case .syntax(let problem, _, let at) = error else {
            Issue.record("expected a syntax error, got \(error)")
            return
        }
        #expect(problem.contains("cannot start any token"))
        #expect(at.line == 2 && at.column == 1)
    }

    @Test("truncated flow collection")
    func truncated() throws {
        let error = try #require(parseError("a: [1, 2\n"))
        #expect(error.location.line == 2)
        #expect(error.description.hasPrefix("test.yaml:2:1: error: did not find expected ',' or ']'"))
    }

    @Test("bad indentation of a mapping")
    func badIndentation() throws {
        let error = try #require(parseError("a:\n  b: 1\n c: 2\n"))
        #expect(error.location == SourceLocation(file: "test.yaml", line: 3, column: 2))
    }

    @Test("undefined alias")
    func undefinedAlias() {
        #expect(parseError("a: *missing\n") == .undefinedAlias("missing", at: SourceLocation(file: "test.yaml", line: 1, column: 4)))
    }

    @Test("alias that refers to its own container")
    func aliasCycle() {
        #expect(parseError("a: &x [1, *x]\n") == .aliasCycle("x", at: SourceLocation(file: "test.yaml", line: 1, column: 11)))
    }

    @Test("alias bomb is refused")
    func aliasBomb() throws {
        var text = "l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
            text += "l\(level): &l\(level) [\(refs)]\n"
        }
        let error = try #require(parseError(text))
        guard case .expansionLimitExceeded(let limit, let at) = error else {
            Issue.record("expected an expansion error, got \(error)")
            return
        }
        #expect(limit == 1_000_000)
        #expect(at.line > 1)
    }

    @Test("empty input")
    func empty() {
        #expect(parseError("") == .emptyDocument(file: "test.yaml"))
        #expect(parseError("# only a comment\n") == .emptyDocument(file: "test.yaml"))
    }

    @Test("several documents")
    func multipleDocuments() {
        #expect(parseError("a: 1\n---\nb: 2\n")?.location.line == 1)
    }

    @Test("invalid merge value")
    func invalidMerge() {
        #expect(parseError("a:\n  <<: 3\n") == .invalidMerge(at: SourceLocation(file: "test.yaml", line: 2, column: 7)))
    }

    @Test("missing file")
    func missingFile() {
        #expect(throws: YAMLError.unreadableFile(path: "/nonexistent/spec.yaml", reason: "no such file")) {
            try YAMLParser().parseFile(atPath: "/nonexistent/spec.yaml")
        }
    }
}
