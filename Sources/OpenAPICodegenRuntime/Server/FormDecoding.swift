import Foundation

/// Values as an object parameter, a form body or a multipart body spells them, before they
/// are decoded as the spec's type: the inverse of ``ParameterObject``, ``FormURLEncoded`` and
/// ``MultipartForm``. Text carries no type of its own, so the type being decoded says how
/// to read it (`5` as an `Int`, `true` as a `Bool`).
indirect enum FormValue: Sendable {
    /// Text, percent-decoded.
    case text(String)
    /// A multipart part's bytes: a `Data` member takes them as they are, any other type reads them as UTF-8 text.
    case bytes(Data)
    /// A multipart part sent as `application/json`: decoded as JSON, strictly.
    case json(Data)
    /// A name given more than once (`tag=a&tag=b`, `filter[tag]=a&filter[tag]=b`).
    case list([FormValue])
    /// Members by name: an object parameter's keys, a form's fields, a deepObject's brackets.
    case object([String: FormValue])

    /// `name=a&name=b` → one member holding both: a repeated name is a list.
    static func members(_ pairs: [(name: String, value: FormValue)]) -> [String: FormValue] {
        var members: [String: FormValue] = [:]
        for (name, value) in pairs {
            switch members[name] {
            case nil: members[name] = value
            case .list(let values)?: members[name] = .list(values + [value])
            case let existing?: members[name] = .list([existing, value])
            }
        }
        return members
    }

    /// Decodes `Value` from this form value, a mismatch thrown as a `DecodingError` with its path.
    func decode<Value: Decodable>(_ type: Value.Type = Value.self, codingPath: [any CodingKey] = []) throws -> Value {
        if case .json(let data) = self { return try Self.decodeJSON(data, codingPath: codingPath) }
        // A file part's bytes as they are (text would not survive binary content).
        if Value.self == Data.self, let bytes = partBytes as? Value { return bytes }
        if case .list(let values) = self, !(Value.self is any FormList.Type) {
            // One of the values stands for a scalar or an object; a list of several does not.
            guard values.count == 1 else {
                throw DecodingError.typeMismatch(Value.self, .init(codingPath: codingPath, debugDescription: "expected one value, found \(values.count)"))
            }
            return try values[0].decode(Value.self, codingPath: codingPath)
        }
        // Objects and arrays inside a form or an object parameter are sent as JSON text.
        let jsonText = scalarText.flatMap { $0.first == "{" || $0.first == "[" ? $0 : nil }
        if let scalar = Value.self as? any ParameterDecodable.Type, !(Value.self is any FormList.Type), !(Value.self == JSONValue.self && jsonText != nil) {
            guard let text = scalarText else {
                // Free-form values decode from objects and lists; scalars do not (and must not
                // fall through to their `init(from:)`, which would ask this decoder again).
                if Value.self == JSONValue.self { return try Value(from: FormValueDecoder(value: self, codingPath: codingPath)) }
                throw DecodingError.typeMismatch(Value.self, .init(codingPath: codingPath, debugDescription: "expected a single value"))
            }
            guard let value = scalar.init(parameterText: text) as? Value else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "'\(text)' is not a valid \(Value.self)"))
            }
            return value
        }
        // Text that merely starts like JSON (an enum value `[draft]`) is read as text.
        if let jsonText, (try? JSONDecoder().decode(JSONValue.self, from: Data(jsonText.utf8))) != nil {
            return try Self.decodeJSON(Data(jsonText.utf8), codingPath: codingPath)
        }
        return try Value(from: FormValueDecoder(value: self, codingPath: codingPath))
    }

    private var partBytes: Data? {
        switch self {
        case .bytes(let data): data
        case .text(let text): Data(text.utf8)
        case .json, .list, .object: nil
        }
    }

    /// The text of a scalar: text as it is, a part's bytes as UTF-8.
    var scalarText: String? {
        switch self {
        case .text(let text): text
        case .bytes(let data): String(decoding: data, as: UTF8.self)
        case .json, .list, .object: nil
        }
    }

    private static func decodeJSON<Value: Decodable>(_ data: Data, codingPath: [any CodingKey]) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw error.prefixed(by: codingPath)
        }
    }
}

