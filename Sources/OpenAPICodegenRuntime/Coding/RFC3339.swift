import Foundation

/// RFC 3339 `date-time` parsing and formatting, independent of any `JSONDecoder`
/// date strategy, and fast enough for hot paths (no `DateFormatter`).
public enum RFC3339 {
    /// Parses `2025-12-13T02:00:00Z`, `2025-12-13T02:00:00.123456+01:00` and the like.
    public static func parse(_ text: String) -> Date? {
        var utf8 = text.utf8[...]
        guard let year = number(&utf8, digits: 4), take(&utf8, "-"),
            let month = number(&utf8, digits: 2), take(&utf8, "-"),
            let day = number(&utf8, digits: 2), takeAny(&utf8, ["T", "t", " "]),
            let hour = number(&utf8, digits: 2), take(&utf8, ":"),
            let minute = number(&utf8, digits: 2), take(&utf8, ":"),
            let second = number(&utf8, digits: 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var fraction = 0.0
        if take(&utf8, ".") {
            var scale = 0.1
            var sawDigit = false
            while let byte = utf8.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                fraction += Double(byte - UInt8(ascii: "0")) * scale
                scale /= 10
                sawDigit = true
                utf8 = utf8.dropFirst()
            }
            guard sawDigit else { return nil }
        }
        var offsetSeconds = 0
        if takeAny(&utf8, ["Z", "z"]) {
            offsetSeconds = 0
        } else if let sign = utf8.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            utf8 = utf8.dropFirst()
            guard let offsetHour = number(&utf8, digits: 2), take(&utf8, ":"), let offsetMinute = number(&utf8, digits: 2),
                offsetHour < 24, offsetMinute < 60
            else { return nil }
            offsetSeconds = (offsetHour * 3600 + offsetMinute * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard utf8.isEmpty else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Formats in UTC: `2025-12-13T02:00:00Z`, with microseconds only when the date has them.
    public static func format(_ date: Date) -> String {
        String(unsafeUninitializedCapacity: maximumLength) { write(date, into: $0) }
    }

    /// The longest text ``format(_:)`` produces: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    static let maximumLength = 27

    /// Writes the ``format(_:)`` text into `buffer` (at least ``maximumLength`` bytes) and
    /// returns its length. Encoders call this directly, so a date costs no allocation.
    /// RFC 3339 has four-digit years: a date outside 0000–9999 is written as the nearest one
    /// inside, never a crash.
    static func write(_ date: Date, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let seconds1970 = min(max(date.timeIntervalSince1970, -62_167_219_200), 253_402_300_799)
        let totalMicros = (seconds1970 * 1_000_000).rounded()
        let micros = Int(totalMicros.truncatingRemainder(dividingBy: 1_000_000) + 1_000_000) % 1_000_000
        let seconds = Int(((totalMicros - Double(micros)) / 1_000_000).rounded())
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var fractionDigits = micros == 0 ? 0 : 6
        var fraction = micros
        while fractionDigits > 0, fraction % 10 == 0 {
            fraction /= 10
            fractionDigits -= 1
        }
        var position = 0
        func put(_ value: Int, width: Int) {
            var value = value
            for offset in stride(from: width - 1, through: 0, by: -1) {
                buffer[position + offset] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
            position += width
        }
        func put(_ character: Unicode.Scalar) {
            buffer[position] = UInt8(ascii: character)
            position += 1
        }
        put(year, width: 4)
        put("-")
        put(month, width: 2)
        put("-")
        put(day, width: 2)
        put("T")
        put(secondOfDay / 3600, width: 2)
        put(":")
        put(secondOfDay / 60 % 60, width: 2)
        put(":")
        put(secondOfDay % 60, width: 2)
        if fractionDigits > 0 {
            put(".")
            put(fraction, width: fractionDigits)
        }
        put("Z")
        return position
    }

    private static func number(_ utf8: inout Substring.UTF8View, digits: Int) -> Int? {
        var value = 0
        for _ in 0..<digits {
            guard let byte = utf8.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            utf8 = utf8.dropFirst()
        }
        return value
    }

    private static func take(_ utf8: inout Substring.UTF8View, _ character: Unicode.Scalar) -> Bool {
        takeAny(&utf8, [character])
    }

    private static func takeAny(_ utf8: inout Substring.UTF8View, _ characters: [Unicode.Scalar]) -> Bool {
        guard let byte = utf8.first, characters.contains(where: { UInt8(ascii: $0) == byte }) else { return false }
        utf8 = utf8.dropFirst()
        return true
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of ``daysSinceEpoch(year:month:day:)`` (`civil_from_days`).
    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// A value made of RFC 3339 `date-time`s: a `Date`, or arrays and string-keyed maps of them,
/// nested to any depth. Generated code codes these through ``DateTimeCoded``, so a date is
/// RFC 3339 text wherever it sits, whatever the coder's date strategy.
public protocol DateTimeCodable {
    /// Reads the value from RFC 3339 text (or arrays and maps of it).
    init(dateTimeFrom decoder: any Decoder) throws
    /// Writes the value as RFC 3339 text in UTC (or arrays and maps of it).
    func encodeDateTime(to encoder: any Encoder) throws
}

extension Date: DateTimeCodable {
    public init(dateTimeFrom decoder: any Decoder) throws { self = try RFC3339.decode(from: decoder) }
    public func encodeDateTime(to encoder: any Encoder) throws { try RFC3339.encode(self, to: encoder) }
}

extension Array: DateTimeCodable where Element: DateTimeCodable {
    public init(dateTimeFrom decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var elements: [Element] = []
        if let count = container.count { elements.reserveCapacity(count) }
        while !container.isAtEnd {
            elements.append(try container.decode(DateTimeCoded<Element>.self).value)
        }
        self = elements
    }

    public func encodeDateTime(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for element in self { try container.encode(DateTimeCoded(element)) }
    }
}

extension Dictionary: DateTimeCodable where Key == String, Value: DateTimeCodable {
    public init(dateTimeFrom decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicCodingKey.self)
        var members: [String: Value] = [:]
        for key in container.allKeys {
            members[key.stringValue] = try container.decode(DateTimeCoded<Value>.self, forKey: key).value
        }
        self = members
    }

    public func encodeDateTime(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicCodingKey.self)
        for name in keys.sorted() { try container.encode(DateTimeCoded(self[name]!), forKey: DynamicCodingKey(name)) }
    }
}

/// Codes a ``DateTimeCodable`` value as RFC 3339 text: a whole body, a union variant, a map value.
public struct DateTimeCoded<Value: DateTimeCodable>: Codable {
    /// The dates, as Swift values.
    public var value: Value

    /// Wraps `value` for coding as RFC 3339 text.
    public init(_ value: Value) { self.value = value }
    public init(from decoder: any Decoder) throws { value = try Value(dateTimeFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try value.encodeDateTime(to: encoder) }
}

extension DateTimeCoded: Sendable where Value: Sendable {}

extension KeyedDecodingContainer {
    /// Decodes an RFC 3339 `date-time` string, whatever the decoder's date strategy. (The
    /// common case, without the generic version's nested decoder.)
    public func decodeDateTime(forKey key: Key) throws -> Date {
        let text = try decode(String.self, forKey: key)
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(text)' is not an RFC 3339 date-time")
        }
        return date
    }

    /// Decodes RFC 3339 `date-time` text (or arrays and maps of it), whatever the decoder's date strategy.
    @inlinable
    public func decodeDateTime<Value: DateTimeCodable>(forKey key: Key) throws -> Value {
        try decode(DateTimeCoded<Value>.self, forKey: key).value
    }

    /// Like `decodeDateTime(forKey:)`, but absent keys and nulls give nil.
    @inlinable
    public func decodeDateTimeIfPresent<Value: DateTimeCodable>(forKey key: Key) throws -> Value? {
        try decodeIfPresent(DateTimeCoded<Value>.self, forKey: key)?.value
    }
}

extension KeyedEncodingContainer {
    /// Encodes dates as RFC 3339 strings in UTC.
    @inlinable
    public mutating func encodeDateTime<Value: DateTimeCodable>(_ value: Value, forKey key: Key) throws {
        try encode(DateTimeCoded(value), forKey: key)
    }

    /// Encodes dates as RFC 3339 strings in UTC, and nothing when the value is nil.
    @inlinable
    public mutating func encodeDateTimeIfPresent<Value: DateTimeCodable>(_ value: Value?, forKey key: Key) throws {
        if let value { try encodeDateTime(value, forKey: key) }
    }
}

extension RFC3339 {
    /// Decodes a single RFC 3339 string value (a `date-time` variant of a union).
    public static func decode(from decoder: any Decoder) throws -> Date {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an RFC 3339 date-time")
        }
        return date
    }

    /// Encodes a single date as an RFC 3339 string.
    public static func encode(_ date: Date, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(format(date))
    }
}
