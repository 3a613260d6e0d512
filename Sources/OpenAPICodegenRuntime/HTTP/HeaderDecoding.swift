import Foundation

/// A value a response header's text can be read as (`simple` style).
public protocol HeaderDecodable {
    /// The value the text spells, or nil when it spells none.
    init?(headerText: String)
}

extension String: HeaderDecodable { public init?(headerText: String) { self = headerText } }
extension Int: HeaderDecodable { public init?(headerText: String) { self.init(headerText) } }
extension Int32: HeaderDecodable { public init?(headerText: String) { self.init(headerText) } }
extension Int64: HeaderDecodable { public init?(headerText: String) { self.init(headerText) } }
extension Double: HeaderDecodable { public init?(headerText: String) { self.init(headerText) } }
extension Float: HeaderDecodable { public init?(headerText: String) { self.init(headerText) } }
extension Bool: HeaderDecodable {
    public init?(headerText: String) {
        switch headerText {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
}
extension UUID: HeaderDecodable { public init?(headerText: String) { self.init(uuidString: headerText) } }
extension Date: HeaderDecodable {
    public init?(headerText: String) {
        guard let date = RFC3339.parse(headerText) else { return nil }
        self = date
    }
}

extension Array: HeaderDecodable where Element: HeaderDecodable {
    /// Comma-separated elements, spaces around them trimmed.
    public init?(headerText: String) {
        var elements: [Element] = []
        for part in headerText.split(separator: ",", omittingEmptySubsequences: false) {
            guard let element = Element(headerText: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            elements.append(element)
        }
        self = elements
    }
}

extension JSONValue: HeaderDecodable {
    /// The text as the JSON scalar it spells (`1`, `true`), or else as a string.
    public init?(headerText: String) {
        if let value = Int(headerText) {
            self = .int(value)
        } else if let value = Bool(headerText: headerText) {
            self = .bool(value)
        } else if let value = Double(headerText) {
            self = .double(value)
        } else {
            self = .string(headerText)
        }
    }
}

extension OpenEnum {
    /// The enum value the header text spells; unlisted values become `unknown`.
    public init?(headerText: String) {
        guard let raw = RawValue(headerText: headerText) else { return nil }
        self.init(rawValue: raw)
    }
}

/// Why a documented response header could not be read.
public enum HeaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A header the spec marks `required` is absent.
    case missing(name: String)
    /// The header's text is not a value of its documented type.
    case invalid(name: String, value: String, expected: String)

    /// What is wrong, naming the header.
    public var description: String {
        switch self {
        case .missing(let name): "the required header '\(name)' is missing"
        case .invalid(let name, let value, let expected): "header '\(name)': '\(value)' is not a valid \(expected)"
        }
    }
}

extension HTTPResponse {
    /// The header read as `Value`, or nil when it is absent.
    public func header<Value: HeaderDecodable>(_ name: String, operationID: String) throws(ClientError) -> Value? {
        guard let text = headers[name] else { return nil }
        guard let value = Value(headerText: text) else {
            throw .decoding(operationID: operationID, statusCode: statusCode, underlying: HeaderError.invalid(name: name, value: text, expected: "\(Value.self)"))
        }
        return value
    }

    /// The header read as `Value`; its absence is a decoding error.
    public func requiredHeader<Value: HeaderDecodable>(_ name: String, operationID: String) throws(ClientError) -> Value {
        guard let value: Value = try header(name, operationID: operationID) else {
            throw .decoding(operationID: operationID, statusCode: statusCode, underlying: HeaderError.missing(name: name))
        }
        return value
    }
}