/// Arrays decode from a ``FormValue/list(_:)`` element by element, never from comma-separated text.
private protocol FormList {}
extension Array: FormList {}

extension DecodingError {
    /// The same error, its path starting at `prefix`: where the JSON sat inside the form.
    fileprivate func prefixed(by prefix: [any CodingKey]) -> DecodingError {
        guard !prefix.isEmpty else { return self }
        func moved(_ context: Context) -> Context {
            Context(codingPath: prefix + context.codingPath, debugDescription: context.debugDescription, underlyingError: context.underlyingError)
        }
        switch self {
        case .typeMismatch(let type, let context): return .typeMismatch(type, moved(context))
        case .valueNotFound(let type, let context): return .valueNotFound(type, moved(context))
        case .keyNotFound(let key, let context): return .keyNotFound(key, moved(context))
        case .dataCorrupted(let context): return .dataCorrupted(moved(context))
        @unknown default: return self
        }
    }
}

/// A `Decoder` over a ``FormValue``, so that generated models decode from forms and object
/// parameters through the same `init(from:)` that reads them from JSON.
private struct FormValueDecoder: Decoder {
    let value: FormValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object"))
        }
        return KeyedDecodingContainer(FormKeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .list(let values): FormUnkeyedContainer(values: values, codingPath: codingPath)
        case .object: throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected an array, found an object"))
        // A name given once is a list of one.
        default: FormUnkeyedContainer(values: [value], codingPath: codingPath)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        FormSingleValueContainer(value: value, codingPath: codingPath)
    }
}

