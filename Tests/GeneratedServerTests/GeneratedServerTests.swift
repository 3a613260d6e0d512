import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import OpenAPICodegenAsyncHTTPClient
import OpenAPICodegenHummingbird
import OpenAPICodegenRuntime
import Synchronization
import Testing

/// What the handlers saw and the middleware recorded, for the tests to read.
final class Recorder: Sendable {
    let inputs = Mutex<[String]>([])
    let operations = Mutex<[(id: String, requiresAuthentication: Bool)]>([])
    let errors = Mutex<[String]>([])
    /// Lets the event stream go on once the client has read the first event.
    let secondEvent = Mutex<AsyncStream<Void>.Continuation?>(nil)
}

/// The test's own implementation of the generated `APIProtocol`.
struct ItemsAPI: APIProtocol {
    let recorder: Recorder

    func createItem(_ input: Operations.CreateItem.Input) async throws -> Operations.CreateItem.Output {
        input.body.id == 0 ? .clientError(statusCode: 409, "id 0 is taken") : .created(input.body)
    }

    func getItem(_ input: Operations.GetItem.Input) async throws -> Operations.GetItem.Output {
        recorder.inputs.withLock {
            $0.append("id=\(input.id) fields=\(input.fields ?? []) tag=\(input.tag ?? []) verbose=\(input.verbose) sort=\(input.sort?.rawValue ?? "-") request=\(input.xRequestID) session=\(input.session ?? "-")")
        }
        if input.id == 404 { return .notFound }
        if input.id == 418 { return .undocumented(statusCode: 418, body: nil) }
        return .ok(Item(id: input.id, name: "item"), headers: .init(xTotal: 7))
    }

    func deleteItem(_ input: Operations.DeleteItem.Input) async throws -> Operations.DeleteItem.Output {
        .noContent
    }

    func getLabels(_ input: Operations.GetLabels.Input) async throws -> Operations.GetLabels.Output {
        .ok(input.names.joined(separator: "+"))
    }

    func getPoint(_ input: Operations.GetPoint.Input) async throws -> Operations.GetPoint.Output {
        .ok("point=\(input.point) ids=\(input.ids ?? []) words=\(input.words ?? [])")
    }

