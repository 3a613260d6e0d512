import Foundation
import DataStorageClient
import OpenAPICodegenRuntime

/// Turns the decoded parameters of `GET /api/v1/audit/events` into an ``AuditQuery``. The
/// contract has already checked types, ranges, enums and patterns; what is left is what it
/// cannot state: times relative to now, parameters that come in pairs, and NUL characters,
/// which PostgreSQL cannot store and so no stored value has.
struct AuditQueryParser {
    let now: Date

    func parse(_ input: Operations.QueryAuditEvents.Input) throws -> AuditQuery {
        let texts: [(String, String?)] = [
            ("event_type", input.eventType), ("event_category", input.eventCategory), ("severity", input.severity),
            ("correlation_id", input.correlationID), ("detail_value", input.detailValue),
        ]
        if let (name, _) = texts.first(where: { $0.1?.utf8.contains(0) == true }) {
            throw Problem.badRequest("invalid-parameter", "\(name) must not contain NUL characters")
        }
        var query = AuditQuery()
        query.eventType = input.eventType
        query.eventCategory = input.eventCategory
        query.severity = input.severity
        query.correlationID = input.correlationID
        query.eventOutcome = input.eventOutcome?.rawValue
        query.limit = input.limit
        query.offset = input.offset
        query.since = try input.since.map { try time($0, name: "since") }
        query.until = try input.until.map { try time($0, name: "until") }
        switch (input.detailKey, input.detailValue) {
        case (nil, nil):
            break
        case (let key?, let value?):
            query.detail = DetailFilter(key: key, value: value)
        default:
            throw Problem.badRequest("invalid-parameter", "detail_key and detail_value must be given together")
        }
        return query
    }

    /// `7d` (days, fractions allowed), Go durations (`24h`, `30m`, `1h30m`, `45s`) back from
    /// now; RFC 3339; or `YYYY-MM-DDTHH:MM:SS` / `YYYY-MM-DD` in UTC.
    func time(_ text: String, name: String) throws -> Date {
        if let seconds = Self.relativeSeconds(text) {
            // A window reaching past PostgreSQL's first year (or any year) reaches every stored event.
            return max(now.addingTimeInterval(-seconds), Self.earliest)
        }
        if let date = RFC3339.parse(text) { return date }
        if let date = RFC3339.parse(text + "Z") { return date }
        if let date = RFC3339.parse(text + "T00:00:00Z") { return date }
        throw Problem.badRequest("invalid-parameter", "\(name) must be a duration such as 24h, 30m or 7d, or an RFC 3339 time; got '\(text)'")
    }

    /// 0001-01-01T00:00:00Z: PostgreSQL has no year 0.
    static let earliest = Date(timeIntervalSince1970: -62_135_596_800)

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
