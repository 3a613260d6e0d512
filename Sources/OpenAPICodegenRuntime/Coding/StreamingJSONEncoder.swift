import Foundation

/// Encodes `Encodable` values to JSON bytes in one pass, without the intermediate tree
/// Foundation's `JSONEncoder` builds: about ten times faster on generated models, which
/// matters for audit batches of a thousand events.
///
/// Output matches `JSONEncoder` with default settings for what generated code emits
/// (members in encoding order, no pretty printing); non-finite numbers are an error.
/// Coding paths are not tracked member by member (that would allocate for every member),
/// so errors name the container, not the exact key.
public struct StreamingJSONEncoder: Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> Data {
        // Room for the whole output up front (an audit event is 200 to 700 bytes): growing a
        // batch from a small buffer copies it several times over, and touches fresh memory
        // each time.
        let elements = (value as? any Collection)?.count ?? 1
        let output = JSONOutput(capacity: min(max(elements * 512, 1024), 8 * 1024 * 1024))
        try output.write(value, depth: 0, codingPath: [])
        output.close(deeperThan: 0)
        return output.takeData()
    }
}

/// A value that writes its own JSON straight into a ``JSONOutput``. Generated models do,
/// which skips the `Encoder` protocol's dispatch for every member.
public protocol JSONWritable {
    func writeJSON(to output: JSONOutput) throws
}

/// An array writes its elements directly, so that an element is never boxed in an
/// existential on the way (a request body of a thousand events would allocate a thousand boxes).
extension Array: JSONWritable where Element: JSONWritable {
    public func writeJSON(to output: JSONOutput) throws {
        output.beginArray()
        for element in self {
            output.element()
            try element.writeJSON(to: output)
        }
        output.end()
    }
}