    func streamEvents(_ input: Operations.StreamEvents.Input) async throws -> Operations.StreamEvents.Output {
        let body = gatedBody(#"data: {"id": 1, "name": "first"}\#n\#n"#, then: #"data: {"id": 2, "name": "second"}\#n\#n"#)
        return .ok(ServerSentEvents(body: body) { _ in Item(id: 0, name: "unused") })
    }

    /// `first`, then `second` only once the test lets it go after the client has read `first`:
    /// a server that buffered the whole response would never send either.
    private func gatedBody(_ first: String, then second: String) -> HTTPBodyStream {
        let (resume, resumeContinuation) = AsyncStream.makeStream(of: Void.self)
        recorder.secondEvent.withLock { $0 = resumeContinuation }
        return HTTPBodyStream(AsyncThrowingStream<Data, any Error> { continuation in
            Task {
                continuation.yield(Data(first.utf8))
                for await _ in resume { break }
                continuation.yield(Data(second.utf8))
                continuation.finish()
            }
        })
    }

    func upload(_ input: Operations.Upload.Input) async throws -> Operations.Upload.Output {
        var count = 0
        for try await chunk in input.body { count += chunk.count }
        return .ok(count)
    }

    func search(_ input: Operations.Search.Input) async throws -> Operations.Search.Output {
        let filter = input.filter.map { "\($0.minimum ?? -1) \($0.order?.rawValue ?? "-") \($0.tags ?? []) \($0.window.map { "\($0.from)...\($0.to)" } ?? "-")" }
        return .ok([
            "area=\(input.area.x),\(input.area.y)", "zone=\(input.zone.level) \(input.zone.name ?? "-")", "filter=\(filter ?? "-")",
            "page=\(input.page.map { "\($0.offset ?? -1)/\($0.size ?? -1)" } ?? "-")", "bounds=\(input.bounds.map { "\($0.low)..\($0.high)" } ?? "-")",
            "q=\(input.q ?? "-")", "caller=\(input.xCaller.map { "\($0.tenant ?? "-") \($0.trace ?? false)" } ?? "-")",
        ].joined(separator: "; "))
    }

    func submitForm(_ input: Operations.SubmitForm.Input) async throws -> Operations.SubmitForm.Output {
        let form = input.body
        let joined = form.joined.map { RFC3339.format($0) } ?? "-"
        return .ok("\(form.name) \(form.age) \(form.newsletter ?? false) \(form.interests ?? []) \(form.address?.city ?? "-") \(joined)")
    }

    func attach(_ input: Operations.Attach.Input) async throws -> Operations.Attach.Output {
        let attachment = input.body
        return .ok("\(attachment.title) \([UInt8](attachment.file)) \(attachment.tags ?? []) \(attachment.meta.map { "\($0.id) \($0.name)" } ?? "-")")
    }

    func streamLines(_ input: Operations.StreamLines.Input) async throws -> Operations.StreamLines.Output {
        let body = gatedBody(#"{"id": 1, "name": "first"}\#n"#, then: #"{"id": 2, "name": "second"}\#n"#)
        return .ok(JSONLines(body: body) { _ in Item(id: 0, name: "unused") })
    }
}

/// Records every operation a request reaches, with whether the contract secures it.
struct OperationRecording: ServerMiddleware {
    let recorder: Recorder

    func intercept(_ request: ServerRequest, operation: ServerOperation, next: ServerHandler) async throws -> OpenAPICodegenRuntime.HTTPResponse {
        recorder.operations.withLock { $0.append((operation.id, operation.requiresAuthentication)) }
        return try await next(request)
    }
}

/// Serves `ItemsAPI` over loopback with Hummingbird for the duration of `body`.
func withItemsServer(
    maximumBodySize: Int = 1024,
    uploadLimit: Int? = nil,
    _ body: @Sendable (Client, URL, Recorder) async throws -> Void
) async throws {
    let recorder = Recorder()
    let router = Router()
    // Uploads on a group of their own when the test gives them a limit of their own, nested
    // in a group with a smaller one: the innermost group's limit is the one that applies.
    let uploads: any RouterMethods<BasicRequestContext> = uploadLimit.map { limit in
        router.group().add(middleware: RequestBodyLimit(maximumSize: 10)).group().add(middleware: RequestBodyLimit(maximumSize: limit))
    } ?? router
    let transport = HummingbirdServerTransport(router, maximumBodySize: maximumBodySize) { operation in
        operation.id == Operations.Upload.id ? uploads : router
    }
    try ItemsAPI(recorder: recorder).registerHandlers(
        on: transport, middlewares: [OperationRecording(recorder: recorder)],
        errorResponder: { error in
            recorder.errors.withLock { $0.append("\(error.statusCode) \(error)") }
            return await ServerError.plainTextResponse(error)
        })
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
        // Stopped by cancellation at the end of each test, which Hummingbird would log as an error.
        logger: Logger(label: "generated-server-test") { _ in SwiftLogNoOpLogHandler() })
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await app.runService() }
        var iterator = ports.makeAsyncIterator()
        let url = URL(string: "http://127.0.0.1:\(await iterator.next()!)")!
        let http = HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup)
        do {
            try await body(Client(serverURL: url, transport: AsyncHTTPClientTransport(client: http)), url, recorder)
        } catch {
            try await http.shutdown()
            tasks.cancelAll()
            throw error
        }
        try await http.shutdown()
        tasks.cancelAll()
    }
}

/// Sends a request as written, for what a generated client would never send.
func send(_ method: OpenAPICodegenRuntime.HTTPMethod, _ path: String, to url: URL, headers: OpenAPICodegenRuntime.HTTPHeaders = [:], body: Data? = nil) async throws -> OpenAPICodegenRuntime.HTTPResponse {
    try await AsyncHTTPClientTransport().send(.init(method: method, path: path, headers: headers, body: body), serverURL: url, operationID: "raw")
}

