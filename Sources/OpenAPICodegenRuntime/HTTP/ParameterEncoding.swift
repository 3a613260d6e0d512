import Foundation

/// A value that can stand in a path, query or header parameter.
public protocol ParameterValue {
    /// The value as plain text, before percent-encoding.
    var parameterText: String { get }
}

extension String: ParameterValue { public var parameterText: String { self } }
extension Int: ParameterValue { public var parameterText: String { String(self) } }
extension Int32: ParameterValue { public var parameterText: String { String(self) } }
extension Int64: ParameterValue { public var parameterText: String { String(self) } }
extension Double: ParameterValue { public var parameterText: String { String(self) } }
extension Float: ParameterValue { public var parameterText: String { String(self) } }
extension Bool: ParameterValue { public var parameterText: String { self ? "true" : "false" } }
extension UUID: ParameterValue { public var parameterText: String { uuidString.lowercased() } }
extension Date: ParameterValue { public var parameterText: String { RFC3339.format(self) } }

/// Percent-encoding for URL parts (RFC 3986): only unreserved characters stay as they are.
public enum PercentEncoding {
    /// Encodes text for a path segment or a query name or value.
    public static func encode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}

/// Builds a query string in OpenAPI's `form` style.
public struct QueryBuilder: Sendable {
    private var items: [String] = []

    public init() {}

    /// Adds `name=value`; nothing when the value is nil.
    public mutating func append(_ name: String, _ value: (some ParameterValue)?) {
        guard let value else { return }
        items.append(PercentEncoding.encode(name) + "=" + PercentEncoding.encode(value.parameterText))
    }

    /// Adds an array: `name=a&name=b` when exploded (the default), `name=a,b` otherwise.
    public mutating func append(_ name: String, _ values: [some ParameterValue]?, explode: Bool = true) {
        guard let values, !values.isEmpty else { return }
        if explode {
            for value in values { append(name, value) }
        } else {
            let joined = values.map { PercentEncoding.encode($0.parameterText) }.joined(separator: ",")
            items.append(PercentEncoding.encode(name) + "=" + joined)
        }
    }

    /// `?a=1&b=2`, or empty when nothing was added.
    public var queryString: String {
        items.isEmpty ? "" : "?" + items.joined(separator: "&")
    }
}

extension HTTPHeaders {
    /// Sets a header parameter; arrays are comma-separated (OpenAPI `simple` style).
    public mutating func setParameter(_ name: String, _ value: (some ParameterValue)?) {
        guard let value else { return }
        self[name] = value.parameterText
    }

    public mutating func setParameter(_ name: String, _ values: [some ParameterValue]?) {
        guard let values else { return }
        self[name] = values.map(\.parameterText).joined(separator: ",")
    }
}