private struct FormKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: FormValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.sorted().compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> FormValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "is required"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .json(let data) = try member(key) { return data.elementsEqual("null".utf8) }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try member(key).decode(T.self, codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try FormValueDecoder(value: member(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try FormValueDecoder(value: member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { FormValueDecoder(value: .object(members), codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder { FormValueDecoder(value: try member(key), codingPath: codingPath + [key]) }
}

private struct FormUnkeyedContainer: UnkeyedDecodingContainer {
    let values: [FormValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(values: [FormValue], codingPath: [any CodingKey]) {
        self.values = values
        self.codingPath = codingPath
    }

    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    private mutating func next() throws -> (FormValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "no more elements"))
        }
        defer { currentIndex += 1 }
        return (values[currentIndex], codingPath + [FormIndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try value.decode(T.self, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try FormValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try FormValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return FormValueDecoder(value: value, codingPath: path)
    }
}

private struct FormSingleValueContainer: SingleValueDecodingContainer {
    let value: FormValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .json(let data) = value { return data.elementsEqual("null".utf8) }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try value.decode(T.self, codingPath: codingPath)
    }
}

private struct FormIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { String(intValue ?? 0) }

    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

// MARK: Reading forms and object parameters from the wire

extension FormValue {
    /// The members of an object parameter spelled as a list: `k,v,k2,v2`, or exploded
    /// `k=v,k2=v2` (already split at the style's separator), each name and value decoded by `decode`.
    static func object(components: [Substring], exploded: Bool, decode: (Substring) -> String) -> FormValue? {
        var pairs: [(name: String, value: FormValue)] = []
        if exploded {
            for component in components where !component.isEmpty {
                let pair = component.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard pair.count == 2 else { return nil }
                pairs.append((decode(pair[0]), .text(decode(pair[1]))))
            }
        } else {
            guard components.count.isMultiple(of: 2) else { return nil }
            for index in stride(from: 0, to: components.count, by: 2) {
                pairs.append((decode(components[index]), .text(decode(components[index + 1]))))
            }
        }
        return .object(members(pairs))
    }

    /// `name[a][b]=v` items (names already decoded) → `{a: {b: v}}`; repeated names are lists.
    static func deepObject(_ name: String, items: [(name: String, value: String)]) -> FormValue? {
        var root = FormTree()
        var found = false
        for item in items where item.name.hasPrefix(name + "[") && item.name.hasSuffix("]") {
            let keys = item.name.dropFirst(name.count + 1).dropLast().components(separatedBy: "][")
            root.insert(item.value, at: keys[...])
            found = true
        }
        return found ? root.value : nil
    }

    /// An `application/x-www-form-urlencoded` body: `name=value&…` as a query spells it,
    /// `+` for spaces; an empty body is an object without members.
    static func urlEncodedForm(_ data: Data) -> FormValue {
        QueryParameters(String(decoding: data, as: UTF8.self)).formObject() ?? .object([:])
    }
}

/// The nested members a deepObject's brackets spell, built item by item.
private struct FormTree {
    var leaves: [String] = []
    var children: [String: FormTree] = [:]

    mutating func insert(_ value: String, at keys: ArraySlice<String>) {
        guard let key = keys.first else {
            leaves.append(value)
            return
        }
        children[key, default: FormTree()].insert(value, at: keys.dropFirst())
    }

    var value: FormValue {
        let texts = leaves.map(FormValue.text)
        guard !children.isEmpty else { return texts.count == 1 ? texts[0] : .list(texts) }
        let object = FormValue.object(children.mapValues(\.value))
        // A key given both a value and members (`f[a]=1&f[a][b]=2`) keeps both, so that
        // decoding it as either one refuses it rather than silently dropping the other.
        return texts.isEmpty ? object : .list(texts + [object])
    }
}

/// A `multipart/form-data` body (RFC 7578) split into its parts by the boundary its
/// `Content-Type` names.
enum MultipartParts {
    /// Why a body is not the multipart form its `Content-Type` announces.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// The parts by name: JSON parts as JSON, the rest as bytes.
    static func form(_ data: Data, contentType: String?) throws(Malformed) -> FormValue {
        guard let boundary = contentType.flatMap(boundary(in:)) else {
            throw Malformed(description: "the Content-Type names no boundary")
        }
        let delimiter = Data("--\(boundary)".utf8)
        let bytes = [UInt8](data)
        var pairs: [(name: String, value: FormValue)] = []
        guard var start = find(delimiter, in: bytes, from: 0) else { throw Malformed(description: "no part starts with the boundary '\(boundary)'") }
        while true {
            let afterDelimiter = start + delimiter.count
            if bytes[afterDelimiter...].starts(with: "--".utf8) { break }
            guard bytes[afterDelimiter...].starts(with: "\r\n".utf8) else { throw Malformed(description: "a boundary is not followed by a line break") }
            let partStart = afterDelimiter + 2
            guard let end = find(Data("\r\n".utf8) + delimiter, in: bytes, from: partStart) else {
                throw Malformed(description: "the body ends before its closing boundary")
            }
            pairs.append(try part(bytes[partStart..<end]))
            start = end + 2
        }
        return .object(FormValue.members(pairs))
    }

    private static func part(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> (name: String, value: FormValue) {
        let separator = Array("\r\n\r\n".utf8)
        guard let headerEnd = find(Data(separator), in: Array(bytes), from: 0) else { throw Malformed(description: "a part has no blank line after its headers") }
        let headerText = String(decoding: bytes.prefix(headerEnd), as: UTF8.self)
        let body = Data(bytes.dropFirst(headerEnd + separator.count))
        var name: String?
        var isJSON = false
        for line in headerText.split(separator: "\r\n") {
            let field = line.split(separator: ":", maxSplits: 1)
            guard field.count == 2 else { continue }
            let value = field[1].trimmingCharacters(in: .whitespaces)
            switch field[0].lowercased() {
            case "content-disposition": name = parameter("name", in: value)
            case "content-type": isJSON = ServerCore.mediaType(value, matches: "application/json")
            default: break
            }
        }
        guard let name else { throw Malformed(description: "a part's Content-Disposition names no field") }
        return (name, isJSON ? .json(body) : .bytes(body))
    }

    /// `boundary=abc` or `boundary="a b"` among a header's parameters.
    static func boundary(in contentType: String) -> String? {
        parameter("boundary", in: contentType)
    }

    /// A `;`-separated header parameter, unquoted; RFC 7578 §4.2 percent-encodes quotes in names.
    private static func parameter(_ name: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return value.replacingOccurrences(of: "%22", with: "\"").replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
        }
        return nil
    }

    private static func find(_ needle: Data, in bytes: [UInt8], from start: Int) -> Int? {
        let needle = [UInt8](needle)
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            if bytes[index] == first, bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