@Suite("Generated server over Hummingbird, with the generated client over loopback")
struct GeneratedServerTests {
    @Test("path, query, header and cookie parameters arrive typed, defaults filled in; response headers go back")
    func parameters() async throws {
        try await withItemsServer { client, url, recorder in
            guard case .ok(let item, let headers) = try await client.getItem(
                id: 5, fields: ["a", "b c"], tag: ["x", "y"], sort: .desc, xRequestID: "req-1", session: "s 1")
            else {
                Issue.record("expected 200")
                return
            }
            #expect(item == Item(id: 5, name: "item"))
            #expect(headers.xTotal == 7)
            _ = try await client.getItem(id: 6, verbose: true, xRequestID: "req-2")
            #expect(recorder.inputs.withLock { $0 } == [
                "id=5 fields=[\"a\", \"b c\"] tag=[\"x\", \"y\"] verbose=false sort=desc request=req-1 session=s 1",
                "id=6 fields=[] tag=[] verbose=true sort=- request=req-2 session=-",
            ])
            guard case .ok(let labels) = try await client.getLabels(names: ["red", "green blue"]) else {
                Issue.record("expected 200 for label-style path")
                return
            }
            #expect(labels == "red+green blue")
            let pointOutput = try await client.getPoint(point: 4, ids: [1, 2], words: ["to be", "or"])
            guard case .ok(let point) = pointOutput else {
                Issue.record("expected 200 for matrix, pipe- and space-delimited parameters, got \(pointOutput); \(recorder.errors.withLock { $0 })")
                return
            }
            #expect(point == #"point=4 ids=[1, 2] words=["to", "be", "or"]"#, "a space inside a spaceDelimited value cannot be told from a delimiter")
        }
    }

    @Test("a parameter that breaks its schema reaches the error hook naming it (an object's member by its path), and the handler never runs", arguments: [
        ("/items/0", "id must be at least 1"),
        ("/items/x", "path parameter 'id': 'x' is not a valid Int"),
        ("/items/3?sort=sideways", "sort"),
        ("/items/3?verbose=perhaps", "query parameter 'verbose'"),
        ("/search/x,1,y,2/;level=1?filter%5Bminimum%5D=-1", "filter.minimum must be at least 0"),
        ("/search/x,1,y,2/;level=1?filter%5Bminimum%5D=many", "filter.minimum 'many' is not a valid Int"),
        ("/search/x,1,y,2/;level=1?filter%5Bwindow%5D%5Bfrom%5D=1", "filter.window.to is required"),
        ("/search/x,1,y,2/;level=1?filter%5Bwindow%5D=1&filter%5Bwindow%5D%5Bfrom%5D=1&filter%5Bwindow%5D%5Bto%5D=2", "filter.window expected one value, found 2"),
        ("/search/x,1,y,2/;level=12", "zone.level must be at most 9"),
        ("/search/x,1,y/;level=1", "path parameter 'area': 'x,1,y' is not a valid object"),
        ("/search/x,1,y,2/;level=1?bounds=low,1,high", "query parameter 'bounds'"),
        ("/search/x,1,y,2/;level=1?bounds=low,1", "bounds.high is required"),
        ("/search/x,1,y,2/;level=1?size=500", "page.size must be at most 100"),
    ])
    func parameterViolations(path: String, named: String) async throws {
        try await withItemsServer { _, url, recorder in
            let response = try await send(.get, path, to: url, headers: ["X-Request-ID": "req-1"])
            #expect(response.statusCode == 400)
            let text = String(decoding: response.body ?? Data(), as: UTF8.self)
            #expect(text.contains(named), "\(text)")
            #expect(recorder.inputs.withLock { $0 }.isEmpty)
        }
    }

    @Test("a required header that is missing or too short is refused by name")
    func requiredHeader() async throws {
        try await withItemsServer { _, url, _ in
            let missing = try await send(.get, "/items/3", to: url)
            #expect(String(decoding: missing.body ?? Data(), as: UTF8.self).contains("the required header parameter 'X-Request-ID' is missing"))
            let short = try await send(.get, "/items/3", to: url, headers: ["X-Request-ID": "ab"])
            #expect(short.statusCode == 400)
            #expect(String(decoding: short.body ?? Data(), as: UTF8.self).contains("X-Request-ID"))
        }
    }

    @Test("a body that breaks its schema lists every violation with its JSON path; malformed JSON is named too")
    func bodyViolations() async throws {
        try await withItemsServer { _, url, recorder in
            let json: OpenAPICodegenRuntime.HTTPHeaders = ["Content-Type": "application/json"]
            let invalid = try await send(.post, "/items", to: url, headers: json, body: Data(#"{"id": 1, "name": "far too long a name", "tags": ["a", "b", "c", "d"]}"#.utf8))
            #expect(invalid.statusCode == 400)
            let text = String(decoding: invalid.body ?? Data(), as: UTF8.self)
            #expect(text.contains("$.name:") && text.contains("$.tags:"), "\(text)")
            let missing = try await send(.post, "/items", to: url, headers: json, body: Data(#"{"id": 1}"#.utf8))
            #expect(String(decoding: missing.body ?? Data(), as: UTF8.self).contains("$.name: is required"))
            let wrongType = try await send(.post, "/items", to: url, headers: ["Content-Type": "text/plain"], body: Data("{}".utf8))
            #expect(wrongType.statusCode == 415)
            let empty = try await send(.post, "/items", to: url, headers: json)
            #expect(String(decoding: empty.body ?? Data(), as: UTF8.self).contains("the request body is required"))
            #expect(recorder.errors.withLock { $0.count } == 4)
        }
    }

    @Test("outputs become their documented status, content type and body; an undocumented status is a 500 through the hook")
    func outputs() async throws {
        try await withItemsServer { client, url, recorder in
            guard case .created(let created) = try await client.createItem(body: Item(id: 1, name: "one")) else {
                Issue.record("expected 201")
                return
            }
            #expect(created == Item(id: 1, name: "one"))
            guard case .clientError(409, let reason) = try await client.createItem(body: Item(id: 0, name: "zero")) else {
                Issue.record("expected the 4XX case with 409")
                return
            }
            #expect(reason == "id 0 is taken")
            guard case .notFound = try await client.getItem(id: 404, xRequestID: "req-1") else {
                Issue.record("expected 404")
                return
            }
            guard case .noContent = try await client.deleteItem(id: 3) else {
                Issue.record("expected 204")
                return
            }
            let teapot = try await send(.get, "/items/418", to: url, headers: ["X-Request-ID": "req-1"])
            #expect(teapot.statusCode == 500)
            #expect(recorder.errors.withLock { $0 }.contains { $0.contains("status 418, which the spec does not document") })
        }
    }

    @Test("a method a path does not serve gets 405 with Allow from the spec; an unknown path 404")
    func methodNotAllowed() async throws {
        try await withItemsServer { _, url, _ in
            let put = try await send(.put, "/items/3", to: url)
            #expect(put.statusCode == 405)
            #expect(put.headers["Allow"] == "DELETE, GET")
            let get = try await send(.get, "/items", to: url)
            #expect(get.statusCode == 405)
            #expect(get.headers["Allow"] == "POST")
            #expect(try await send(.get, "/nothing", to: url).statusCode == 404)
        }
    }

    @Test("middlewares see each operation's id and whether the contract secures it")
    func middlewareSeesOperation() async throws {
        try await withItemsServer { client, _, recorder in
            _ = try await client.getItem(id: 1, xRequestID: "req-1")
            _ = try await client.getLabels(names: ["a"])
            let seen = recorder.operations.withLock { $0.map { "\($0.id) \($0.requiresAuthentication)" } }
            #expect(seen == ["getItem true", "getLabels false"])
        }
    }

    @Test("event streams and JSON Lines are sent as they are produced, never held whole")
    func streamedResponses() async throws {
        try await withItemsServer { client, _, recorder in
            /// The items of a stream whose second item the server produces only once the first was read.
            func read<Items: AsyncSequence>(_ items: Items, as item: (Items.Element) -> Item?) async throws -> [Item?] {
                var iterator = items.makeAsyncIterator()
                var read = [item(try #require(try await iterator.next()))]
                _ = recorder.secondEvent.withLock { $0?.yield() }
                while let next = try await iterator.next() { read.append(item(next)) }
                return read
            }
            let items: [Item?] = [Item(id: 1, name: "first"), Item(id: 2, name: "second")]
            // One stream at a time: each holds the server's gate until it is read.
            guard case .ok(let events) = try await client.streamEvents() else {
                Issue.record("expected 200 for the event stream")
                return
            }
            #expect(try await read(events, as: \.data) == items)
            guard case .ok(let lines) = try await client.streamLines() else {
                Issue.record("expected 200 for JSON Lines")
                return
            }
            #expect(try await read(lines, as: { $0 }) == items)
        }
    }

    @Test("object parameters arrive typed in every style: simple and matrix paths, deepObject, form exploded and not, headers")
    func objectParameters() async throws {
        try await withItemsServer { client, _, recorder in
            let output = try await client.search(
                area: Area(x: 3, y: -4), zone: Zone(level: 2, name: "north wing"),
                filter: Filter(minimum: 5, order: .desc, tags: ["a b", "c,d"], window: .init(from: 1, to: 9)),
                page: Page(offset: 20, size: 10), bounds: Bounds(low: 0.5, high: 2), q: "x&y=z",
                xCaller: Caller(tenant: "acme", trace: true))
            guard case .ok(let text) = output else {
                Issue.record("expected 200, got \(output); \(recorder.errors.withLock { $0 })")
                return
            }
            #expect(text == #"area=3,-4; zone=2 north wing; filter=5 desc ["a b", "c,d"] 1...9; page=20/10; bounds=0.5..2.0; q=x&y=z; caller=acme true"#)
            guard case .ok(let bare) = try await client.search(area: Area(x: 0, y: 0), zone: Zone(level: 0)) else {
                Issue.record("expected 200 without the optional objects")
                return
            }
            #expect(bare == "area=0,0; zone=0 -; filter=-; page=-; bounds=-; q=-; caller=-")
        }
    }

    @Test("a form body arrives typed: repeated names as arrays, objects as JSON, dates; violations name their member")
    func formBody() async throws {
        try await withItemsServer(maximumBodySize: 4096) { client, url, _ in
            let joined = try #require(RFC3339.parse("2026-11-30T10:00:00Z"))
            let form = Signup(name: "Ada Lovelace", age: 36, newsletter: true, interests: ["math", "looms & cards"], address: .init(city: "London"), joined: joined)
            guard case .ok(let text) = try await client.submitForm(body: form) else {
                Issue.record("expected 200")
                return
            }
            #expect(text == #"Ada Lovelace 36 true ["math", "looms & cards"] London 2026-11-30T10:00:00Z"#)
            let formType: OpenAPICodegenRuntime.HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
            let short = try await send(.post, "/forms", to: url, headers: formType, body: Data("name=A&age=3".utf8))
            #expect(short.statusCode == 400)
            #expect(String(decoding: short.body ?? Data(), as: UTF8.self).contains("$.name:"))
            let notANumber = try await send(.post, "/forms", to: url, headers: formType, body: Data("name=Ada&age=old".utf8))
            #expect(String(decoding: notANumber.body ?? Data(), as: UTF8.self).contains("$.age: 'old' is not a valid Int"))
            let missing = try await send(.post, "/forms", to: url, headers: formType, body: Data("name=Ada".utf8))
            #expect(String(decoding: missing.body ?? Data(), as: UTF8.self).contains("$.age: is required"))
        }
    }

    @Test("a multipart body arrives typed: file bytes as they were sent, text and JSON parts by name")
    func multipartBody() async throws {
        try await withItemsServer(maximumBodySize: 4096) { client, url, _ in
            // Bytes that are not UTF-8 and that look like the part delimiter's line break.
            let file = Data([0, 255, 13, 10, 45, 45, 7])
            let attachment = Attachment(title: "scan", file: file, tags: ["x", "y z"], meta: Item(id: 7, name: "seven"))
            guard case .ok(let text) = try await client.attach(body: attachment) else {
                Issue.record("expected 200")
                return
            }
            #expect(text == #"scan [0, 255, 13, 10, 45, 45, 7] ["x", "y z"] 7 seven"#)
            let noBoundary = try await send(.post, "/attachments", to: url, headers: ["Content-Type": "multipart/form-data"], body: Data("--x\r\n".utf8))
            #expect(noBoundary.statusCode == 400)
            #expect(String(decoding: noBoundary.body ?? Data(), as: UTF8.self).contains("names no boundary"))
            var longTitle = MultipartForm(boundary: "b")
            longTitle.append("title", "a title far longer than twenty characters")
            longTitle.append("file", Data([1]))
            let refused = try await send(.post, "/attachments", to: url, headers: ["Content-Type": longTitle.contentType], body: longTitle.body)
            #expect(String(decoding: refused.body ?? Data(), as: UTF8.self).contains("$.title:"))
            let unterminated = try await send(.post, "/attachments", to: url, headers: ["Content-Type": longTitle.contentType], body: Data("--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx".utf8))
            #expect(String(decoding: unterminated.body ?? Data(), as: UTF8.self).contains("ends before its closing boundary"))
        }
    }

    @Test("an upload streams to the handler; past its limit (its route group's RequestBodyLimit, else the transport's) it is 413 through the hook", arguments: [
        (nil, 1000, 1024), (200_000, 100_000, 200_000),
    ] as [(Int?, Int, Int)])
    func uploads(groupLimit: Int?, fitting: Int, limit: Int) async throws {
        try await withItemsServer(maximumBodySize: 1024, uploadLimit: groupLimit) { client, url, recorder in
            guard case .ok(let count) = try await client.upload(body: Data(repeating: 7, count: fitting)) else {
                Issue.record("expected 200 for \(fitting) bytes")
                return
            }
            #expect(count == fitting)
            let tooLarge = try await client.upload(body: Data(repeating: 7, count: limit + 1))
            guard case .undocumented(413, _) = tooLarge else {
                Issue.record("expected 413, got \(tooLarge)")
                return
            }
            #expect(recorder.errors.withLock { $0 }.contains { $0.hasPrefix("413 upload: the request body exceeds \(limit) bytes") })
            let longName = Data(#"{"id": 1, "name": "\#(String(repeating: "n", count: 2000))"}"#.utf8)
            let outside = try await send(.post, "/items", to: url, headers: ["Content-Type": "application/json"], body: longName)
            #expect(outside.statusCode == 413, "a route outside the upload group keeps the transport's limit")
        }
    }
}
