import Foundation
import OpenAPICodegenRuntime
import Testing

/// Runs code generated from features.yaml: the behaviour that type-checking alone cannot show.
private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

private func encode(_ value: some Encodable) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
}

@Suite("Unions without a discriminator")
struct UnionTests {
    @Test("oneOf of a string and an integer picks the one that matches")
    func scalars() throws {
        #expect(try decode(Scalar.self, #""x""#) == .string("x"))
        #expect(try decode(Scalar.self, "7") == .int(7))
        #expect(try encode(Scalar.int(7)) == 7)
        #expect(throws: DecodingError.self) { try decode(Scalar.self, "true") }
    }

    @Test("oneOf rejects JSON that matches two variants, and accepts JSON that matches one")
    func ambiguity() throws {
        // Label has no required members, so only JSON without `radius` is Label alone.
        #expect(try decode(Shape.self, #"{"label": "only"}"#) == .label(Label(label: "only")))
        #expect {
            try decode(Shape.self, #"{"radius": 2}"#)
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.contains("ambiguous")
        }
    }

    @Test("anyOf takes the first variant that matches")
    func anyOf() throws {
        #expect(try decode(Flexible.self, #"{"radius": 1, "label": "c"}"#) == .circle(Circle(radius: 1, label: "c")))
        #expect(try decode(Flexible.self, #"{"label": "l"}"#) == .label(Label(label: "l")))
    }

    @Test("a union validates the variant it holds")
    func validation() {
        #expect(throws: ValidationError.self) { try Shape.circle(Circle(radius: -1)).validate() }
    }
}

@Suite("Objects")
struct ObjectTests {
    @Test("recursive members round-trip through their box")
    func recursion() throws {
        let tree = Tree(value: 1, parent: Tree(value: 0), children: [Tree(value: 2), Tree(value: 3, parent: Tree(value: 1))])
        #expect(try decode(Tree.self, String(decoding: JSONEncoder().encode(tree), as: UTF8.self)) == tree)
        #expect(tree.parent?.value == 0)
        var changed = tree
        changed.parent = nil
        #expect(changed.parent == nil && tree.parent != nil)
    }

    @Test("defaults fill absent keys, stated values win")
    func defaults() throws {
        let settings = try decode(Settings.self, #"{"name": "a"}"#)
        #expect(settings.retries == 3)
        #expect(settings.mode == .safe)
        #expect(try decode(Settings.self, #"{"name": "a", "retries": 5, "mode": "fast"}"#).retries == 5)
        #expect(Settings(name: "b").mode == .safe)
    }

    @Test("integer enums are open too")
    func integerEnums() throws {
        #expect(try decode(Settings.self, #"{"name": "a", "level": 2}"#).level == ._2)
        let odd = try decode(Settings.self, #"{"name": "a", "level": 9}"#)
        #expect(odd.level == .unknown(9))
        #expect(try encode(odd).objectValue?["level"] == 9)
    }

    @Test("additionalProperties beside named ones are kept, typed and re-encoded")
    func additionalProperties() throws {
        let settings = try decode(Settings.self, #"{"name": "a", "extra": 1, "more": 2}"#)
        #expect(settings.additionalProperties == ["extra": 1, "more": 2])
        #expect(try encode(settings) == ["name": "a", "retries": 3, "mode": "safe", "extra": 1, "more": 2])
        #expect(throws: DecodingError.self) { try decode(Settings.self, #"{"name": "a", "extra": "not an integer"}"#) }
    }

    @Test("date-time arrays and 3.1 nullable types")
    func datesAndNulls() throws {
        let settings = try decode(Settings.self, #"{"name": "a", "seen_at": ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00.5+00:00"], "note": null}"#)
        #expect(settings.seenAt?.map(\.timeIntervalSince1970) == [1_735_689_600, 1_735_689_600.5])
        #expect(settings.note == nil)
        #expect(try encode(settings).objectValue?["seen_at"] == ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00.5Z"])
    }

    @Test("array item constraints are checked at each index")
    func arrayValidation() {
        var settings = Settings(name: "a", tags: ["abcd", "x", "x"])
        #expect {
            try settings.validate()
        } throws: { error in
            (error as? ValidationError)?.violations.map(\.jsonPath) == ["$.tags", "$.tags", "$.tags[0]"]
        }
        settings.tags = ["ab"]
        #expect(throws: Never.self) { try settings.validate() }
    }
}

/// Generated `writeJSON(to:)` must say exactly what `encode(to:)` says.
@Suite("Direct JSON writers")
struct JSONWriterTests {
    static func sameJSON(_ value: some Encodable & JSONWritable) throws {
        let direct = try JSONDecoder().decode(JSONValue.self, from: StreamingJSONEncoder().encode(value))
        let viaEncoder = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(direct == viaEncoder)
    }

    @Test("structs with defaults, enums, dates, nulls, arrays and additionalProperties")
    func settings() throws {
        let settings = try decode(Settings.self, #"{"name": "a\"b", "level": 9, "tags": ["x"], "seen_at": ["2025-01-01T00:00:00.5Z"], "note": "n", "legacy": "l", "extra": 4}"#)
        try Self.sameJSON(settings)
        try Self.sameJSON(Settings(name: "plain"))
    }

    @Test("recursive structs and every kind of union")
    func unionsAndRecursion() throws {
        try Self.sameJSON(Tree(value: 1, parent: Tree(value: 0), children: [Tree(value: 2)]))
        try Self.sameJSON(Shape.circle(Circle(radius: 1.5, label: "c")))
        try Self.sameJSON(Scalar.string("s"))
        try Self.sameJSON(Scalar.int(3))
    }
}