/// JSON being written. Generated code calls the typed `write…` methods directly; the
/// `Encoder` path shares the same buffer and container stack.
///
/// Containers opened through `Encoder` cannot tell when their owner is done with them, so
/// those are closed lazily: when something shallower is written next, or at the end.
public final class JSONOutput {
    // Dynamic exclusivity checks on these properties took half of all encoding time. They
    // are safe to skip: an output belongs to one `encode` call, which runs on one thread
    // and never holds an access to them across a call that could reach them again.
    /// The bytes written so far, in memory from `malloc` that `takeData()` hands to `Data`
    /// as it is: the body of a request is never copied after it is written.
    @exclusivity(unchecked) @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    /// Open containers, innermost last: their closing byte and whether they have members.
    @exclusivity(unchecked) private var open: [(closer: UInt8, hasMembers: Bool)] = []

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = Self.allocate(self.capacity)
    }

    /// Nothing to free once `takeData()` has handed the memory over (capacity 0).
    deinit { if capacity > 0 { free(start) } }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        guard let memory = malloc(capacity) else { fatalError("out of memory for \(capacity) bytes of JSON") }
        return memory.bindMemory(to: UInt8.self, capacity: capacity)
    }

    /// The bytes written, as `Data` that owns them. The output is empty afterwards, with no
    /// memory of its own until something is written.
    func takeData() -> Data {
        let data = Data(bytesNoCopy: start, count: count, deallocator: .free)
        capacity = 0
        count = 0
        return data
    }

    /// Makes room for `extra` more bytes.
    @inlinable
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: count + extra) }
    }

    @usableFromInline
    func grow(toHold needed: Int) {
        let handedOver = capacity == 0
        capacity = max(needed, capacity * 2, 64)
        // After `takeData()` the old memory belongs to the `Data`: start afresh.
        guard let memory = handedOver ? malloc(capacity) : realloc(start, capacity) else { fatalError("out of memory for \(capacity) bytes of JSON") }
        start = memory.bindMemory(to: UInt8.self, capacity: capacity)
    }

    @inlinable
    func append(_ byte: UInt8) {
        reserve(1)
        start[count] = byte
        count += 1
    }

    @inlinable
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (start + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Two bytes at once: an escape sequence.
    private func append(_ first: UInt8, _ second: UInt8) {
        reserve(2)
        start[count] = first
        start[count + 1] = second
        count += 2
    }

    var depth: Int { open.count }

    func close(deeperThan depth: Int) {
        while open.count > depth {
            append(open.removeLast().closer)
        }
    }

    /// Opens a container for the value at `depth`, or reuses it when the same value asks
    /// again. A container still open at `depth` can only be this value's own: starting the
    /// next sibling would have closed it.
    func openContainer(_ opener: UInt8, _ closer: UInt8, at depth: Int) {
        if open.count > depth, open[depth].closer == closer {
            close(deeperThan: depth + 1)
            return
        }
        close(deeperThan: depth)
        append(opener)
        open.append((closer, false))
    }

    /// Starts the next member of the container at `depth` (1-based): closes anything deeper, adds a comma.
    func beginMember(inContainerAt depth: Int) {
        close(deeperThan: depth)
        if open[depth - 1].hasMembers {
            append(UInt8(ascii: ","))
        } else {
            open[depth - 1].hasMembers = true
        }
    }

    func writeKey(_ key: String) {
        writeString(key)
        append(UInt8(ascii: ":"))
    }

    // MARK: Direct writing, for generated `writeJSON(to:)`

    public func beginObject() {
        append(UInt8(ascii: "{"))
        open.append((UInt8(ascii: "}"), false))
    }

    public func beginArray() {
        append(UInt8(ascii: "["))
        open.append((UInt8(ascii: "]"), false))
    }

    /// Closes the innermost object or array.
    public func end() {
        append(open.removeLast().closer)
    }

    /// Starts a member of the current object.
    public func key(_ name: String) {
        beginMember(inContainerAt: open.count)
        writeKey(name)
    }

    /// Starts an element of the current array.
    public func element() {
        beginMember(inContainerAt: open.count)
    }

    public func writeNull() { writeLiteral("null") }

    public func writeBool(_ flag: Bool) { writeLiteral(flag ? "true" : "false") }

    @inlinable
    public func writeInteger<Integer: FixedWidthInteger>(_ value: Integer) {
        var text = String(value)
        text.withUTF8 { append($0) }
    }

    public func writeDouble(_ value: Double) throws {
        try writeFloatingPoint(value, codingPath: [])
    }

    public func writeDateTime(_ date: Date) {
        append(UInt8(ascii: "\""))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: RFC3339.maximumLength) { buffer in
            let length = RFC3339.write(date, into: buffer)
            append(UnsafeBufferPointer(rebasing: buffer[..<length]))
        }
        append(UInt8(ascii: "\""))
    }

    public func writeJSON(_ value: JSONValue) throws {
        try writeValue(value, codingPath: [])
    }

    /// Any other value, through its `Encodable` conformance.
    public func writeEncodable(_ value: some Encodable) throws {
        let depth = open.count
        try write(value, depth: depth, codingPath: [])
        // The coder closes its containers lazily; the caller's next `end()` must close its own.
        close(deeperThan: depth)
    }

    /// A value through its `encode(to:)` even when it is `JSONWritable`: for a generated
    /// `writeJSON(to:)` that hands a case back to the coder (a union writing its discriminator
    /// beside a payload), which ``writeEncodable(_:)`` would send straight back to it.
    public func writeThroughEncoder(_ value: some Encodable) throws {
        let depth = open.count
        try encode(value, depth: depth, codingPath: [])
        close(deeperThan: depth)
    }

    public func writeString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            reserve(utf8.count + 2)
            // Local cursors: the plain run, nearly always the whole string, is copied without
            // touching the output's properties byte by byte.
            var out = start + count
            out.pointee = UInt8(ascii: "\"")
            out += 1
            var index = 0
            if let source = utf8.baseAddress {
                while index + 8 <= utf8.count {
                    let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
                    if JSONStringBytes.wordHasSpecialByte(word) { break }
                    UnsafeMutableRawPointer(out).storeBytes(of: word, as: UInt64.self)
                    out += 8
                    index += 8
                }
                while index < utf8.count, !JSONStringBytes.isSpecial(source[index]) {
                    out.pointee = source[index]
                    out += 1
                    index += 1
                }
            }
            count = out - start
            if index < utf8.count { writeEscaping(UnsafeBufferPointer(rebasing: utf8[index...])) }
        }
        append(UInt8(ascii: "\""))
    }

    /// The rest of a string from its first byte that needs escaping.
    private func writeEscaping(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            guard JSONStringBytes.isSpecial(byte) else {
                append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): append(0x5C, 0x22)
            case UInt8(ascii: "\\"): append(0x5C, 0x5C)
            case 0x0A: append(0x5C, UInt8(ascii: "n"))
            case 0x0D: append(0x5C, UInt8(ascii: "r"))
            case 0x09: append(0x5C, UInt8(ascii: "t"))
            default:
                let hex: StaticString = "0123456789abcdef"
                append(0x5C, UInt8(ascii: "u"))
                append(0x30, 0x30)
                append(hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)])
            }
        }
    }

    func writeFloatingPoint(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: codingPath, debugDescription: "\(value) is not representable in JSON"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        text.withUTF8 { append($0) }
    }

    func writeLiteral(_ text: StaticString) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Writes any value at the current position; `depth` is the number of containers open around it.
    ///
    /// Common types are recognised by comparing metatypes, which costs a pointer comparison
    /// where `as?` casts would each call into the runtime.
    func write<T: Encodable>(_ value: T, depth: Int, codingPath: [any CodingKey]) throws {
        if T.self == String.self {
            writeString(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            writeInteger(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            writeLiteral(unsafeBitCast(value, to: Bool.self) ? "true" : "false")
        } else if T.self == JSONValue.self {
            try writeValue(value as! JSONValue, codingPath: codingPath)
        } else if T.self == UUID.self {
            writeUUID(unsafeBitCast(value, to: UUID.self))
        } else if T.self == Double.self {
            try writeFloatingPoint(unsafeBitCast(value, to: Double.self), codingPath: codingPath)
        } else if T.self == Int64.self {
            writeInteger(unsafeBitCast(value, to: Int64.self))
        } else if T.self == Int32.self {
            writeInteger(unsafeBitCast(value, to: Int32.self))
        } else if T.self == Float.self {
            try writeFloatingPoint(Double(unsafeBitCast(value, to: Float.self)), codingPath: codingPath)
        } else if let writable = value as? any JSONWritable {
            close(deeperThan: depth)
            try writable.writeJSON(to: self)
        } else {
            try encode(value, depth: depth, codingPath: codingPath)
        }
    }

    private func encode(_ value: some Encodable, depth: Int, codingPath: [any CodingKey]) throws {
        let before = count
        try value.encode(to: StreamingEncoder(output: self, depth: depth, codingPath: codingPath))
        // A value that asked for no container encodes as an empty object, as with JSONEncoder.
        if count == before { writeLiteral("{}") }
    }

    /// Upper-case hex with dashes, as `UUID.uuidString`, without building the string.
    public func writeUUID(_ uuid: UUID) {
        let hex: StaticString = "0123456789ABCDEF"
        reserve(38)
        var position = start + count
        position.pointee = UInt8(ascii: "\"")
        withUnsafeBytes(of: uuid.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    position += 1
                    position.pointee = UInt8(ascii: "-")
                }
                position[1] = hex.utf8Start[Int(byte >> 4)]
                position[2] = hex.utf8Start[Int(byte & 0xF)]
                position += 2
            }
        }
        position[1] = UInt8(ascii: "\"")
        count += 38
    }

    private func writeValue(_ json: JSONValue, codingPath: [any CodingKey]) throws {
        switch json {
        case .null: writeLiteral("null")
        case .bool(let flag): writeLiteral(flag ? "true" : "false")
        case .int(let number): writeInteger(number)
        case .double(let number): try writeFloatingPoint(number, codingPath: codingPath)
        case .string(let text): writeString(text)
        case .array(let items):
            append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { append(UInt8(ascii: ",")) }
                try writeValue(item, codingPath: codingPath)
            }
            append(UInt8(ascii: "]"))
        case .object(let members):
            append(UInt8(ascii: "{"))
            var first = true
            for (key, item) in members {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                writeKey(key)
                try writeValue(item, codingPath: codingPath)
            }
            append(UInt8(ascii: "}"))
        }
    }
}

