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
extension JSONValue: ParameterValue {
    /// Scalars as their JSON text without quotes; arrays and objects as JSON.
    public var parameterText: String {
        switch self {
        case .null: "null"
        case .bool(let value): value.parameterText
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value): value
        case .array, .object: (try? StreamingJSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }
}

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

/// How a parameter is spelled, as OpenAPI's `style` names it (RFC 6570 forms).
public enum ParameterStyle: Sendable, Hashable {
    /// Path and header default: `a,b` / `k,v` (exploded objects: `k=v`).
    case simple
    /// Path: `.a.b`.
    case label
    /// Path: `;name=a,b` (exploded: `;name=a;name=b`).
    case matrix
    /// Query and cookie default: `name=a&name=b` / `name=a,b`.
    case form
    /// Query arrays: `name=a%20b`.
    case spaceDelimited
    /// Query arrays: `name=a|b`.
    case pipeDelimited
    /// Query objects: `name[key]=value`.
    case deepObject
}

/// The members of an object parameter, in a stable (sorted) order, read from any `Encodable`.
public struct ParameterObject: Sendable {
    /// The members, sorted by name.
    public let members: [(name: String, value: JSONValue)]

    /// Reads the value's JSON members; a value that is not a JSON object is an encoding error.
    public init(_ value: some Encodable) throws {
        guard case .object(let members) = try JSONValue(encoding: value) else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: [], debugDescription: "an object parameter must encode as a JSON object"))
        }
        self.members = members.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    /// The members as the `simple` and `form` styles list them: `[k, v, k2, v2]`, or exploded
    /// `["k=v", "k2=v2"]`, each name and value passed through `escape` (percent-encoding for
    /// URLs, nothing for headers). Callers join them with the style's separator.
    public func components(exploded: Bool, escape: (String) -> String = { $0 }) -> [String] {
        members.flatMap { member -> [String] in
            let name = escape(member.name)
            let value = escape(member.value.parameterText)
            return exploded ? ["\(name)=\(value)"] : [name, value]
        }
    }
}

/// Path parameters in the `simple`, `label` and `matrix` styles.
public enum PathParameter {
    /// A scalar: `value`, `.value` (label) or `;name=value` (matrix), percent-encoded.
    public static func encode(_ name: String, _ value: some ParameterValue, style: ParameterStyle = .simple) -> String {
        let text = PercentEncoding.encode(value.parameterText)
        switch style {
        case .label: return "." + text
        case .matrix: return ";" + PercentEncoding.encode(name) + "=" + text
        default: return text
        }
    }

    /// An array: `a,b`, `.a.b`/`.a,b` (label), `;name=a;name=b`/`;name=a,b` (matrix).
    public static func encode(_ name: String, _ values: [some ParameterValue], style: ParameterStyle = .simple, explode: Bool = false) -> String {
        let texts = values.map { PercentEncoding.encode($0.parameterText) }
        switch style {
        case .label: return "." + texts.joined(separator: explode ? "." : ",")
        case .matrix:
            let key = PercentEncoding.encode(name)
            return explode ? texts.map { ";\(key)=\($0)" }.joined() : ";\(key)=" + texts.joined(separator: ",")
        default: return texts.joined(separator: ",")
        }
    }

