import Foundation
import OpenAPICodegenRuntime
import Testing

/// What a `oneOf` reader without a discriminator leans on: a look at an object's keys that
/// leaves the reader where it was, and marks to read the same value again from.
private struct MemberProbe: JSONReadable {
    var fits: [Bool]
    var value: JSONValue

    init(jsonReader reader: inout JSONReader) throws {
        fits = reader.objectHasMembers([["a", "b"], ["c"], []])
        let start = reader.mark()
        // A failed read (null is not an Int) leaves the reader mid-object; the mark undoes it.
        #expect((try? [String: Int](jsonReader: &reader)) == nil)
        reader.reset(to: start)
        value = try JSONValue(jsonReader: &reader)
    }
}

@Suite("JSONReader marks and member checks")
struct JSONReaderMarkTests {
    @Test("objectHasMembers answers per list without moving the reader; anything but an object has no members")
    func memberChecks() throws {
        let object = try JSONReader.decode(MemberProbe.self, from: #"{"a": 1, "b": null, "d": [true]}"#)
        #expect(object.fits == [true, false, true])
        #expect(object.value == ["a": 1, "b": .null, "d": [true]], "the reader read the whole object after the checks and a failed read")
        let scalar = try JSONReader.decode(MemberProbe.self, from: "3")
        #expect(scalar.fits == [false, false, true] && scalar.value == 3)
        #expect(throws: DecodingError.self) { try JSONReader.decode(MemberProbe.self, from: #"{"a": 1, "b": }"#) }
    }
}
