import Foundation

/// Reads typed parameters out of a request, the inverse of ``QueryBuilder``,
/// ``PathParameter`` and the header setters: text split by the parameter's style, then
/// percent-decoded, then read as the parameter's type.
enum ParameterText {
    static func decode<Value: ParameterDecodable>(_ text: String, name: String, location: ParameterLocation) throws(RequestError) -> Value {
        guard let value = Value(parameterText: text) else {
            throw .invalidParameter(name: name, location: location, value: text, expected: "\(Value.self)")
        }
        return value
    }

    /// Splits encoded text at `separator`, then percent-decodes each part, so that an
    /// encoded delimiter inside a value stays in the value.
    static func decodeEach<Value: ParameterDecodable>(_ encoded: Substring, separator: String, name: String, location: ParameterLocation) throws(RequestError) -> [Value] {
        var values: [Value] = []
        for part in encoded.split(separator: separator, omittingEmptySubsequences: false) {
            values.append(try decode(percentDecoded(part), name: name, location: location))
        }
        return values
    }

    /// An object parameter decoded as `Value`; a member that does not fit is a violation
    /// whose path starts with the parameter's name (`filter.minimum`).
    static func decodeObject<Value: Decodable>(_ value: FormValue?, name: String, location: ParameterLocation) throws(RequestError) -> Value? {
        guard let value else { return nil }
        do {
            return try value.decode(Value.self)
        } catch let error as DecodingError {
            let violation = Violation(error)
            throw .parameterViolations([Violation(path: [.key(name)] + violation.path, message: violation.message)])
        } catch {
            throw .parameterViolations([Violation(path: [.key(name)], message: "\(error)")])
        }
    }

    /// An object spelled `k,v,k2,v2` (or `k=v,k2=v2`) that does not pair up.
    static func unpaired(_ name: String, _ location: ParameterLocation, _ text: some StringProtocol) -> RequestError {
        .invalidParameter(name: name, location: location, value: String(text), expected: "object (name and value pairs)")
    }

    static func percentDecoded(_ text: some StringProtocol, plusIsSpace: Bool = false) -> String {
        let text = plusIsSpace ? text.replacingOccurrences(of: "+", with: " ") : String(text)
        return text.removingPercentEncoding ?? text
    }
}

/// A parameter the spec requires: its absence is a ``RequestError/missingParameter(name:location:)``.
public func requiredParameter<Value>(_ value: Value?, _ name: String, in location: ParameterLocation) throws(RequestError) -> Value {
    guard let value else { throw .missingParameter(name: name, location: location) }
    return value
}

/// The query of a request, item by item, in the `form`, `spaceDelimited` and `pipeDelimited` styles.
public struct QueryParameters: Sendable {
    /// Names decoded; values as they arrived, since array styles split them before decoding.
    private let items: [(name: String, encodedValue: Substring)]

    public init(_ query: String?) {
        items = (query ?? "").split(separator: "&").map { item in
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (ParameterText.percentDecoded(pair[0], plusIsSpace: true), pair.count > 1 ? pair[1] : "")
        }
    }

    /// The value of `name=value`; nil when the query has no such item.
    public func value<Value: ParameterDecodable>(_ name: String) throws(RequestError) -> Value? {
        guard let item = items.first(where: { $0.name == name }) else { return nil }
        return try ParameterText.decode(ParameterText.percentDecoded(item.encodedValue, plusIsSpace: true), name: name, location: .query)
    }

    /// An array: every `name=value` item when exploded, otherwise one item split by the
    /// style's delimiter (`,`, space or `|`); nil when the query has none.
    public func values<Value: ParameterDecodable>(_ name: String, style: ParameterStyle = .form, explode: Bool = true) throws(RequestError) -> [Value]? {
        let matching = items.filter { $0.name == name }
        guard let first = matching.first else { return nil }
        if explode {
            var values: [Value] = []
            for item in matching {
                values.append(try ParameterText.decode(ParameterText.percentDecoded(item.encodedValue, plusIsSpace: true), name: name, location: .query))
            }
            return values
        }
        // Clients send the space and pipe delimiters encoded (`%20`, `+`, `%7C`) or not, so both
        // spellings delimit: the styles cannot tell an encoded delimiter inside a value from one between values.
        var text = first.encodedValue
        switch style {
        case .spaceDelimited: text = Substring(text.replacingOccurrences(of: "%20", with: " ").replacingOccurrences(of: "+", with: " "))
        case .pipeDelimited: text = Substring(text.replacingOccurrences(of: "%7C", with: "|", options: .caseInsensitive))
        default: break
        }
        let separator = style == .pipeDelimited ? "|" : style == .spaceDelimited ? " " : ","
        return try ParameterText.decodeEach(text, separator: separator, name: name, location: .query)
    }
}