    /// An object: `k,v,k2,v2` or, exploded, `k=v,k2=v2`, with the label and matrix prefixes.
    public static func encode(_ name: String, _ object: ParameterObject, style: ParameterStyle = .simple, explode: Bool = false) -> String {
        let joined = object.components(exploded: explode, escape: PercentEncoding.encode)
        switch style {
        case .label: return "." + joined.joined(separator: explode ? "." : ",")
        case .matrix:
            return explode ? joined.map { ";" + $0 }.joined() : ";\(PercentEncoding.encode(name))=" + joined.joined(separator: ",")
        default: return joined.joined(separator: ",")
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

    /// Adds an array: `name=a&name=b` when exploded (the default), otherwise one item joined
    /// by the style's delimiter: `,` (form), `%20` (spaceDelimited) or `%7C` (pipeDelimited: a
    /// bare `|` is not allowed in a URL, and Foundation re-encodes the whole query around one).
    public mutating func append(_ name: String, _ values: [some ParameterValue]?, style: ParameterStyle = .form, explode: Bool = true) {
        guard let values, !values.isEmpty else { return }
        if explode {
            for value in values { append(name, value) }
        } else {
            let delimiter = style == .spaceDelimited ? "%20" : style == .pipeDelimited ? "%7C" : ","
            let joined = values.map { PercentEncoding.encode($0.parameterText) }.joined(separator: delimiter)
            items.append(PercentEncoding.encode(name) + "=" + joined)
        }
    }

    /// Adds an object: `key=value&…` (form, exploded), `name=key,value,…` (form), or
    /// `name[key]=value&…` (deepObject, nested objects as `name[a][b]`).
    public mutating func append(_ name: String, _ object: ParameterObject?, style: ParameterStyle = .form, explode: Bool = true) {
        guard let object else { return }
        switch style {
        case .deepObject:
            for member in object.members { appendDeep(PercentEncoding.encode(name), member.name, member.value) }
        case _ where explode:
            items += object.components(exploded: true, escape: PercentEncoding.encode)
        default:
            items.append(PercentEncoding.encode(name) + "=" + object.components(exploded: false, escape: PercentEncoding.encode).joined(separator: ","))
        }
    }

    private mutating func appendDeep(_ prefix: String, _ key: String, _ value: JSONValue) {
        let name = prefix + "%5B" + PercentEncoding.encode(key) + "%5D"
        switch value {
        case .object(let members):
            for (member, inner) in members.sorted(by: { $0.key < $1.key }) { appendDeep(name, member, inner) }
        case .array(let elements):
            for element in elements { items.append(name + "=" + PercentEncoding.encode(element.parameterText)) }
        default:
            items.append(name + "=" + PercentEncoding.encode(value.parameterText))
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

    /// Sets an array header parameter: `a,b`.
    public mutating func setParameter(_ name: String, _ values: [some ParameterValue]?) {
        guard let values else { return }
        self[name] = values.map(\.parameterText).joined(separator: ",")
    }

    /// Sets an object header parameter: `k,v,k2,v2`, or `k=v,k2=v2` when exploded.
    public mutating func setParameter(_ name: String, _ object: ParameterObject?, explode: Bool = false) {
        guard let object else { return }
        self[name] = object.components(exploded: explode).joined(separator: ",")
    }

    /// Adds a cookie parameter (`form` style) to the `Cookie` header: `name=value`, arrays as `name=a,b`.
    public mutating func appendCookie(_ name: String, _ value: (some ParameterValue)?) {
        guard let value else { return }
        appendCookieText(name, PercentEncoding.encode(value.parameterText))
    }

    /// Adds an array cookie parameter: `name=a,b`.
    public mutating func appendCookie(_ name: String, _ values: [some ParameterValue]?) {
        guard let values else { return }
        appendCookieText(name, values.map { PercentEncoding.encode($0.parameterText) }.joined(separator: ","))
    }

    private mutating func appendCookieText(_ name: String, _ text: String) {
        let pair = PercentEncoding.encode(name) + "=" + text
        self["Cookie"] = self["Cookie"].map { $0 + "; " + pair } ?? pair
    }
}

/// Why a server URL could not be built from its template.
public enum ServerURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The spec lists the values a variable may take, and this is not one of them.
    case notAllowed(variable: String, value: String, allowed: [String])
    /// The URL with its variables filled in does not parse.
    case invalidURL(String)

    /// What went wrong, with the variable and value.
    public var description: String {
        switch self {
        case .notAllowed(let variable, let value, let allowed):
            "'\(value)' is not an allowed value of server variable '\(variable)' (\(allowed.joined(separator: ", ")))"
        case .invalidURL(let text): "'\(text)' is not a valid URL"
        }
    }
}

/// Fills in a `servers` URL template (`https://{region}.example.com/v1`).
public enum ServerURL {
    /// The template with each `{name}` replaced by its value, after checking values against
    /// the ones the spec allows; an unparsable result is an error, never a crash.
    public static func resolve(_ template: String, _ variables: [(name: String, value: String, allowed: [String]?)] = []) throws(ServerURLError) -> URL {
        var text = template
        for variable in variables {
            if let allowed = variable.allowed, !allowed.contains(variable.value) {
                throw .notAllowed(variable: variable.name, value: variable.value, allowed: allowed)
            }
            text = text.replacingOccurrences(of: "{\(variable.name)}", with: variable.value)
        }
        guard let url = URL(string: text), url.scheme != nil, url.host != nil else { throw .invalidURL(text) }
        return url
    }
}
