#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A value that reads itself straight from JSON bytes through a ``JSONReader``, without
/// the tree of values and the `Decoder` dispatch per member that `JSONDecoder` costs.
/// Generated models conform when their target sets `jsonReaders: true`.
///
/// A reader gives the same result as `JSONDecoder` with default settings would for the
/// same type, and fails with the same `DecodingError` (case, coding path and description),
/// including Foundation's leniencies: the first of duplicate members wins, and a trailing
/// comma before `}` or `]` is accepted.
public protocol JSONReadable {
    /// Reads the value at the reader's position.
    init(jsonReader reader: inout JSONReader) throws
}

/// A value made of RFC 3339 `date-time`s (a `Date`, arrays and maps of them) read from JSON
/// text: the reading counterpart of ``DateTimeCodable``.
public protocol DateTimeReadable {
    /// Reads the value at the reader's position from RFC 3339 text.
    init(dateTimeReader reader: inout JSONReader) throws
}

/// JSON being read by generated code: a position in the bytes of one document, the coding
/// path to it, and the members of the objects being read.
///
/// Only the static `decode` methods create readers, over bytes that live as long as that call; a
/// reader must not be kept beyond the `init(jsonReader:)` it is passed to.
public struct JSONReader {
    /// One member of an object: where its key and value start.
    struct Member {
        let keyStart: Int
        let keyEnd: Int
        let keyHasEscapes: Bool
        let valueStart: Int
    }

    /// The most containers a document may nest, as Foundation's parser allows: deeper
    /// input is refused instead of exhausting the stack.
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var depth = 0
    /// The path to the value being read, built into coding keys only when an error needs it.
    private var path: [PathElement] = []
    /// Members of every object being read, innermost last (one buffer for all of them).
    private var members: [Member] = []
    /// Where the next member lookup starts: just after the last one found, since members
    /// usually come in the order generated code asks for them.
    private var hint = 0

    enum PathElement {
        case literal(StaticString)
        case name(String)
        case index(Int)
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Reads a whole document as `T`, or throws what `JSONDecoder().decode(T.self, from:)` would.
    public static func decode<T: JSONReadable>(_ type: T.Type, from data: some ContiguousBytes) throws -> T {
        try data.withUnsafeBytes { try read(T.self, from: $0) }
    }

    /// Reads a whole document held as text.
    public static func decode<T: JSONReadable>(_ type: T.Type, from text: String) throws -> T {
        var text = text
        return try text.withUTF8 { try read(T.self, from: UnsafeRawBufferPointer($0)) }
    }

    /// Whether JSONDecoder would take `bytes` for something other than plain UTF-8: a
    /// byte-order mark (UTF-8's included), or a NUL among the first two bytes, which it
    /// reads as UTF-16 or UTF-32 without a mark.
    static func isForeignEncoding(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 2 else { return false }
        let (first, second) = (bytes[0], bytes[1])
        if first == 0 || second == 0 || (first, second) == (0xFE, 0xFF) || (first, second) == (0xFF, 0xFE) { return true }
        return bytes.count >= 3 && (first, second, bytes[2]) == (0xEF, 0xBB, 0xBF)
    }

    /// `T` read by its generated reader when it has one (`jsonReaders: true`), else by
    /// `JSONDecoder`: what generated clients and servers decode bodies with.
    public static func decodeReadingDirectly<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard let readable = T.self as? any JSONReadable.Type else { return try JSONDecoder().decode(T.self, from: data) }
        func read<Readable: JSONReadable>(_ type: Readable.Type) throws -> Any { try decode(Readable.self, from: data) }
        return try read(readable) as! T  // `readable` is `T` itself, seen through its conformance
    }

