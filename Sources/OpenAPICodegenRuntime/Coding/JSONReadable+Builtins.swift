#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The values generated models are made of, read as JSONDecoder reads them.

extension String: JSONReadable {
    public init(jsonReader reader: inout JSONReader) throws { self = try reader.readString() }
}

extension Bool: JSONReadable {
    public init(jsonReader reader: inout JSONReader) throws { self = try reader.readBool() }
}

/// Integers read as JSONDecoder reads them: digits in range, or a whole number written with
/// a fraction or an exponent.
extension JSONReadable where Self: FixedWidthInteger & Decodable {
    public init(jsonReader reader: inout JSONReader) throws { self = try reader.readInteger(Self.self) }
}

extension Int: JSONReadable {}
extension Int8: JSONReadable {}
extension Int16: JSONReadable {}
extension Int32: JSONReadable {}
extension Int64: JSONReadable {}
extension UInt: JSONReadable {}
extension UInt32: JSONReadable {}
extension UInt64: JSONReadable {}

extension Double: JSONReadable {
    public init(jsonReader reader: inout JSONReader) throws { self = try reader.readDouble() }
}

extension Float: JSONReadable {
    /// A Double in Float's range, as JSONDecoder narrows it.
    public init(jsonReader reader: inout JSONReader) throws {
        let value = Float(try reader.readDouble(as: Float.self))
        guard value.isFinite else { throw reader.invalidJSON() }
        self = value
    }
}

extension UUID: JSONReadable {
    public init(jsonReader reader: inout JSONReader) throws {
        let text = try reader.readString()
        // Foundation parses UUIDs with sscanf on Linux, which took a fifth of reading an
        // event; it still decides whatever the strict hex parse does not accept.
        if let uuid = UUID(hexadecimalText: text) {
            self = uuid
            return
        }
        guard let uuid = UUID(uuidString: text) else {
            throw DecodingError.dataCorrupted(reader.context("Attempted to decode UUID from invalid UUID string."))
        }
        self = uuid
    }
}

extension Data: JSONReadable {
    /// Base64 text, through JSONDecoder: bodies of bytes are rare, and its rules are many.
    public init(jsonReader reader: inout JSONReader) throws { self = try reader.decodeWithDecoder(Data.self) }
}

extension Optional: JSONReadable where Wrapped: JSONReadable {
    /// nil for null.
    public init(jsonReader reader: inout JSONReader) throws {
        self = try reader.readNullable { try Wrapped(jsonReader: &$0) }
    }
}

extension Array: JSONReadable where Element: JSONReadable {
    /// Inlinable, so that each element type's reading is specialised (a batch is an array).
    @inlinable
    public init(jsonReader reader: inout JSONReader) throws {
        self = try reader.readArray { try Element(jsonReader: &$0) }
    }
}

extension Dictionary: JSONReadable where Key == String, Value: JSONReadable {
    public init(jsonReader reader: inout JSONReader) throws {
        self = try reader.readMap { try Value(jsonReader: &$0) }
    }
}

extension JSONValue: JSONReadable {
    /// Numbers that are whole and fit `Int` are `.int` (also `1.0` and `1e2`, as the
    /// `Decodable` path reads them), other finite numbers `.double`.
    public init(jsonReader reader: inout JSONReader) throws {
        let kind = try reader.peekKind()
        // The Decodable path tries each kind in turn and fails on the last, an array: an
        // array's own error stands, and any other value that does not read (text that does not
        // decode, a number out of range, an object with a bad member) is reported as not an array.
        guard kind != .array else {
            self = try Self.read(kind, &reader)
            return
        }
        let start = reader.checkpoint()
        do {
            self = try Self.read(kind, &reader)
        } catch {
            reader.restore(start)
            throw reader.mismatch([Any].self, found: kind)
        }
    }

    private static func read(_ kind: JSONReader.JSONKind, _ reader: inout JSONReader) throws -> JSONValue {
        switch kind {
        case .null:
            try reader.skipValue()
            return .null
        case .string: return .string(try reader.readString())
        case .bool: return .bool(try reader.readBool())
        case .number:
            let start = reader.checkpoint()
            if let value = try? reader.readInteger(Int.self) { return .int(value) }
            reader.restore(start)
            return .double(try reader.readDouble())
        case .array: return .array(try [JSONValue](jsonReader: &reader))
        case .object: return .object(try [String: JSONValue](jsonReader: &reader))
        }
    }
}

extension Indirect: JSONReadable where Wrapped: JSONReadable {
    public convenience init(jsonReader reader: inout JSONReader) throws {
        self.init(try Wrapped(jsonReader: &reader))
    }
}

extension JSONReadable where Self: OpenEnum, RawValue: JSONReadable {
    /// The raw value; values the spec does not list become `unknown`.
    public init(jsonReader reader: inout JSONReader) throws {
        let raw = try RawValue(jsonReader: &reader)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(reader.context("'\(raw)' is not a value of \(Self.self)"))
        }
        self = value
    }
}

extension Date: DateTimeReadable {
    public init(dateTimeReader reader: inout JSONReader) throws {
        let text = try reader.readString()
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorrupted(reader.context("'\(text)' is not an RFC 3339 date-time"))
        }
        self = date
    }
}

extension Array: DateTimeReadable where Element: DateTimeReadable {
    @inlinable
    public init(dateTimeReader reader: inout JSONReader) throws {
        self = try reader.readArray { try Element(dateTimeReader: &$0) }
    }
}

extension Dictionary: DateTimeReadable where Key == String, Value: DateTimeReadable {
    public init(dateTimeReader reader: inout JSONReader) throws {
        self = try reader.readMap { try Value(dateTimeReader: &$0) }
    }
}

extension Optional: DateTimeReadable where Wrapped: DateTimeReadable {
    /// nil for null.
    public init(dateTimeReader reader: inout JSONReader) throws {
        self = try reader.readNullable { try Wrapped(dateTimeReader: &$0) }
    }
}

extension UUID {
    /// `8-4-4-4-12` hexadecimal digits, either case; nil for anything else.
    init?(hexadecimalText text: String) {
        var text = text
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = text.withUTF8 { bytes in
            withUnsafeMutableBytes(of: &uuid) { octets in
                guard bytes.count == 36 else { return false }
                var octet = 0
                var index = 0
                while index < 36 {
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard bytes[index] == UInt8(ascii: "-") else { return false }
                        index += 1
                        continue
                    }
                    guard let high = Hex.value(bytes[index]), let low = Hex.value(bytes[index + 1]) else { return false }
                    octets[octet] = high << 4 | low
                    octet += 1
                    index += 2
                }
                return true
            }
        }
        guard parsed else { return nil }
        self.init(uuid: uuid)
    }
}
