import Foundation

/// Splits a byte stream into lines as they arrive (`\n`, `\r\n` or `\r`), holding back only
/// the unfinished last line.
struct LineSplitter {
    private var pending: [UInt8] = []
    private var lastWasCarriageReturn = false

    /// The lines `chunk` completes.
    mutating func lines(in chunk: Data) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n"), lastWasCarriageReturn {
                lastWasCarriageReturn = false
                continue
            }
            lastWasCarriageReturn = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
            }
        }
        return lines
    }

    /// What is left when the stream ends: a last line without its line break.
    mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending
    }
}

/// Reads a chunked body line by line, for the event-stream formats.
struct LineReader {
    private var chunks: HTTPBodyStream.AsyncIterator
    private var splitter = LineSplitter()
    private var lines: [[UInt8]] = []
    private var ended = false

    init(_ body: HTTPBodyStream) { chunks = body.makeAsyncIterator() }

    /// The next whole line, or the unterminated last one, or nil at the end of the body.
    mutating func next() async throws -> [UInt8]? {
        while lines.isEmpty {
            if ended { return nil }
            if let chunk = try await chunks.next() {
                lines = splitter.lines(in: chunk)
            } else {
                ended = true
                if let last = splitter.finish() { lines = [last] }
            }
        }
        return lines.removeFirst()
    }
}

/// One server-sent event (the WHATWG `text/event-stream` format), its data decoded.
public struct ServerSentEvent<Payload: Sendable>: Sendable {
    /// `event:`; nil for the default `message`.
    public var event: String?
    /// `id:`, the last event ID the server set.
    public var id: String?
    /// `retry:`, the reconnection time in milliseconds.
    public var retry: Int?
    /// The `data:` lines joined by line breaks, decoded as the spec's schema says.
    public var data: Payload

    /// An event, as a server sends it or a test expects it.
    public init(event: String? = nil, id: String? = nil, retry: Int? = nil, data: Payload) {
        self.event = event
        self.id = id
        self.retry = retry
        self.data = data
    }
}

extension ServerSentEvent: Equatable where Payload: Equatable {}

/// The events of a `text/event-stream` response, decoded as they arrive: the whole body is
/// never held. Iterate it once. A payload that does not decode ends the iteration with a
/// `ClientError.decoding` naming the operation.
public struct ServerSentEvents<Payload: Sendable>: AsyncSequence, Sendable, Hashable {
    public typealias Element = ServerSentEvent<Payload>
    /// The event-stream bytes as they arrive; a generated server sends them on as they are.
    public let body: HTTPBodyStream
    private let decode: @Sendable (String) throws -> Payload

    /// Events read from `body`, each `data` decoded by `decode`.
    public init(body: HTTPBodyStream, decode: @escaping @Sendable (String) throws -> Payload) {
        self.body = body
        self.decode = decode
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.body == rhs.body }
    public func hash(into hasher: inout Hasher) { hasher.combine(body) }

    public func makeAsyncIterator() -> Iterator { Iterator(lines: LineReader(body), decode: decode) }

    /// Reads lines until a blank one dispatches an event that has data.
    public struct Iterator: AsyncIteratorProtocol {
        var lines: LineReader
        let decode: @Sendable (String) throws -> Payload
        var lastID: String?

        public mutating func next() async throws -> ServerSentEvent<Payload>? {
            var data: [String] = []
            var event: String?
            var retry: Int?
            while true {
                // At the end of the stream a partial event (no blank line after it) is dropped, as the format says.
                guard let line = try await lines.next() else { return nil }
                if line.isEmpty {
                    guard !data.isEmpty else {
                        event = nil
                        continue
                    }
                    return ServerSentEvent(event: event, id: lastID, retry: retry, data: try decode(data.joined(separator: "\n")))
                }
                let text = String(decoding: line, as: UTF8.self)
                if text.hasPrefix(":") { continue }
                let field: Substring
                var value: Substring
                if let colon = text.firstIndex(of: ":") {
                    field = text[..<colon]
                    value = text[text.index(after: colon)...]
                    if value.first == " " { value = value.dropFirst() }
                } else {
                    field = Substring(text)
                    value = ""
                }
                switch field {
                case "data": data.append(String(value))
                case "event": event = String(value)
                case "id" where !value.contains("\0"): lastID = String(value)
                case "retry": retry = Int(value) ?? retry
                default: break
                }
            }
        }
    }
}

/// The values of a JSON Lines (`application/jsonl`, `application/x-ndjson`) response, each
/// line decoded as it arrives. Blank lines are skipped.
public struct JSONLines<Element: Decodable & Sendable>: AsyncSequence, Sendable, Hashable {
    /// The lines' bytes as they arrive; a generated server sends them on as they are.
    public let body: HTTPBodyStream
    private let decode: @Sendable (Data) throws -> Element

    /// Values read from `body`, each line decoded by `decode`.
    public init(body: HTTPBodyStream, decode: @escaping @Sendable (Data) throws -> Element) {
        self.body = body
        self.decode = decode
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.body == rhs.body }
    public func hash(into hasher: inout Hasher) { hasher.combine(body) }

    public func makeAsyncIterator() -> Iterator { Iterator(lines: LineReader(body), decode: decode) }

    /// Reads the next non-blank line and decodes it.
    public struct Iterator: AsyncIteratorProtocol {
        var lines: LineReader
        let decode: @Sendable (Data) throws -> Element

        public mutating func next() async throws -> Element? {
            while let line = try await lines.next() {
                // JSON text sequences (RFC 7464) start each record with a record separator.
                let record = line.first == 0x1E ? Array(line.dropFirst()) : line
                if record.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
                return try decode(Data(record))
            }
            return nil
        }
    }
}

extension ClientCore {
    /// The response with its streamed body read whole, for a status whose body is not a stream.
    public func collectingBody(of response: HTTPResponse, operationID: String) async throws(ClientError) -> HTTPResponse {
        guard let stream = response.bodyStream else { return response }
        var body = Data()
        do {
            for try await chunk in stream { body.append(chunk) }
        } catch {
            throw .transport(operationID: operationID, underlying: error)
        }
        var collected = response
        collected.bodyStream = nil
        collected.body = body.isEmpty ? nil : body
        return collected
    }

    /// The events of a `text/event-stream` response, their data decoded as JSON of `Payload`.
    public func serverSentEvents<Payload: Decodable & Sendable>(
        _ type: Payload.Type, from response: HTTPResponse, operationID: String
    ) -> ServerSentEvents<Payload> {
        let statusCode = response.statusCode
        return ServerSentEvents(body: response.chunks) { text throws(ClientError) in
            try ClientCore.decodeJSON(Payload.self, from: Data(text.utf8), statusCode: statusCode, operationID: operationID)
        }
    }

    /// The events of a `text/event-stream` response whose data is plain text.
    public func serverSentEvents(from response: HTTPResponse) -> ServerSentEvents<String> {
        ServerSentEvents(body: response.chunks) { $0 }
    }

    /// The values of a JSON Lines response, each decoded as `Element`.
    public func jsonLines<Element: Decodable & Sendable>(
        _ type: Element.Type, from response: HTTPResponse, operationID: String
    ) -> JSONLines<Element> {
        let statusCode = response.statusCode
        return JSONLines(body: response.chunks) { line throws(ClientError) in
            try ClientCore.decodeJSON(Element.self, from: line, statusCode: statusCode, operationID: operationID)
        }
    }
}