extension QueryParameters {
    /// An object: `key=value&…` (form, exploded; every item not named in `excluding`, which
    /// holds the operation's other query parameters), `name=key,value,…` (form), or
    /// `name[key]=value&…` (deepObject, nested as `name[a][b]`); nil when the query has none.
    public func object<Value: Decodable>(_ name: String, style: ParameterStyle = .form, explode: Bool = true, excluding: Set<String> = []) throws(RequestError) -> Value? {
        let value: FormValue?
        if style == .deepObject {
            value = .deepObject(name, items: items.map { ($0.name, ParameterText.percentDecoded($0.encodedValue, plusIsSpace: true)) })
        } else if explode {
            // A deepObject parameter's items (`filter[a]`) belong to it, not to this object.
            let isOthers = { (item: String) in excluding.contains(item) || excluding.contains { item.hasPrefix($0 + "[") } }
            value = formObject { !isOthers($0) }
        } else {
            guard let item = items.first(where: { $0.name == name }) else { return nil }
            let components = item.encodedValue.split(separator: ",", omittingEmptySubsequences: false)
            guard let object = FormValue.object(components: components, exploded: false, decode: { ParameterText.percentDecoded($0, plusIsSpace: true) }) else {
                throw ParameterText.unpaired(name, .query, item.encodedValue)
            }
            value = object
        }
        return try ParameterText.decodeObject(value, name: name, location: .query)
    }

    /// The items whose names pass `includes`, as one object (repeated names are lists);
    /// nil when none does. A form-urlencoded body is read the same way.
    func formObject(includes: (String) -> Bool = { _ in true }) -> FormValue? {
        let members = items.filter { includes($0.name) }.map { ($0.name, FormValue.text(ParameterText.percentDecoded($0.encodedValue, plusIsSpace: true))) }
        return members.isEmpty ? nil : .object(FormValue.members(members))
    }
}

/// The path parameters of a request, matched against its operation's path template, in the
/// `simple`, `label` and `matrix` styles.
public struct PathParameters: Sendable {
    /// Values as they arrived, percent-encoded, by name.
    private let encoded: [String: Substring]

