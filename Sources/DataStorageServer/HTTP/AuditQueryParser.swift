import Foundation
import Hummingbird
import OpenAPICodegenRuntime

/// Turns `GET /api/v1/audit/events` parameters into an ``AuditQuery``, or a 400 problem
/// that names the parameter.
struct AuditQueryParser {
    let now: Date

    func parse(_ parameters: Parameters) throws -> AuditQuery {
        // PostgreSQL text cannot hold NUL, so no stored value has one: refused as the bad input it is.
        if let (name, _) = parameters.first(where: { $0.value.contains("\0") }) {
            throw Problem.badRequest("invalid-parameter", "\(name) must not contain NUL characters")
        }
        var query = AuditQuery()
        func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init) }
        query.eventType = text("event_type")
        query.eventCategory = text("event_category")
        query.severity = text("severity")
        query.correlationID = text("correlation_id")
        if let outcome = text("event_outcome") {
            guard ["success", "failure", "pending"].contains(outcome) else {
                throw Problem.badRequest("invalid-parameter", "event_outcome must be success, failure or pending, got '\(outcome)'")
            }
            query.eventOutcome = outcome
        }
        query.limit = try integer(text("limit"), name: "limit", range: 1...1000) ?? 50
        query.offset = try integer(text("offset"), name: "offset", range: 0...Int.max) ?? 0
        query.since = try text("since").map { try time($0, name: "since") }
        query.until = try text("until").map { try time($0, name: "until") }
        switch (text("detail_key"), text("detail_value")) {
        case (nil, nil):
            break
        case (let key?, let value?):
            guard !key.isEmpty, key.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 < 0x80 && Character(Unicode.Scalar($0)).isLetter) || ($0 >= 0x30 && $0 <= 0x39) }) else {
                throw Problem.badRequest("invalid-parameter", "detail_key must match ^[a-zA-Z0-9_]+$")
            }
            query.detail = DetailFilter(key: key, value: value)
        default:
            throw Problem.badRequest("invalid-parameter", "detail_key and detail_value must be given together")
        }
        return query
    }

    private func integer(_ text: String?, name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            let bounds = range.upperBound == .max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            throw Problem.badRequest("invalid-parameter", "\(name) must be an integer \(bounds), got '\(text)'")
        }
        return value
    }

    /// `7d` (days, fractions allowed), Go durations (`24h`, `30m`, `1h30m`, `45s`) back from
    /// now; RFC 3339; or `YYYY-MM-DDTHH:MM:SS` / `YYYY-MM-DD` in UTC.
    func time(_ text: String, name: String) throws -> Date {
        if let seconds = Self.relativeSeconds(text) { return now.addingTimeInterval(-seconds) }
        if let date = RFC3339.parse(text) { return date }
        if let date = RFC3339.parse(text + "Z") { return date }
        if let date = RFC3339.parse(text + "T00:00:00Z") { return date }
        throw Problem.badRequest("invalid-parameter", "\(name) must be a duration such as 24h, 30m or 7d, or an RFC 3339 time; got '\(text)'")
    }

    static func relativeSeconds(_ text: String) -> Double? {
        if text.hasSuffix("d"), let days = Double(text.dropLast()), days >= 0, days.isFinite { return days * 86_400 }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let unit: Double
            switch character {
            case "h": unit = 3600
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            guard let value = Double(number) else { return nil }
            total += value * unit
            number = ""
            sawUnit = true
        }
        return sawUnit && number.isEmpty ? total : nil
    }
}
