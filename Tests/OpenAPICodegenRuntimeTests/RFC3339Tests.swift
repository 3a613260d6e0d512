import Foundation
import Testing
@testable import OpenAPICodegenRuntime

@Suite("RFC 3339 dates")
struct RFC3339Tests {
    @Test("parses with and without fractional seconds and offsets", arguments: [
        ("2025-12-13T02:00:00Z", 1_765_591_200.0),
        ("2025-12-13T02:00:00.5Z", 1_765_591_200.5),
        ("2025-12-13T02:00:00.123456Z", 1_765_591_200.123456),
        ("2025-12-13T03:30:00+01:30", 1_765_591_200.0),
        ("2025-12-12T21:00:00-05:00", 1_765_591_200.0),
        ("2025-12-13t02:00:00z", 1_765_591_200.0),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59Z", -1),
        ("2024-02-29T12:00:00Z", 1_709_208_000),
    ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test("rejects what is not RFC 3339", arguments: [
        "", "2025-12-13", "2025-12-13T02:00:00", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-12-13T24:00:00Z",
        "2025-12-13T02:00:00.Z", "2025-12-13T02:00:00+0100", "2025-12-13T02:00:00Zjunk", "not a date",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("formats in UTC, with microseconds only when present")
    func formats() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_765_591_200)) == "2025-12-13T02:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_765_591_200.25)) == "2025-12-13T02:00:00.25Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.5Z")
    }

    @Test("format and parse round-trip to the microsecond")
    func roundTrip() throws {
        for seconds in stride(from: -100_000_000.0, to: 4_000_000_000.0, by: 77_777_777.123457) {
            let date = Date(timeIntervalSince1970: seconds)
            let parsed = try #require(RFC3339.parse(RFC3339.format(date)))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001)
        }
    }

    @Test("decoding ignores the decoder's date strategy")
    func decoding() throws {
        struct Stamp: Decodable {
            var at: Date
            enum CodingKeys: CodingKey { case at }
            init(from decoder: any Decoder) throws {
                at = try decoder.container(keyedBy: CodingKeys.self).decodeDateTime(forKey: .at)
            }
        }
        let stamp = try JSONDecoder().decode(Stamp.self, from: Data(#"{"at": "2025-12-13T02:00:00Z"}"#.utf8))
        #expect(stamp.at.timeIntervalSince1970 == 1_765_591_200)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Stamp.self, from: Data(#"{"at": "yesterday"}"#.utf8)) }
    }

    @Test("a date outside four-digit years is written as the nearest one inside, never a crash")
    func outOfRange() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1e15)) == "0000-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e15)) == "9999-12-31T23:59:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59Z")
    }
}