    /// Matches `path` (percent-encoded) against `template` (`/items/{id}`); the transport
    /// routed the request here, so a mismatch names the first parameter as missing.
    public init(_ path: String, template: String) throws(RequestError) {
        var values: [String: Substring] = [:]
        let templateSegments = template.split(separator: "/", omittingEmptySubsequences: false)
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: false)
        if templateSegments.count == pathSegments.count {
            for (pattern, segment) in zip(templateSegments, pathSegments) where pattern.contains("{") {
                Self.match(pattern, segment, into: &values)
            }
        }
        for name in Self.names(in: template) where values[name] == nil {
            throw .missingParameter(name: name, location: .path)
        }
        encoded = values
    }

    /// A scalar: `value`, `.value` (label) or `;name=value` (matrix).
    public func value<Value: ParameterDecodable>(_ name: String, style: ParameterStyle = .simple) throws(RequestError) -> Value {
        let text = try unprefixed(name, style: style)
        return try ParameterText.decode(ParameterText.percentDecoded(text), name: name, location: .path)
    }

    /// An array: `a,b`, `.a.b`/`.a,b` (label), `;name=a;name=b`/`;name=a,b` (matrix).
    public func values<Value: ParameterDecodable>(_ name: String, style: ParameterStyle = .simple, explode: Bool = false) throws(RequestError) -> [Value] {
        let text = try unprefixed(name, style: style)
        let separator = switch style {
        case .label where explode: "."
        case .matrix where explode: ";\(PercentEncoding.encode(name))="
        default: ","
        }
        return try ParameterText.decodeEach(text, separator: separator, name: name, location: .path)
    }

    /// An object: `k,v` or `k=v,k2=v2` (simple), `.k,v` or `.k=v.k2=v2` (label),
    /// `;name=k,v` or `;k=v;k2=v2` (matrix).
    public func object<Value: Decodable>(_ name: String, style: ParameterStyle = .simple, explode: Bool = false) throws(RequestError) -> Value {
        let components: [Substring]
        switch style {
        // Exploded matrix members are named by their own keys, not the parameter's.
        case .matrix where explode:
            guard let text = encoded[name] else { throw .missingParameter(name: name, location: .path) }
            guard text.hasPrefix(";") else { throw ParameterText.unpaired(name, .path, text) }
            components = text.dropFirst().split(separator: ";", omittingEmptySubsequences: false)
        case .label where explode:
            components = try unprefixed(name, style: style).split(separator: ".", omittingEmptySubsequences: false)
        default:
            components = try unprefixed(name, style: style).split(separator: ",", omittingEmptySubsequences: false)
        }
        guard let object = FormValue.object(components: components, exploded: explode, decode: { ParameterText.percentDecoded($0) }),
            let value: Value = try ParameterText.decodeObject(object, name: name, location: .path)
        else { throw ParameterText.unpaired(name, .path, encoded[name] ?? "") }
        return value
    }

    private func unprefixed(_ name: String, style: ParameterStyle) throws(RequestError) -> Substring {
        guard let text = encoded[name] else { throw .missingParameter(name: name, location: .path) }
        let prefix = switch style {
        case .label: "."
        case .matrix: ";\(PercentEncoding.encode(name))="
        default: ""
        }
        guard text.hasPrefix(prefix) else {
            throw .invalidParameter(name: name, location: .path, value: String(text), expected: "\(style) style value starting with '\(prefix)'")
        }
        return text.dropFirst(prefix.count)
    }

    private static func names(in template: String) -> [String] {
        template.split(separator: "{").dropFirst().compactMap { $0.split(separator: "}", maxSplits: 1).first.map(String.init) }
    }

    /// Matches one segment (`{name}.{ext}`): literals exactly, each parameter up to the next literal.
    private static func match(_ pattern: Substring, _ segment: Substring, into values: inout [String: Substring]) {
        var rest = segment
        var remaining = pattern
        while !remaining.isEmpty {
            if remaining.first == "{", let close = remaining.firstIndex(of: "}") {
                let name = String(remaining[remaining.index(after: remaining.startIndex)..<close])
                remaining = remaining[remaining.index(after: close)...]
                let literal = remaining.prefix { $0 != "{" }
                let end = literal.isEmpty ? rest.endIndex : (rest.range(of: literal)?.lowerBound ?? rest.endIndex)
                values[name] = rest[..<end]
                rest = rest[end...]
            } else {
                let literal = remaining.prefix { $0 != "{" }
                guard rest.hasPrefix(literal) else { return }
                rest = rest.dropFirst(literal.count)
                remaining = remaining.dropFirst(literal.count)
            }
        }
    }
}

extension HTTPHeaders {
    /// A header parameter (`simple` style; arrays comma-separated); nil when absent.
    public func parameter<Value: ParameterDecodable>(_ name: String) throws(RequestError) -> Value? {
        guard let text = self[name] else { return nil }
        return try ParameterText.decode(text, name: name, location: .header)
    }

    /// An object header parameter: `k,v,k2,v2`, or `k=v,k2=v2` when exploded; nil when absent.
    public func parameterObject<Value: Decodable>(_ name: String, explode: Bool = false) throws(RequestError) -> Value? {
        guard let text = self[name] else { return nil }
        let components = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.drop { $0 == " " } }
        guard let object = FormValue.object(components: components, exploded: explode, decode: { String($0) }) else {
            throw ParameterText.unpaired(name, .header, text)
        }
        return try ParameterText.decodeObject(object, name: name, location: .header)
    }

    /// A cookie parameter (`form` style; arrays as `name=a,b`) from the `Cookie` header; nil when absent.
    public func cookie<Value: ParameterDecodable>(_ name: String) throws(RequestError) -> Value? {
        guard let encoded = cookieText(name) else { return nil }
        return try ParameterText.decode(ParameterText.percentDecoded(encoded), name: name, location: .cookie)
    }

    /// An array cookie parameter: `name=a,b`.
    public func cookies<Value: ParameterDecodable>(_ name: String) throws(RequestError) -> [Value]? {
        guard let encoded = cookieText(name) else { return nil }
        return try ParameterText.decodeEach(encoded, separator: ",", name: name, location: .cookie)
    }

    private func cookieText(_ name: String) -> Substring? {
        let encodedName = PercentEncoding.encode(name)
        for header in fields where header.name.caseInsensitiveCompare("Cookie") == .orderedSame {
            for pair in header.value.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                if trimmed.hasPrefix(encodedName + "=") { return trimmed.dropFirst(encodedName.count + 1) }
            }
        }
        return nil
    }
}