    private static func read<T: JSONReadable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        // JSONDecoder reads UTF-16 and UTF-32 too; a document in either (rare, and not what
        // RFC 8259 allows between systems) is left to it, so that both still agree.
        if isForeignEncoding(bytes), let decodable = T.self as? any Decodable.Type {
            func decode<D: Decodable>(_ type: D.Type) throws -> Any { try JSONDecoder().decode(D.self, from: Data(bytes)) }
            return try decode(decodable) as! T  // `decodable` is `T` itself, seen through its conformance
        }
        var reader = JSONReader(bytes: bytes)
        do {
            reader.skipWhitespace()
            let value = try T(jsonReader: &reader)
            reader.skipWhitespace()
            guard reader.position == bytes.count else { throw reader.invalidJSON() }
            return value
        } catch {
            // JSONDecoder parses the whole document before it decodes anything, so invalid
            // JSON anywhere wins over an error in what was read before reaching it.
            var validator = JSONReader(bytes: bytes)
            validator.skipWhitespace()
            if (try? validator.skipValue()) == nil || { validator.skipWhitespace(); return validator.position != bytes.count }() {
                throw validator.invalidJSON()
            }
            throw error
        }
    }

    // MARK: What generated code calls

    /// The members of the object at the reader's position, after checking the whole of it is
    /// valid JSON; pass the result to the `decode…` methods, then to ``end(_:)``.
    public mutating func beginObject() throws -> JSONObjectMembers {
        let start = position
        switch try peekKind() {
        case .object: break
        case .null: throw DecodingError.valueNotFound([String: Any].self, context("Cannot get keyed decoding container -- found null value instead"))
        case let kind: throw mismatch([String: Any].self, found: kind)
        }
        let first = members.count
        try enterContainer()
        position += 1
        skipWhitespace()
        while try !closes(UInt8(ascii: "}")) {
            guard byte == UInt8(ascii: "\"") else { throw invalidJSON() }
            let keyStart = position + 1
            let hasEscapes = try skipString()
            let keyEnd = position - 1
            // JSONDecoder turns every key of an object it opens into a String, refusing bad
            // escapes and bytes that are not UTF-8; ASCII keys without escapes cannot be either.
            if hasEscapes || !isPlainASCII(keyStart, keyEnd) { _ = try text(keyStart, keyEnd, hasEscapes: hasEscapes) }
            skipWhitespace()
            guard byte == UInt8(ascii: ":") else { throw invalidJSON() }
            position += 1
            skipWhitespace()
            members.append(Member(keyStart: keyStart, keyEnd: keyEnd, keyHasEscapes: hasEscapes, valueStart: position))
            try skipValue()
            try separator(before: UInt8(ascii: "}"))
        }
        depth -= 1
        return JSONObjectMembers(start: start, end: position, first: first, count: members.count - first, enclosingHint: hint)
    }

    /// Done with `object`: the reader moves past it.
    public mutating func end(_ object: JSONObjectMembers) {
        members.removeSubrange(object.first...)
        position = object.end
        hint = object.enclosingHint
    }

    /// Back to the start of `object`, to read it again as something else (a union's variant
    /// once its discriminator is known).
    public mutating func rewind(_ object: JSONObjectMembers) {
        members.removeSubrange(object.first...)
        position = object.start
        hint = object.enclosingHint
    }

    /// Where the reader stands, to come back to with ``reset(to:)``.
    public struct Mark {
        fileprivate let position: Int
        fileprivate let depth: Int
        fileprivate let pathCount: Int
        fileprivate let memberCount: Int
        fileprivate let hint: Int
    }

    /// Where the reader stands now: a `oneOf` without a discriminator reads the same value
    /// once per variant, each time from here.
    public func mark() -> Mark {
        Mark(position: position, depth: depth, pathCount: path.count, memberCount: members.count, hint: hint)
    }

    /// Back to `mark`, whatever a failed read left behind (open objects, path steps).
    public mutating func reset(to mark: Mark) {
        position = mark.position
        depth = mark.depth
        path.removeSubrange(mark.pathCount...)
        members.removeSubrange(mark.memberCount...)
        hint = mark.hint
    }

    /// For each list of member names, whether the value at the reader's position is an object
    /// with every one of them (an empty list: always true). The reader does not move. A `oneOf`
    /// reader passes over variants that lack a member they need instead of trying them, which
    /// would cost an error each.
    public mutating func objectHasMembers(_ lists: [[StaticString]]) -> [Bool] {
        let start = mark()
        defer { reset(to: start) }
        guard position < bytes.count, byte == UInt8(ascii: "{"), let object = try? beginObject() else {
            return lists.map(\.isEmpty)
        }
        return lists.map { names in names.allSatisfy { find($0, in: object) != nil } }
    }

    /// The error of a `oneOf` that did not match exactly one variant, at the reader's path,
    /// worded as its `init(from:)` words it (see ``UnionMismatch``).
    public func unionMismatch(_ typeName: String, matchCount: Int, failures: [(variant: String, error: any Error)]) -> DecodingError {
        UnionMismatch.error(typeName, matchCount: matchCount, failures: failures, codingPath: codingPath())
    }

    // The member readers are inlinable so that each is specialised for its value type where
    // generated code calls it: unspecialised, looking up generic metadata took a tenth of
    // all reading time.

    /// The member `key` of `object` as `Value`: `keyNotFound` when absent.
    @inlinable
    public mutating func decodeValue<Value: JSONReadable>(_ object: JSONObjectMembers, _ key: StaticString) throws -> Value {
        try decode(Value.self, object, key)
    }

    /// The member `key` of `object` as `Value`, its type spelled out.
    @inlinable
    public mutating func decode<Value: JSONReadable>(_ type: Value.Type, _ object: JSONObjectMembers, _ key: StaticString) throws -> Value {
        try readMember(key, of: object) { try Value(jsonReader: &$0) }
    }

    /// The member `key` of `object` as `Value`, or nil when absent or null.
    @inlinable
    public mutating func decodeValueIfPresent<Value: JSONReadable>(_ object: JSONObjectMembers, _ key: StaticString) throws -> Value? {
        try decodeIfPresent(Value.self, object, key)
    }

    /// The member `key` of `object` as `Value`, or nil when absent or null; its type spelled out.
    @inlinable
    public mutating func decodeIfPresent<Value: JSONReadable>(_ type: Value.Type, _ object: JSONObjectMembers, _ key: StaticString) throws -> Value? {
        try readMemberIfPresent(key, of: object) { try Value(jsonReader: &$0) }
    }

    /// The member `key` of `object` as RFC 3339 text (or arrays and maps of it).
    @inlinable
    public mutating func decodeDateTime<Value: DateTimeReadable>(_ object: JSONObjectMembers, _ key: StaticString) throws -> Value {
        try readMember(key, of: object) { try Value(dateTimeReader: &$0) }
    }

    /// Like ``decodeDateTime(_:_:)``, but nil when the member is absent or null.
    @inlinable
    public mutating func decodeDateTimeIfPresent<Value: DateTimeReadable>(_ object: JSONObjectMembers, _ key: StaticString) throws -> Value? {
        try readMemberIfPresent(key, of: object) { try Value(dateTimeReader: &$0) }
    }

    /// Member `key` of `object`, read by `read` with the key in the path.
    @inlinable
    mutating func readMember<Value>(_ key: StaticString, of object: JSONObjectMembers, _ read: (inout JSONReader) throws -> Value) throws -> Value {
        try enterMember(key, of: object)
        let value = try read(&self)
        leaveMember()
        return value
    }

    /// Like `readMember(_:of:_:)`, but nil when the member is absent or null.
    @inlinable
    mutating func readMemberIfPresent<Value>(_ key: StaticString, of object: JSONObjectMembers, _ read: (inout JSONReader) throws -> Value) throws -> Value? {
        guard enterMemberIfPresent(key, of: object) else { return nil }
        let value = try read(&self)
        leaveMember()
        return value
    }

    /// Moves to the value of member `key` and adds it to the path; `keyNotFound` when absent.
    @usableFromInline
    mutating func enterMember(_ key: StaticString, of object: JSONObjectMembers) throws {
        guard let member = find(key, in: object) else { throw keyNotFound(key) }
        position = member.valueStart
        path.append(.literal(key))
    }

    /// Like `enterMember(_:of:)`, but false (and nothing moves) when the member is absent or null.
    @usableFromInline
    mutating func enterMemberIfPresent(_ key: StaticString, of object: JSONObjectMembers) -> Bool {
        guard let member = find(key, in: object), !isNull(at: member.valueStart) else { return false }
        position = member.valueStart
        path.append(.literal(key))
        return true
    }

    /// Done with a member's value (after an error the path is left as it was, for the error).
    @usableFromInline
    mutating func leaveMember() {
        path.removeLast()
    }

    /// Every member of `object` not named in `known`, as `Value`: `additionalProperties`.
    public mutating func decodeAdditionalProperties<Value: JSONReadable>(
        _ type: Value.Type, _ object: JSONObjectMembers, excluding known: Set<String>
    ) throws -> [String: Value] {
        try readMembers(of: object, excluding: known) { try Value(jsonReader: &$0) }
    }

    /// Every member of `object` not named in `known`, as RFC 3339 text (or arrays and maps of it).
    public mutating func decodeDateTimeAdditionalProperties<Value: DateTimeReadable>(
        _ type: Value.Type, _ object: JSONObjectMembers, excluding known: Set<String>
    ) throws -> [String: Value] {
        try readMembers(of: object, excluding: known) { try Value(dateTimeReader: &$0) }
    }

    /// Throws for a member of `object` not named in `known` (`additionalProperties: false`).
    public mutating func rejectMembers(_ object: JSONObjectMembers, excluding known: Set<String>) throws {
        for index in object.first..<(object.first + object.count) {
            let name = try key(of: members[index])
            if !known.contains(name) {
                throw DecodingError.dataCorrupted(
                    context("member '\(name)' is not allowed (additionalProperties: false)", adding: .name(name)))
            }
        }
    }

    /// Moves past the value at the reader's position (a type with no members reads nothing).
    public mutating func skipValue() throws {
        switch byte {
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let closer = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            try enterContainer()
            position += 1
            skipWhitespace()
            while try !closes(closer) {
                if closer == UInt8(ascii: "}") {
                    guard byte == UInt8(ascii: "\"") else { throw invalidJSON() }
                    _ = try skipString()
                    skipWhitespace()
                    guard byte == UInt8(ascii: ":") else { throw invalidJSON() }
                    position += 1
                    skipWhitespace()
                }
                try skipValue()
                try separator(before: closer)
            }
            depth -= 1
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        default: try skipNumber()
        }
    }

    /// The value at the reader's position decoded by `JSONDecoder`, for the types generated
    /// code does not read itself (unions tried variant by variant); its errors carry the
    /// reader's path.
    public mutating func decodeWithDecoder<T: Decodable>(_ type: T.Type) throws -> T {
        let start = position
        try skipValue()
        let slice = Data(UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        do {
            return try JSONDecoder().decode(T.self, from: slice)
        } catch let error as DecodingError {
            throw prefixed(error)
        }
    }

    // MARK: Scalars

    /// The string at the reader's position.
    mutating func readString(as type: Any.Type = String.self) throws -> String {
        switch try peekKind() {
        case .string: break
        case .null: throw DecodingError.valueNotFound(type, context("Cannot get value of type \(type) -- found null value instead"))
        case let kind: throw mismatch(type, found: kind)
        }
        let start = position + 1
        let hasEscapes = try skipString()
        return try text(start, position - 1, hasEscapes: hasEscapes)
    }

    /// The integer at the reader's position: digits exactly, or a number with a fraction or
    /// exponent whose value is a whole number in range, as JSONDecoder reads them.
    mutating func readInteger<Integer: FixedWidthInteger & Decodable>(_ type: Integer.Type) throws -> Integer {
        try expectNumber(type)
        let (start, end, isPlain) = try numberToken()
        if isPlain {
            var value: Integer = 0
            let negative = bytes[start] == UInt8(ascii: "-")
            for index in (negative ? start + 1 : start)..<end {
                let digit = Integer(bytes[index] &- UInt8(ascii: "0"))
                let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowAdd) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                guard !overflowShift, !overflowAdd else { throw invalidJSON() }
                value = next
            }
            return value
        }
        // JSONDecoder lets an integer underflow to zero (`1e-400` is 0) but not a Double.
        let double = parseDouble(start, end, allowingUnderflow: true)
        // From 2^53 up, a Double no longer holds every integer and JSONDecoder reads the text
        // again as a Decimal, with rules of its own (`9007199254740993.5` is 9007199254740993):
        // such a number, rare where an integer is expected, is left to it.
        if let double, double.magnitude >= 0x1p53 {
            position = start
            return try decodeWithDecoder(Integer.self)
        }
        guard let double, let value = Integer(exactly: double) else { throw invalidJSON() }
        return value
    }

    /// The finite number at the reader's position.
    mutating func readDouble(as type: Any.Type = Double.self) throws -> Double {
        try expectNumber(type)
        let (start, end, _) = try numberToken()
        guard let value = parseDouble(start, end) else { throw invalidJSON() }
        return value
    }

    mutating func readBool() throws -> Bool {
        switch try peekKind() {
        case .bool:
            let value = byte == UInt8(ascii: "t")
            try skipValue()
            return value
        case .null: throw DecodingError.typeMismatch(Bool.self, context("Expected to decode Bool but found null instead."))
        case let kind: throw mismatch(Bool.self, found: kind)
        }
    }

    /// The array at the reader's position, each element read by `element` with its index in the path.
    @inlinable
    mutating func readArray<Element>(_ element: (inout JSONReader) throws -> Element) throws -> [Element] {
        try beginArray()
        var elements: [Element] = []
        while try nextElement() {
            elements.append(try element(&self))
        }
        return elements
    }

    /// nil for null, else the value `read` reads.
    mutating func readNullable<Value>(_ read: (inout JSONReader) throws -> Value) throws -> Value? {
        guard try peekKind() == .null else { return try read(&self) }
        try skipValue()
        return nil
    }

    /// Opens the array at the reader's position; then `nextElement()` until it returns false.
    @usableFromInline
    mutating func beginArray() throws {
        switch try peekKind() {
        case .array: break
        case .null: throw DecodingError.valueNotFound([Any].self, context("Cannot get unkeyed decoding container -- found null value instead"))
        case let kind: throw mismatch([Any].self, found: kind)
        }
        try enterContainer()
        position += 1
        skipWhitespace()
        path.append(.index(-1))
    }

    /// Moves to the next element of the array being read, its index in the path; false at
    /// the end of the array, which the reader then moves past.
    @usableFromInline
    mutating func nextElement() throws -> Bool {
        guard case .index(let previous) = path.removeLast() else { preconditionFailure("nextElement() outside an array") }
        if previous >= 0 {
            skipWhitespace()
            try separator(before: UInt8(ascii: "]"))
        }
        if try closes(UInt8(ascii: "]")) {
            depth -= 1
            return false
        }
        path.append(.index(previous + 1))
        return true
    }

    /// The object at the reader's position as a map, each value read by `value`.
    mutating func readMap<Value>(_ value: (inout JSONReader) throws -> Value) throws -> [String: Value] {
        let object = try beginObject()
        let map = try readMembers(of: object, excluding: [], value)
        end(object)
        return map
    }

    /// Where the reader is, to go back there after a failed attempt.
    struct Checkpoint {
        fileprivate let position: Int
        fileprivate let depth: Int
        fileprivate let pathCount: Int
        fileprivate let membersCount: Int
    }

    func checkpoint() -> Checkpoint {
        Checkpoint(position: position, depth: depth, pathCount: path.count, membersCount: members.count)
    }

    mutating func restore(_ checkpoint: Checkpoint) {
        position = checkpoint.position
        depth = checkpoint.depth
        path.removeSubrange(checkpoint.pathCount...)
        members.removeSubrange(checkpoint.membersCount...)
    }

    /// What kind of value is at the reader's position (for ``JSONValue``).
    mutating func peekKind() throws -> JSONKind {
        guard position < bytes.count else { throw invalidJSON() }
        switch byte {
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw invalidJSON()
        }
    }

    enum JSONKind {
        case string, number, bool, null, array, object

        /// How JSONDecoder names it in a type mismatch.
        var article: String {
            switch self {
            case .string: "a string"
            case .number: "number"
            case .bool: "bool"
            case .null: "null"
            case .array: "an array"
            case .object: "a dictionary"
            }
        }
    }

    // MARK: Errors

    /// What JSONDecoder says about input that is not JSON (or a number it cannot hold), always at the top.
    static let invalidJSONDescription = "The given data was not valid JSON."

    func invalidJSON() -> DecodingError {
        DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: Self.invalidJSONDescription))
    }

    func mismatch(_ type: Any.Type, found kind: JSONKind) -> DecodingError {
        DecodingError.typeMismatch(type, context("Expected to decode \(type) but found \(kind.article) instead."))
    }

    /// An error about the value being read, at its path (and `adding` one more step).
    func context(_ description: String, adding element: PathElement? = nil) -> DecodingError.Context {
        DecodingError.Context(codingPath: codingPath(adding: element), debugDescription: description)
    }

    private func keyNotFound(_ key: StaticString) -> DecodingError {
        let codingKey = DynamicCodingKey("\(key)")
        return DecodingError.keyNotFound(codingKey, context("No value associated with key \(codingKey) (\"\(codingKey.stringValue)\")."))
    }

    private func codingPath(adding element: PathElement? = nil) -> [any CodingKey] {
        (path + (element.map { [$0] } ?? [])).map { element -> any CodingKey in
            switch element {
            case .literal(let key): DynamicCodingKey("\(key)")
            case .name(let key): DynamicCodingKey(key)
            case .index(let index): IndexCodingKey(index)
            }
        }
    }

    /// An error of `JSONDecoder` on part of the document, with the reader's path in front;
    /// invalid JSON keeps the empty path JSONDecoder gives it.
    private func prefixed(_ error: DecodingError) -> DecodingError {
        let prefix = codingPath()
        func moved(_ context: DecodingError.Context) -> DecodingError.Context {
            DecodingError.Context(codingPath: prefix + context.codingPath, debugDescription: context.debugDescription, underlyingError: context.underlyingError)
        }
        switch error {
        case .typeMismatch(let type, let context): return .typeMismatch(type, moved(context))
        case .valueNotFound(let type, let context): return .valueNotFound(type, moved(context))
        case .keyNotFound(let key, let context): return .keyNotFound(key, moved(context))
        case .dataCorrupted(let context) where context.codingPath.isEmpty && context.debugDescription == Self.invalidJSONDescription: return error
        case .dataCorrupted(let context): return .dataCorrupted(moved(context))
        @unknown default: return error
        }
    }

    // MARK: Scanning

    private var byte: UInt8 { position < bytes.count ? bytes[position] : 0 }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
            default: return
            }
        }
    }

    private mutating func enterContainer() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw invalidJSON() }
    }

    /// Whether the container ends here (and moves past its closing byte if so).
    private mutating func closes(_ closer: UInt8) throws -> Bool {
        guard position < bytes.count else { throw invalidJSON() }
        guard byte == closer else { return false }
        position += 1
        return true
    }

    /// After a member or element: a comma (a trailing one before the closer is accepted, as
    /// JSONDecoder accepts it) or the closer itself, left for `closes(_:)`.
    private mutating func separator(before closer: UInt8) throws {
        skipWhitespace()
        if byte == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
        } else if byte != closer {
            throw invalidJSON()
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count, matches(literal, at: position) else { throw invalidJSON() }
        position += count
    }

    /// Moves past the string at the reader's position (its opening quote); whether it has escapes.
    private mutating func skipString() throws -> Bool {
        position += 1
        var hasEscapes = false
        while position < bytes.count {
            skipPlainWords()
            guard position < bytes.count else { break }
            let current = bytes[position]
            if current == UInt8(ascii: "\"") {
                position += 1
                return hasEscapes
            } else if current == UInt8(ascii: "\\") {
                hasEscapes = true
                // As JSONDecoder scans (its answers pinned by the reader tests): `\u` takes the
                // next four bytes unchecked unless one is a quote or the text ends first,
                // which makes the document invalid; other escapes take one byte.
                if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") {
                    let digits = position + 2..<position + 6
                    guard digits.upperBound <= bytes.count, !digits.contains(where: { bytes[$0] == UInt8(ascii: "\"") }) else { throw invalidJSON() }
                    position = digits.upperBound
                } else {
                    position += 2
                }
            } else {
                // A control character is refused only in text that is read (see `text`):
                // JSONDecoder does not look inside the strings it skips.
                position += 1
            }
        }
        throw invalidJSON()
    }

    /// Moves past whole 8-byte words of a string that hold no quote, backslash or control
    /// character, eight bytes per step instead of one (strings are most of a document).
    private mutating func skipPlainWords() {
        while position + 8 <= bytes.count {
            if JSONStringBytes.wordHasSpecialByte(bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)) { return }
            position += 8
        }
    }

    /// The bytes of the number at the reader's position, checked against JSON's grammar, and
    /// whether it is digits only (no fraction or exponent). The number is the whole run of
    /// bytes numbers are made of, as JSONDecoder scans it: `1-400` is one broken number.
    private mutating func numberToken() throws -> (start: Int, end: Int, isPlain: Bool) {
        let start = position
        let end = numberRunEnd()
        var isPlain = true
        func digits() -> Int {
            let first = position
            while position < end, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") { position += 1 }
            return position - first
        }
        if byte == UInt8(ascii: "-") { position += 1 }
        let leading = position
        let count = digits()
        guard count > 0, count == 1 || bytes[leading] != UInt8(ascii: "0") else { throw invalidJSON() }
        if position < end, byte == UInt8(ascii: ".") {
            isPlain = false
            position += 1
            guard digits() > 0 else { throw invalidJSON() }
        }
        if position < end, byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            isPlain = false
            position += 1
            if position < end, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw invalidJSON() }
        }
        guard position == end else { throw invalidJSON() }
        return (start, end, isPlain)
    }

    /// Where the run of number bytes (digits, sign, point, exponent) at the reader's position ends.
    private func numberRunEnd() -> Int {
        var end = position
        while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): end += 1
            default: return end
            }
        }
        return end
    }

    /// Moves past a number that is not read: JSONDecoder checks a number's grammar only when
    /// it converts it.
    private mutating func skipNumber() throws {
        guard byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else { throw invalidJSON() }
        position = numberRunEnd()
    }

    /// A number token as a finite Double; nil when it overflows, or underflows to zero unless
    /// that is allowed: JSONDecoder refuses both for a Double.
    private func parseDouble(_ start: Int, _ end: Int, allowingUnderflow: Bool = false) -> Double? {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        if value == 0, !allowingUnderflow, bytes[start..<end].contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) {
            // A nonzero mantissa that came out as zero: the exponent underflowed.
            let exponent = bytes[start..<end].firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? end
            if bytes[start..<exponent].contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) { return nil }
        }
        return value
    }

    private mutating func expectNumber(_ type: Any.Type) throws {
        switch try peekKind() {
        case .number: return
        case .null: throw DecodingError.valueNotFound(type, context("Cannot get value of type \(type) -- found null value instead"))
        case let kind: throw mismatch(type, found: kind)
        }
    }

    /// Whether the bytes at `start` are those of `literal` (the caller checks there are enough).
    private func matches(_ literal: StaticString, at start: Int) -> Bool {
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for offset in 0..<expected.count where bytes[start + offset] != expected[offset] { return false }
        return true
    }

    private func isNull(at index: Int) -> Bool {
        bytes[index] == UInt8(ascii: "n")
    }

    /// The text between `start` and `end` (a string's contents), escapes resolved.
    private func text(_ start: Int, _ end: Int, hasEscapes: Bool) throws -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        guard hasEscapes else {
            // Printable ASCII needs no validation, and most JSON text is that.
            if isPlainASCII(start, end) { return String(decoding: raw, as: UTF8.self) }
            guard !raw.contains(where: { $0 < 0x20 }), let text = String(validating: raw, as: UTF8.self) else { throw invalidJSON() }
            return text
        }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(end - start)
        var index = start
        func hex(_ at: Int) throws -> UInt32 {
            guard at + 4 <= end else { throw invalidJSON() }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let digit = bytes[at + offset]
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value * 16 + UInt32(digit - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value * 16 + UInt32(digit - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value * 16 + UInt32(digit - UInt8(ascii: "A") + 10)
                default: throw invalidJSON()
                }
            }
            return value
        }
        while index < end {
            let current = bytes[index]
            guard current == UInt8(ascii: "\\") else {
                guard current >= 0x20 else { throw invalidJSON() }
                unescaped.append(current)
                index += 1
                continue
            }
            guard index + 1 < end else { throw invalidJSON() }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escaped)
            case UInt8(ascii: "b"): unescaped.append(0x08)
            case UInt8(ascii: "f"): unescaped.append(0x0C)
            case UInt8(ascii: "n"): unescaped.append(0x0A)
            case UInt8(ascii: "r"): unescaped.append(0x0D)
            case UInt8(ascii: "t"): unescaped.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex(index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one.
                    guard index + 6 <= end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { throw invalidJSON() }
                    let low = try hex(index + 2)
                    guard (0xDC00..<0xE000).contains(low) else { throw invalidJSON() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw invalidJSON()
                }
                unescaped.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: throw invalidJSON()
            }
        }
        guard let text = String(validating: unescaped, as: UTF8.self) else { throw invalidJSON() }
        return text
    }

    /// Whether the bytes from `start` to `end` are all printable ASCII (no control characters).
    private func isPlainASCII(_ start: Int, _ end: Int) -> Bool {
        bytes[start..<end].allSatisfy { $0 >= 0x20 && $0 < 0x80 }
    }

    private func key(of member: Member) throws -> String {
        try text(member.keyStart, member.keyEnd, hasEscapes: member.keyHasEscapes)
    }

    /// The first member of `object` named `key` (the first of duplicates wins, as in JSONDecoder).
    private mutating func find(_ key: StaticString, in object: JSONObjectMembers) -> Member? {
        firstIndex(of: key, in: object.first..<(object.first + object.count)).map { members[$0] }
    }

    private func firstIndex(of key: StaticString, in range: Range<Int>) -> Int? {
        let count = key.utf8CodeUnitCount
        for index in range {
            let member = members[index]
            if member.keyHasEscapes {
                if (try? self.key(of: member)) == "\(key)" { return index }
            } else if member.keyEnd - member.keyStart == count, matches(key, at: member.keyStart) {
                return index
            }
        }
        return nil
    }

    private mutating func readMembers<Value>(
        of object: JSONObjectMembers, excluding known: Set<String>, _ value: (inout JSONReader) throws -> Value
    ) throws -> [String: Value] {
        var result: [String: Value] = [:]
        for index in object.first..<(object.first + object.count) {
            let member = members[index]
            let name = try key(of: member)
            guard known.isEmpty || !known.contains(name), result[name] == nil else { continue }
            position = member.valueStart
            path.append(.name(name))
            result[name] = try value(&self)
            path.removeLast()
        }
        return result
    }
}

/// An object being read: where it starts and ends, and which of the reader's members are its own.
public struct JSONObjectMembers {
    let start: Int
    let end: Int
    let first: Int
    let count: Int
    /// The enclosing object's lookup hint, restored when this one ends.
    let enclosingHint: Int
}

/// The coding key of an array element, spelled as JSONDecoder spells it.
struct IndexCodingKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}
