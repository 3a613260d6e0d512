import Foundation
import Testing
@testable import OpenAPICodegenRuntime

private struct Inner: Codable, Equatable {
    var name: String
    var tags: [String]
    var scores: [String: Double]
}

private struct Outer: Codable, Equatable {
    var id: UUID
    var text: String
    var count: Int
    var big: Int64
    var small: Int32
    var ratio: Float
    var flag: Bool
    var missing: String?
    var nested: Inner
    var list: [Inner]
    var json: JSONValue
    var empty: Empty
    var matrix: [[Int]]

    struct Empty: Codable, Equatable {}
}

/// Writes a union's payload and then adds a member beside it, as generated unions do.
private struct PayloadWithTag: Encodable {
    var inner: Inner
    func encode(to encoder: any Encoder) throws {
        try inner.encode(to: encoder)
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        try container.encode("tagged", forKey: DynamicCodingKey("kind"))
    }
}

@Suite("Streaming JSON encoder")
struct StreamingJSONEncoderTests {
    fileprivate static let sample = Outer(
        id: UUID(), text: "quote \" backslash \\ newline \n tab \t bell \u{07} é 👍", count: -42, big: .max, small: .min,
        ratio: 0.5, flag: true, missing: nil,
        nested: Inner(name: "n", tags: ["a", ""], scores: ["x": 1.25]),
        list: [Inner(name: "1", tags: [], scores: [:]), Inner(name: "2", tags: ["z"], scores: ["k": -3])],
        json: ["a": [1, 2.5, nil, true, "s", ["deep": [:]]]], empty: .init(), matrix: [[1, 2], [], [3]])

    @Test("decodes to the same value as JSONEncoder's output")
    func equivalence() throws {
        let streamed = try StreamingJSONEncoder().encode(Self.sample)
        #expect(try JSONDecoder().decode(Outer.self, from: streamed) == Self.sample)
        let viaFoundation = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(Self.sample))
        #expect(try JSONDecoder().decode(JSONValue.self, from: streamed) == viaFoundation)
    }

    @Test("members come in encoding order; nil optionals are omitted")
    func layout() throws {
        let data = try StreamingJSONEncoder().encode(Inner(name: "x", tags: ["t"], scores: [:]))
        #expect(String(decoding: data, as: UTF8.self) == #"{"name":"x","tags":["t"],"scores":{}}"#)
    }

    @Test("a value may ask for its keyed container again after nested members")
    func reopenedContainer() throws {
        let data = try StreamingJSONEncoder().encode([PayloadWithTag(inner: Inner(name: "n", tags: ["a"], scores: ["s": 1]))])
        #expect(String(decoding: data, as: UTF8.self) == #"[{"name":"n","tags":["a"],"scores":{"s":1},"kind":"tagged"}]"#)
    }

    @Test("top-level scalars and arrays")
    func scalars() throws {
        #expect(String(decoding: try StreamingJSONEncoder().encode("a\"b"), as: UTF8.self) == #""a\"b""#)
        #expect(String(decoding: try StreamingJSONEncoder().encode([1, 2]), as: UTF8.self) == "[1,2]")
        #expect(String(decoding: try StreamingJSONEncoder().encode([String?.none, "x"]), as: UTF8.self) == #"[null,"x"]"#)
    }

    @Test("strings are escaped wherever the special byte falls: in the eight-byte steps, between them, in the tail")
    func escapesAtEveryPosition() throws {
        let specials: [Character] = ["\u{00}", "\u{01}", "\t", "\n", "\r", "\u{1F}", "\"", "\\", "\u{7F}", "é", "👍", "/"]
        for length in 0...19 {
            for position in 0...length {
                for special in specials {
                    var text = String(repeating: "a", count: length)
                    text.insert(special, at: text.index(text.startIndex, offsetBy: position))
                    let streamed = try StreamingJSONEncoder().encode([text])
                    #expect(try JSONDecoder().decode([String].self, from: streamed) == [text], "\(length) \(position) \(special.debugDescription)")
                }
            }
        }
        let escaped = String(decoding: try StreamingJSONEncoder().encode("\u{01}\t\n\r\"\\é"), as: UTF8.self)
        #expect(escaped == #""\u0001\t\n\r\"\\é""#)
    }

    @Test("output larger than the first reservation grows and stays whole")
    func growth() throws {
        let long = String(repeating: "0123456789", count: 20_000)
        let values = [long, "x", long]
        #expect(try JSONDecoder().decode([String].self, from: StreamingJSONEncoder().encode(values)) == values)
        let numbers = Array(0..<5000)
        #expect(try JSONDecoder().decode([Int].self, from: StreamingJSONEncoder().encode(numbers)) == numbers)
    }

    @Test("UUIDs are written as uuidString is")
    func uuids() throws {
        for uuid in (0..<50).map({ _ in UUID() }) + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))] {
            #expect(String(decoding: try StreamingJSONEncoder().encode(uuid), as: UTF8.self) == "\"\(uuid.uuidString)\"")
        }
    }

    @Test("non-finite numbers are an error, not invalid JSON")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(JSONValue.double(.infinity)) }
    }
}