struct StreamingEncoder: Encoder {
    let output: JSONOutput
    /// Containers open around the value this encoder writes.
    let depth: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        output.openContainer(UInt8(ascii: "{"), UInt8(ascii: "}"), at: depth)
        return KeyedEncodingContainer(StreamingKeyedContainer<Key>(output: output, depth: depth + 1, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        output.openContainer(UInt8(ascii: "["), UInt8(ascii: "]"), at: depth)
        return StreamingUnkeyedContainer(output: output, depth: depth + 1, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamingSingleValueContainer(output: output, depth: depth, codingPath: codingPath)
    }
}

struct StreamingKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let output: JSONOutput
    /// This container's own position in the open-container stack (1-based).
    let depth: Int
    let codingPath: [any CodingKey]

    private func member(_ key: Key) {
        output.beginMember(inContainerAt: depth)
        output.writeKey(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws {
        member(key)
        output.writeLiteral("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        member(key)
        try output.write(value, depth: depth, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        member(key)
        return StreamingEncoder(output: output, depth: depth, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        member(key)
        return StreamingEncoder(output: output, depth: depth, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        output.beginMember(inContainerAt: depth)
        output.writeKey("super")
        return StreamingEncoder(output: output, depth: depth, codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        member(key)
        return StreamingEncoder(output: output, depth: depth, codingPath: codingPath)
    }
}

struct StreamingUnkeyedContainer: UnkeyedEncodingContainer {
    let output: JSONOutput
    let depth: Int
    let codingPath: [any CodingKey]
    private(set) var count = 0

    init(output: JSONOutput, depth: Int, codingPath: [any CodingKey]) {
        self.output = output
        self.depth = depth
        self.codingPath = codingPath
    }

    private mutating func element() {
        output.beginMember(inContainerAt: depth)
        count += 1
    }

    mutating func encodeNil() throws {
        element()
        output.writeLiteral("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        element()
        try output.write(value, depth: depth, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        element()
        return StreamingEncoder(output: output, depth: depth, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        element()
        return StreamingEncoder(output: output, depth: depth, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        element()
        return StreamingEncoder(output: output, depth: depth, codingPath: codingPath)
    }
}

struct StreamingSingleValueContainer: SingleValueEncodingContainer {
    let output: JSONOutput
    let depth: Int
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws {
        output.close(deeperThan: depth)
        output.writeLiteral("null")
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        output.close(deeperThan: depth)
        try output.write(value, depth: depth, codingPath: codingPath)
    }
}
