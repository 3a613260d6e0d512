import Foundation

/// A value a parameter's or header's text can be read as, the inverse of ``ParameterValue``.
public protocol ParameterDecodable {
    /// The value the text spells, or nil when it spells none.
    init?(parameterText: String)
}

extension String: ParameterDecodable { public init?(parameterText: String) { self = parameterText } }
extension Int: ParameterDecodable { public init?(parameterText: String) { self.init(parameterText) } }
extension Int32: ParameterDecodable { public init?(parameterText: String) { self.init(parameterText) } }
extension Int64: ParameterDecodable { public init?(parameterText: String) { self.init(parameterText) } }
extension Double: ParameterDecodable { public init?(parameterText: String) { self.init(parameterText) } }
extension Float: ParameterDecodable { public init?(parameterText: String) { self.init(parameterText) } }
extension Bool: ParameterDecodable {
    public init?(parameterText: String) {
        switch parameterText {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
}
extension UUID: ParameterDecodable { public init?(parameterText: String) { self.init(uuidString: parameterText) } }
extension Date: ParameterDecodable {
    public init?(parameterText: String) {
        guard let date = RFC3339.parse(parameterText) else { return nil }
        self = date
    }
}

extension Array: ParameterDecodable where Element: ParameterDecodable {
    /// Comma-separated elements, spaces around them trimmed.
    public init?(parameterText: String) {
        var elements: [Element] = []
        for part in parameterText.split(separator: ",", omittingEmptySubsequences: false) {
            guard let element = Element(parameterText: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            elements.append(element)
        }
        self = elements
    }
}

extension JSONValue: ParameterDecodable {
    /// The text as the JSON scalar it spells (`1`, `true`), or else as a string.
    public init?(parameterText: String) {
        if let value = Int(parameterText) {
            self = .int(value)
        } else if let value = Bool(parameterText: parameterText) {
            self = .bool(value)
        } else if let value = Double(parameterText) {
            self = .double(value)
        } else {
            self = .string(parameterText)
        }
    }
}

extension OpenEnum {
    /// The enum value the header text spells; unlisted values become `unknown`.
    public init?(parameterText: String) {
        guard let raw = RawValue(parameterText: parameterText) else { return nil }
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
    public func header<Value: ParameterDecodable>(_ name: String, operationID: String) throws(ClientError) -> Value? {
        guard let text = headers[name] else { return nil }
        guard let value = Value(parameterText: text) else {
            throw .decoding(operationID: operationID, statusCode: statusCode, underlying: HeaderError.invalid(name: name, value: text, expected: "\(Value.self)"))
        }
        return value
    }

    /// The header read as `Value`; its absence is a decoding error.
    public func requiredHeader<Value: ParameterDecodable>(_ name: String, operationID: String) throws(ClientError) -> Value {
        guard let value: Value = try header(name, operationID: operationID) else {
            throw .decoding(operationID: operationID, statusCode: statusCode, underlying: HeaderError.missing(name: name))
        }
        return value
    }
}
