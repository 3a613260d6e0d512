import Foundation
import Testing
@testable import OpenAPICodegenRuntime

private enum Color: OpenEnum {
    case red
    case unknown(String)
    init(rawValue: String) { self = rawValue == "red" ? .red : .unknown(rawValue) }
    var rawValue: String { if case .unknown(let raw) = self { raw } else { "red" } }
    var isKnown: Bool { if case .unknown = self { false } else { true } }
}

private struct Leaf: Validatable {
    var name: String
    func collectViolations(into validator: inout Validator) {
        validator.checkLength(name, min: 1, max: nil, at: "name")
    }
}

@Suite("Validation")
struct ValidatorTests {
    @Test("lengths count Unicode code points, not bytes or graphemes")
    func lengths() {
        var validator = Validator()
        validator.checkLength("ééé", min: nil, max: 3, at: "a")
        validator.checkLength("👍🏽", min: 2, max: 2, at: "b")
        #expect(validator.violations.isEmpty)
        validator.checkLength("abcd", min: nil, max: 3, at: "c")
        validator.checkLength("", min: 1, max: nil, at: "d")
        #expect(validator.violations.map(\.description) == [
            "$.c: must be at most 3 characters long, got 4", "$.d: must be at least 1 characters long, got 0",
        ])
    }

    @Test("patterns, ranges, counts and uniqueness")
    func constraints() {
        var validator = Validator()
        validator.checkPattern("task_1", pattern: "^[a-zA-Z0-9_]+$", at: "ok")
        validator.checkPattern("bad key!", pattern: "^[a-zA-Z0-9_]+$", at: "key")
        validator.checkRange(0, minimum: 1, maximum: 10, at: "low")
        validator.checkRange(10.0, minimum: 0, maximum: 10, exclusiveMaximum: true, at: "high")
        validator.checkRange(5, minimum: 1, maximum: 10, at: "fine")
        validator.checkCount(0, min: 1, max: nil, at: "items")
        validator.checkUnique([1, 2, 1], at: "ids")
        #expect(validator.violations.map(\.jsonPath) == ["$.key", "$.low", "$.high", "$.items", "$.ids"])
        #expect(validator.violations[2].message == "must be less than 10.0, got 10.0")
    }

    @Test("nested violations are prefixed with their path, and every one is collected")
    func nestedPaths() {
        var validator = Validator()
        validator.validate(Leaf(name: ""), at: "leaf")
        validator.validateEach([Leaf(name: "x"), Leaf(name: "")], at: "leaves")
        validator.validateEach(["b": Leaf(name: ""), "a": Leaf(name: "")], at: "byName")
        #expect(validator.violations.map(\.jsonPath) == ["$.leaf.name", "$.leaves[1].name", "$.byName.a.name", "$.byName.b.name"])
    }

    @Test("unknown enum values decode but fail validation")
    func openEnums() throws {
        let color = try JSONDecoder().decode(Color.self, from: Data(#""purple""#.utf8))
        #expect(color == .unknown("purple"))
        #expect(throws: ValidationError(typeName: "Color", violations: [Violation(path: [], message: "'purple' is not one of the allowed values")])) {
            try color.validate()
        }
        #expect(throws: Never.self) { try Color.red.validate() }
        #expect(String(decoding: try JSONEncoder().encode(color), as: UTF8.self) == #""purple""#)
    }

    @Test("an invalid pattern is reported, not a crash")
    func invalidPattern() {
        var validator = Validator()
        validator.checkPattern("x", pattern: "([", at: "p")
        #expect(validator.violations.first?.message.contains("not a valid regular expression") == true)
    }
}
