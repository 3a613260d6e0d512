import Foundation
import OpenAPICodegenRuntime
import Synchronization
import TestSupport
import Testing

/// Runs code generated from features.yaml: the behaviour that type-checking alone cannot show.
/// Every document is decoded both through `JSONDecoder` and through the generated reader,
/// which must agree (see `decodeBothWays`).
private func decode<T: Decodable & JSONReadable & Equatable>(_ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    try decodeBothWays(T.self, from: Data(json.utf8), sourceLocation: sourceLocation)
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

    @Test("anyOf keeps every variant that matches, and encodes them back into one object")
    func anyOf() throws {
        let both = try decode(Flexible.self, #"{"radius": 1, "label": "c"}"#)
        #expect(both.circle == Circle(radius: 1, label: "c"))
        #expect(both.label == Label(label: "c"))
        let onlyLabel = try decode(Flexible.self, #"{"label": "l"}"#)
        #expect(onlyLabel.circle == nil && onlyLabel.label == Label(label: "l"))
        #expect(try encode(both) == ["radius": 1, "label": "c"])
        #expect(throws: DecodingError.self) { try decode(Flexible.self, #"{"label": 5}"#) }
    }

    @Test("anyOf of inline objects loses no member of either variant on a round trip")
    func anyOfInline() throws {
        let value = try decode(InlineAnyOf.self, #"{"a": "x", "b": 2, "c": true}"#)
        #expect(value.variant1?.a == "x")
        #expect(value.variant2?.b == 2)
        #expect(try encode(value) == ["a": "x", "b": 2])
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(InlineAnyOf()) }
    }

    @Test("a oneOf variant written inline is a nested type that decodes and encodes")
    func inlineVariant() throws {
        let inline = try decode(InlineVariants.self, #"{"kind": "inline", "size": 3}"#)
        #expect(inline == .variant1(InlineVariants.Variant1(kind: .inline, size: 3)))
        #expect(try encode(inline) == ["kind": "inline", "size": 3])
        #expect(try decode(InlineVariants.self, #"{"radius": 2}"#) == .circle(Circle(radius: 2)))
    }

    @Test("a union validates the variant it holds")
    func validation() {
        #expect(throws: ValidationError.self) { try Shape.circle(Circle(radius: -1)).validate() }
    }
}

@Suite("Objects")
struct ObjectTests {
    @Test("the written == compares every stored member (plain, deprecated, additional and boxed): changing any one alone makes values differ")
    func equality() throws {
        let members: [String: String] = [
            "name": #""a""#, "retries": "5", "mode": #""fast""#, "level": "2", "tags": #"["x"]"#,
            "seen_at": #"["2025-01-01T00:00:00Z"]"#, "note": #""n""#, "legacy": #""l""#, "extra": "4",
        ]
        let changed: [String: String] = [
            "name": #""b""#, "retries": "6", "mode": #""safe""#, "level": "3", "tags": #"["y"]"#,
            "seen_at": #"["2025-01-02T00:00:00Z"]"#, "note": "null", "legacy": #""m""#, "extra": "5",
        ]
        func settings(_ members: [String: String]) throws -> Settings {
            try decode(Settings.self, "{" + members.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}")
        }
        let base = try settings(members)
        // Every member the type writes is one this test changes.
        guard case .object(let written) = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(base)) else {
            Issue.record("Settings did not encode as an object")
            return
        }
        #expect(Set(written.keys) == Set(changed.keys))
        #expect(try settings(members) == base)
        #expect(try settings(members).hashValue == base.hashValue)
        for (name, value) in changed {
            var altered = members
            altered[name] = value
            #expect(try settings(altered) != base, "\(name) changed, yet == holds")
        }
        #expect(Tree(value: 1, parent: Tree(value: 0)) == Tree(value: 1, parent: Tree(value: 0)))
        #expect(Tree(value: 1, parent: Tree(value: 0)) != Tree(value: 1, parent: Tree(value: 2)))
        #expect(Tree(value: 1, children: [Tree(value: 2)]) != Tree(value: 1, children: [Tree(value: 3)]))
    }

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
        // anyOf writes through its encoder; the direct writer must not call itself.
        try Self.sameJSON(try decode(Flexible.self, #"{"radius": 1, "label": "x"}"#))
    }
}

/// Generated `init(jsonReader:)` must read exactly what `init(from:)` reads, and fail where
/// and as it fails, on valid JSON, on Foundation's leniencies and on broken input.
@Suite("Direct JSON readers")
struct JSONReaderTests {
    /// Documents for `Settings` (name required, defaults, an integer enum, a date list, a
    /// nullable and a deprecated member, integer additional members).
    static let settingsDocuments = [
        #"{"name": "a\"b\u00e9\ud83d\ude00\n", "retries": 1, "mode": "fast", "level": 2, "tags": ["x", "y"], "seen_at": ["2025-01-01T00:00:00.5Z"], "note": null, "legacy": "l", "extra": 4}"#,
        #"{"name": "plain"}"#, #" {"name":"spaces"} "#, #"{"name": "dup", "name": "second"}"#, #"{"name": "t", "tags": ["a",],}"#,
        #"{"name": "n", "retries": 1.0}"#, #"{"name": "n", "retries": 1e2}"#, #"{"name": "n", "retries": -0}"#, #"{"name": "n", "retries": 1.5}"#,
        #"{"name": "n", "retries": 99999999999999999999}"#, #"{"name": "n", "retries": 01}"#, #"{"name": "n", "retries": "1"}"#,
        #"{"name": "n", "retries": null}"#, #"{"name": "n", "retries": true}"#, #"{"name": "n", "level": 7}"#, #"{"name": "n", "mode": 1}"#,
        #"{"name": null}"#, #"{}"#, #"{"retries": 1}"#, #"[]"#, #"null"#, #""text""#, #""#, #"{"name": "x"} trailing"#, #"{"name": "x""#,
        #"{"name": "\ud800"}"#, #"{"name": "\x"}"#, "{\"name\": \"\u{01}\"}", #"{"name": "n", "seen_at": ["yesterday"]}"#,
        #"{"name": "n", "seen_at": [null]}"#, #"{"name": "n", "seen_at": "2025-01-01T00:00:00Z"}"#, #"{"name": "n", "extra": "four"}"#,
        #"{"name": "n", "extra": null}"#, #"{"name": "n", "tags": [1]}"#, #"{"name": "n", "note": 3}"#, #"{"name": "n", "bad": [1 2]}"#,
        #"{"name": 1, "bad": [1 2]}"#, #"{"name": "n", "retries": 1e400}"#, #"{"name": "n", "retries": -}"#, #"{"name": "n",, "x": 1}"#,
        #"{"na\u006de": "escaped key"}"#, #"{"name": "a long string, then \"a quoted part\" and \\ a backslash ü"}"#,
        "{\"name\": \"sixteen bytes ok, then a raw control character \u{1F} here\"}", "{\"name\": \"ends before its closing quote", #"{"name": "n", "nested": {"deep": [[[[{"a": [true, false, null]}]]]]}}"#,
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        #"{"name": "n", "deep": "# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}",
    ]

    @Test("every Settings document reads the same both ways: values, Foundation's leniencies, and each error's case, path and description")
    func settings() {
        for document in Self.settingsDocuments {
            _ = try? decode(Settings.self, document)
            _ = try? decode([Settings].self, "[" + document + "]")
        }
    }

    @Test("keys of an object that is read are checked as JSONDecoder checks them; values and objects skipped are not")
    func skippedAndChecked() throws {
        // Page has no additional members: members it does not name are skipped.
        for document in [#"{"number": 1, "\x": 1}"#, #"{"number": 1, "\ud800": 1}"#, #"{"number": 1, "b": "\x"}"#, #"{"number": 1, "b": {"\x": 1}}"#,
                         "{\"number\": 1, \"b\": \"raw \u{01} control\"}", "{\"number\": 1, \"raw \u{01} key\": 1}",
                         #"{"number": 1, "b": "\uzzzz"}"#, #"{"number": 1, "b": "\u0"}"#, #"{"number": 1, "b": "\u0""}"#, #"{"number": 1, "b": "x\u"}"#,
                         #"{"number": 1, "b": "\ud1e"0"}"#, #"{"number": 1, "b": "\u\\ab"}"#, #"{"number": 1, "b": "\uab\\"}"#, #"{"number": 1, "b": "\uab\"x"}"#,
                         #"{"number": 1, "b": 1-400}"#, #"{"number": 1-400}"#, #"{"number": 1, "b": [-, 01, 1.e5]}"#] {
            _ = try? decode(Page.self, document)
        }
        // Bytes that are not UTF-8: in a key read, a value read, a value skipped, a key skipped.
        for (template, offset) in [(#"{"number": 1, "k": 1}"#, 15), (#"{"name": "n"}"#, 10), (#"{"number": 1, "b": "x"}"#, 20), (#"{"number": 1, "b": {"k": 1}}"#, 21)] {
            var bytes = Array(template.utf8)
            bytes[offset] = 0xFF
            if template.contains("name") {
                _ = try? decodeBothWays(Settings.self, from: Data(bytes))
            } else {
                _ = try? decodeBothWays(Page.self, from: Data(bytes))
            }
        }
    }

    @Test("documents JSONDecoder reads as UTF-16 or UTF-32, or after a byte-order mark, read the same both ways")
    func otherEncodings() {
        let text = #"{"name": "é😀", "retries": 2}"#
        var documents: [[UInt8]] = [
            [0xEF, 0xBB, 0xBF] + Array(text.utf8), [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] },
            [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] },
            text.unicodeScalars.flatMap { scalar in (0..<4).map { UInt8(truncatingIfNeeded: scalar.value >> (8 * $0)) } },
            text.unicodeScalars.flatMap { scalar in (0..<4).reversed().map { UInt8(truncatingIfNeeded: scalar.value >> (8 * $0)) } },
            // Found by the differential fuzzer: a number in UTF-16, and UTF-32 cut short.
            [0x00, 0x36], [0x36, 0x00], [0x2D, 0x00, 0x00, 0x00, 0x7B], [0x00], [0x22, 0x61, 0x22, 0x00], [0x5B, 0x31, 0x5D, 0x00, 0x00],
        ]
        documents.append([0xEF, 0xBB])
        for document in documents {
            _ = try? decodeBothWays(Settings.self, from: Data(document))
            _ = try? decodeBothWays(JSONValue.self, from: Data(document))
            _ = try? decodeBothWays(Int.self, from: Data(document))
        }
    }

    @Test("recursion, unions with and without variants in common, mixed enums, closed and open objects, dates in maps and arrays, free-form JSON")
    func everyKind() {
        let documents: [(any (Decodable & JSONReadable & Equatable).Type, String)] = [
            (Tree.self, #"{"value": 1, "parent": {"value": 0}, "children": [{"value": 2, "children": []}]}"#),
            (Tree.self, #"{"value": 1, "children": [{"value": "two"}]}"#), (Tree.self, #"{"value": 1, "parent": null}"#),
            (Tree.self, #"{"value": 1, "children": [{}]}"#),
            (Shape.self, #"{"radius": 1.5, "label": "c"}"#), (Shape.self, #"{"label": "only"}"#), (Shape.self, #"{"radius": 2}"#), (Shape.self, "3"),
            (Flexible.self, #"{"radius": 1, "label": "c"}"#), (Flexible.self, "[]"), (Scalar.self, #""x""#), (Scalar.self, "7"), (Scalar.self, "true"),
            (InlineVariants.self, #"{"kind": "inline", "size": 2}"#), (InlineAnyOf.self, #"{"a": "x", "b": 2}"#),
            (Mixed.self, "1"), (Mixed.self, #""two""#), (Mixed.self, "true"), (Mixed.self, #""1""#), (Mixed.self, "1.0"), (Mixed.self, "null"),
            (Closed.self, #"{"name": "x"}"#), (Closed.self, #"{"name": "x", "extra": 1}"#), (Closed.self, #"{"name": 1}"#),
            (Limited.self, #"{"ok": "abc", "labels": {"a": "b"}}"#), (Limited.self, #"{"labels": {"a": 1}}"#), (Limited.self, #"{"labels": []}"#),
            (Point.self, #"{"x": 1, "y": 2}"#), (Point.self, #"{"x": 1}"#), (Point.self, #"{"x": 1, "y": 2147483648000}"#), (Page.self, "{}"),
            (Timeline.self, #"{"by_name": {"a": "2025-01-01T00:00:00Z"}, "grid": [["2025-01-01T00:00:00Z"]], "stamps": ["2025-06-01T12:30:00.123456+02:00"], "when": 5, "other": "2025-01-01T00:00:00Z"}"#),
            (Timeline.self, #"{"by_name": {"a": "noon"}}"#), (Timeline.self, #"{"grid": [["2025-01-01T00:00:00Z", 3]]}"#), (Timeline.self, #"{"other": 1}"#), (Timeline.self, #"{"stamps": ["2025-13-01T00:00:00Z"]}"#),
            (Account.self, #"{"id": "a-1", "name": "ann"}"#), (Account.self, #"{"name": "ann"}"#),
            (JSONValue.self, #"{"a": [1, 1.0, 1.5, -2e3, "s", true, null, {}], "b": {"c": 1e400}}"#), (JSONValue.self, "123456789012345678901234567890"),
            (JSONValue.self, "\"raw \u{05} control\""), (JSONValue.self, #""\ud843\ud1e"0""#), (JSONValue.self, #""\u12\n""#), (JSONValue.self, #""\u\"abc""#), (JSONValue.self, #"{"a": ["ok", "\x"]}"#), (JSONValue.self, #""\ud800""#),
            ([String: Int].self, #"{"a": 1, "a": "dup"}"#), ([Int].self, "[1e-400, -0.5e-1111]"),
            ([Int].self, "[9007199254740993.5, 1.5e17, 123456789012345678.9e1, -9.2e18, 4503599627370497.5, 1.0000000000000001]"),
            ([Int].self, "[2222222222262222222.2]"), ([Int].self, "[9.3e18]"), ([Int32].self, "[9007199254740993.0]"), (JSONValue.self, "2222222222262222222.2"), ([Double].self, "[1e-400]"), (JSONValue.self, "1e-1111"), ([String: Int].self, #"{"a": 1, "b": "x"}"#), ([Int?].self, "[1, null]"), ([Float].self, "[1e39]"),
        ]
        for (type, document) in documents {
            func check<T: Decodable & JSONReadable & Equatable>(_ type: T.Type) { _ = try? decode(T.self, document) }
            check(type)
        }
    }
}

@Suite("Enums and member rules")
struct EnumAndMemberTests {
    @Test("an enum of mixed kinds decodes each listed value as written, and keeps others")
    func mixedEnum() throws {
        #expect(try decode(Mixed.self, "1") == ._1)
        #expect(try decode(Mixed.self, #""two""#) == .two)
        #expect(try decode(Mixed.self, "true") == .true)
        #expect(try decode(Mixed.self, #""1""#) == .unknown("1"), "the string \"1\" is not the number 1")
        #expect(try encode(Mixed._1) == 1)
        #expect(try encode(Mixed.two) == "two")
        #expect(throws: ValidationError.self) { try Mixed.unknown(3).validate() }
    }

    @Test("additionalProperties constraints are checked for every extra member")
    func additionalConstraints() throws {
        let limited = try decode(Limited.self, #"{"ok": "abc", "long": "abcdef", "labels": {"a": "b", "big": "abcdef"}}"#)
        #expect(limited.labels == ["a": "b", "big": "abcdef"])
        #expect {
            try limited.validate()
        } throws: { error in
            (error as? ValidationError)?.violations.map(\.jsonPath) == ["$.labels.big", "$.long"]
        }
        #expect(throws: Never.self) { try decode(Limited.self, #"{"ok": "abc"}"#).validate() }
    }

    @Test("additionalProperties: false refuses a member the schema does not name, by name")
    func closedObject() throws {
        #expect(try decode(Closed.self, #"{"name": "x"}"#) == Closed(name: "x"))
        #expect {
            try decode(Closed.self, #"{"name": "x", "extra": 1}"#)
        } throws: { error in
            "\(error)".contains("member 'extra' is not allowed")
        }
    }
}

@Suite("readOnly and writeOnly")
struct DirectionTests {
    @Test("a request leaves readOnly members out; a response may leave writeOnly members out; validate() asks for required writeOnly ones")
    func directions() throws {
        let request = Account(name: "ann", password: "secret")
        #expect(try encode(request) == ["name": "ann", "password": "secret"], "the server's id is not sent")
        let response = try decode(Account.self, #"{"id": "a-1", "name": "ann"}"#)
        #expect(response.id == "a-1" && response.password == nil)
        #expect(throws: Never.self) { try request.validate() }
        #expect {
            try Account(name: "ann").validate()
        } throws: { error in
            (error as? ValidationError)?.violations.map(\.description) == ["$.password: is required in requests"]
        }
    }
}

@Suite("date-time wherever it sits")
struct DateTimeTests {
    static let first = Date(timeIntervalSince1970: 1_735_689_600)
    static let second = Date(timeIntervalSince1970: 1_735_689_600.5)

    @Test("in maps, arrays of arrays, aliases, unions and extra members, dates are RFC 3339 both ways")
    func everywhere() throws {
        let json = #"{"by_name": {"a": "2025-01-01T00:00:00Z"}, "grid": [["2025-01-01T00:00:00Z"], ["2025-01-01T00:00:00.5Z"]], "stamps": ["2025-01-01T00:00:00.5Z"], "when": "2025-01-01T00:00:00Z", "extra": "2025-01-01T00:00:00+01:00"}"#
        let timeline = try decode(Timeline.self, json)
        #expect(timeline.byName == ["a": Self.first])
        #expect(timeline.grid == [[Self.first], [Self.second]])
        #expect(timeline.stamps == [Self.second])
        #expect(timeline.when == .date(Self.first))
        #expect(timeline.additionalProperties == ["extra": Self.first.addingTimeInterval(-3600)])
        // Foundation's default date strategy would write seconds since 2001; these must be text.
        #expect(try encode(timeline) == [
            "by_name": ["a": "2025-01-01T00:00:00Z"], "grid": [["2025-01-01T00:00:00Z"], ["2025-01-01T00:00:00.5Z"]],
            "stamps": ["2025-01-01T00:00:00.5Z"], "when": "2025-01-01T00:00:00Z", "extra": "2024-12-31T23:00:00Z",
        ])
        #expect(try decode(Timeline.self, #"{"when": 7}"#).when == .int(7))
        #expect(throws: DecodingError.self) { try decode(Timeline.self, #"{"grid": [["yesterday"]]}"#) }
    }

    @Test("direct JSON writers write the same dates")
    func writers() throws {
        let timeline = Timeline(byName: ["a": Self.first], grid: [[Self.second]], stamps: [Self.first], when: .date(Self.second))
        try JSONWriterTests.sameJSON(timeline)
    }
}

/// The client's requests compared with the exact bytes expected on the wire, and its
/// responses read back, through a transport that records what it is given.
@Suite("Client requests on the wire")
struct WireTests {
    final class Recorder: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        let response: HTTPResponse

        init(_ response: HTTPResponse) { self.response = response }

        var client: Client {
            Client(serverURL: URL(string: "http://localhost")!, transport: InMemoryTransport { request, _ in
                self.requests.withLock { $0.append(request) }
                return self.response
            })
        }

        var last: HTTPRequest? { requests.withLock { $0.last } }
    }

    @Test("an array path parameter is comma-separated; 2XX and default without a body are cases with the status")
    func arrayPathAndBodilessRanges() async throws {
        let noContent = Recorder(HTTPResponse(statusCode: 204))
        #expect(try await noContent.client.getItems(ids: [1, 2, 30]) == .success(statusCode: 204, body: nil))
        #expect(noContent.last?.path == "/items/1,2,30")
        let failure = Recorder(HTTPResponse(statusCode: 503, body: Data("down".utf8)))
        #expect(try await failure.client.getItems(ids: [7]) == .default(statusCode: 503, body: Data("down".utf8)))
    }

    @Test("object, delimited, header and cookie parameters are spelled as their styles say")
    func parameterStyles() async throws {
        let recorder = Recorder(HTTPResponse(statusCode: 204))
        let output = try await recorder.client.search(
            point: Point(x: 1, y: 2), filter: .init(kind: "a b", limit: 5), page: Page(number: 3, size: 10),
            box: Point(x: 4, y: 5), words: ["red", "blue"], codes: [1, 2], since: DateTimeTests.first, mode: .two,
            xTrace: ["t1", "t2"], xOrigin: Point(x: 8, y: 9), session: "s=1", prefs: ["a", "b"])
        #expect(output == .noContent)
        let request = try #require(recorder.last)
        #expect(request.path == "/search/;point=x,1,y,2"
            + "?filter%5Bkind%5D=a%20b&filter%5Blimit%5D=5&number=3&size=10&box=x,4,y,5&words=red%20blue&codes=1%7C2"
            + "&since=2025-01-01T00%3A00%3A00Z&mode=two")
        #expect(request.headers["X-Trace"] == "t1,t2")
        #expect(request.headers["X-Origin"] == "x=8,y=9")
        #expect(request.headers["Cookie"] == "session=s%3D1; prefs=a,b")
    }

    @Test("a whole date-time body is sent and read as RFC 3339 text")
    func dateBodies() async throws {
        let recorder = Recorder(HTTPResponse(
            statusCode: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"server": "2025-01-01T00:00:00.5Z"}"#.utf8)))
        let output = try await recorder.client.stamp(body: DateTimeTests.first)
        #expect(recorder.last?.body.map { String(decoding: $0, as: UTF8.self) } == #""2025-01-01T00:00:00Z""#)
        #expect(recorder.last?.headers["Content-Type"] == "application/json")
        #expect(output == .ok(["server": DateTimeTests.second]))
    }

    @Test("multipart/form-data: one part per member, a boundary in Content-Type that delimits every part")
    func multipart() async throws {
        let recorder = Recorder(HTTPResponse(statusCode: 204))
        let body = Operations.Upload.Body(title: "Q3 report", count: 2, tags: ["a", "b"], file: Data([0, 1, 2]), meta: Point(x: 1, y: 2))
        #expect(try await recorder.client.upload(body: body) == .noContent)
        let request = try #require(recorder.last)
        let contentType = try #require(request.headers["Content-Type"])
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let boundary = String(contentType.dropFirst("multipart/form-data; boundary=".count))
        #expect(!boundary.isEmpty)
        func part(_ name: String, _ type: String, _ content: String, filename: String? = nil) -> String {
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"" + (filename.map { "; filename=\"\($0)\"" } ?? "")
                + "\r\nContent-Type: \(type)\r\n\r\n\(content)\r\n"
        }
        let text = "text/plain; charset=utf-8"
        let expected = part("title", text, "Q3 report") + part("count", text, "2") + part("tags", text, "a") + part("tags", text, "b")
            + part("file", "application/octet-stream", "\u{0}\u{1}\u{2}", filename: "file") + part("meta", "application/json", #"{"x":1,"y":2}"#)
            + "--\(boundary)--\r\n"
        #expect(request.body == Data(expected.utf8))
    }

    @Test("form-urlencoded, octet-stream and text bodies")
    func formAndText() async throws {
        let recorder = Recorder(HTTPResponse(statusCode: 204))
        #expect(try await recorder.client.login(body: .init(user: "ann lee", scopes: ["read", "write"])) == .noContent)
        #expect(recorder.last?.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(recorder.last?.body == Data("scopes=read&scopes=write&user=ann+lee".utf8))
        #expect(try await recorder.client.login() == .noContent)
        #expect(recorder.last?.body == nil, "an optional body left out sends nothing")

        let bytes = Recorder(HTTPResponse(statusCode: 200, body: Data([0xFF, 0x00])))
        #expect(try await bytes.client.putBlob(body: Data([1, 2, 3])) == .ok(Data([0xFF, 0x00])))
        #expect(bytes.last?.body == Data([1, 2, 3]))
        #expect(bytes.last?.headers["Content-Type"] == "application/octet-stream")

        let echo = Recorder(HTTPResponse(statusCode: 200, headers: ["Content-Type": "text/plain"], body: Data("stored: hi".utf8)))
        #expect(try await echo.client.putNote(body: "hi ✓") == .ok("stored: hi"))
        #expect(echo.last?.body == Data("hi ✓".utf8))
        #expect(echo.last?.headers["Content-Type"] == "text/plain")
    }

    @Test("servers are typed URLs, the first one the client's default; a value outside the listed ones is an error")
    func servers() throws {
        #expect(try Servers.production() == URL(string: "https://eu.api.example.com/v1"))
        #expect(try Servers.production(region: "us", version: "v2") == URL(string: "https://us.api.example.com/v2"))
        #expect(try Servers.localDevelopment() == URL(string: "http://localhost:8080"))
        #expect(throws: ServerURLError.notAllowed(variable: "region", value: "mars", allowed: ["eu", "us"])) { try Servers.production(region: "mars") }
        let client = try Client(transport: InMemoryTransport { _, _ in HTTPResponse(statusCode: 204) })
        #expect(client.core.serverURL == URL(string: "https://eu.api.example.com/v1"))
    }

    @Test("each operation gets the credentials of its own security requirement, and only those")
    func security() async throws {
        let recorder = Recorder(HTTPResponse(statusCode: 204))
        let client = Client(
            serverURL: URL(string: "http://localhost")!,
            transport: InMemoryTransport { request, _ in
                recorder.requests.withLock { $0.append(request) }
                return recorder.response
            },
            middlewares: [
                SecuritySchemes.bearer(StaticTokenProvider(token: "tok")),
                SecuritySchemes.basic(username: "ann", password: "pw"),
                SecuritySchemes.key(StaticTokenProvider(token: "k1")),
                SecuritySchemes.queryKey(StaticTokenProvider(token: "q 1")),
                SecuritySchemes.cookieKey(StaticTokenProvider(token: "c1")),
            ])
        _ = try await client.getItems(ids: [1])
        #expect(recorder.last?.headers["Authorization"] == "Bearer tok", "the document's security applies")
        #expect(recorder.last?.headers["X-API-Key"] == nil)

        _ = try await client.getSecure()
        #expect(recorder.last?.headers["X-API-Key"] == "k1", "the first alternative the client can satisfy")
        #expect(recorder.last?.headers["Authorization"] == nil, "no credential of another alternative")

        _ = try await client.getPublic(other: "x")
        #expect(recorder.last?.headers.fields.isEmpty == true, "security: [] sends nothing")
        #expect(recorder.last?.path == "/public?other=x")

        _ = try await client.getKeyed()
        #expect(recorder.last?.path == "/keyed?api_key=q%201")
        #expect(recorder.last?.headers["Cookie"] == "sid=c1")
        #expect(recorder.last?.headers["Authorization"] == nil)

        let basicOnly = Client(
            serverURL: URL(string: "http://localhost")!, transport: recorder.client.core.transport,
            middlewares: [SecuritySchemes.basic(username: "ann", password: "pw")])
        _ = try await basicOnly.getSecure()
        #expect(recorder.last?.headers["Authorization"] == "Basic YW5uOnB3", "the second alternative when only it can be satisfied")
    }

    @Test("response headers are typed members of their case; a required one missing is a decoding error")
    func responseHeaders() async throws {
        let ok = Recorder(HTTPResponse(
            statusCode: 200,
            headers: ["Content-Type": "application/json", "X-Rate-Limit": "10", "X-Tags": "a, b", "X-Expires": "2025-01-01T01:00:00+01:00"],
            body: Data(#"{"x": 1, "y": 2}"#.utf8)))
        #expect(try await ok.client.getSecure() == .ok(
            Point(x: 1, y: 2), headers: .init(xRateLimit: 10, xTags: ["a", "b"], xExpires: DateTimeTests.first)))
        let refused = Recorder(HTTPResponse(statusCode: 429, headers: ["Retry-After": "30"]))
        #expect(try await refused.client.getSecure() == .clientError(statusCode: 429, body: nil, headers: .init(retryAfter: 30)))
        let missing = Recorder(HTTPResponse(statusCode: 200, headers: ["Content-Type": "application/json"], body: Data(#"{"x": 1, "y": 2}"#.utf8)))
        await #expect {
            try await missing.client.getSecure()
        } throws: { error in
            "\(error)".contains("the required header 'X-Rate-Limit' is missing")
        }
        let wrong = Recorder(HTTPResponse(statusCode: 200, headers: ["X-Rate-Limit": "ten"], body: Data(#"{"x": 1, "y": 2}"#.utf8)))
        await #expect {
            try await wrong.client.getSecure()
        } throws: { error in
            "\(error)".contains("header 'X-Rate-Limit': 'ten' is not a valid Int")
        }
    }

    /// A transport whose response body the test feeds chunk by chunk.
    static func streamingClient() -> (Client, AsyncThrowingStream<Data, any Error>.Continuation, Recorder) {
        let (chunks, feed) = AsyncThrowingStream<Data, any Error>.makeStream()
        let recorder = Recorder(HTTPResponse(statusCode: 200, headers: ["Content-Type": "text/event-stream"], bodyStream: HTTPBodyStream(chunks)))
        return (recorder.client, feed, recorder)
    }

    @Test("text/event-stream: each event is decoded as it arrives, before the stream ends")
    func serverSentEvents() async throws {
        let (client, feed, recorder) = Self.streamingClient()
        guard case .ok(let events) = try await client.watchPoints() else {
            Issue.record("expected the event stream")
            return
        }
        #expect(recorder.last?.streamsResponse == true)
        var iterator = events.makeAsyncIterator()
        feed.yield(Data("event: moved\nid: 7\ndata: {\"x\": 1,".utf8))
        feed.yield(Data(" \"y\": 2}\n\ndata: {\"x\": 3, \"y\"".utf8))
        let first = try await iterator.next()
        #expect(first == ServerSentEvent(event: "moved", id: "7", retry: nil, data: Point(x: 1, y: 2)))
        feed.yield(Data(": 4}\r\n\r\n".utf8))
        #expect(try await iterator.next()?.data == Point(x: 3, y: 4), "the second event needed the third chunk")
        feed.yield(Data("data: {\"x\": true}\n\n".utf8))
        await #expect {
            _ = try await iterator.next()
        } throws: { error in
            if case ClientError.decoding("watchPoints", 200, _) = error { true } else { false }
        }
    }

    @Test("a status whose body is not a stream is read whole and decoded as documented")
    func nonStreamedStatus() async throws {
        let recorder = Recorder(HTTPResponse(
            statusCode: 400, headers: ["Content-Type": "application/json"],
            bodyStream: HTTPBodyStream([Data(#"{"number""#.utf8), Data(#": 2}"#.utf8)])))
        #expect(try await recorder.client.watchPoints() == .badRequest(Page(number: 2)))
    }

    @Test("text events and JSON Lines, from a transport that reads bodies whole")
    func textEventsAndLines() async throws {
        let ticks = Recorder(HTTPResponse(statusCode: 200, body: Data("data: one\n\ndata: two\ndata: lines\n\ndata: cut off".utf8)))
        guard case .ok(let events) = try await ticks.client.ticks() else {
            Issue.record("expected events")
            return
        }
        var texts: [String] = []
        for try await event in events { texts.append(event.data) }
        #expect(texts == ["one", "two\nlines"], "an event the stream ends in the middle of is not delivered")

        let lines = Recorder(HTTPResponse(statusCode: 200, body: Data("{\"x\": 1, \"y\": 2}\n\n{\"x\": 3, \"y\": 4}".utf8)))
        guard case .ok(let points) = try await lines.client.exportPoints() else {
            Issue.record("expected lines")
            return
        }
        var read: [Point] = []
        for try await point in points { read.append(point) }
        #expect(read == [Point(x: 1, y: 2), Point(x: 3, y: 4)])
    }
}
