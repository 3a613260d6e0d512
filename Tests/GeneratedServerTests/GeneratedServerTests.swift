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
        let (resume, resumeContinuation) = AsyncStream.makeStream(of: Void.self)
        recorder.secondEvent.withLock { $0 = resumeContinuation }
        let bytes = AsyncThrowingStream<Data, any Error> { continuation in
            Task {
                continuation.yield(Data("data: {\"id\": 1, \"name\": \"first\"}\n\n".utf8))
                // The second event is produced only after the client has read the first:
                // a server that buffered the whole response would never send either.
                for await _ in resume { break }
                continuation.yield(Data("data: {\"id\": 2, \"name\": \"second\"}\n\n".utf8))
                continuation.finish()
            }
        }
        return .ok(ServerSentEvents(body: HTTPBodyStream(bytes)) { _ in Item(id: 0, name: "unused") })
    }

    func upload(_ input: Operations.Upload.Input) async throws -> Operations.Upload.Output {
        var count = 0
        for try await chunk in input.body { count += chunk.count }
        return .ok(count)
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
    _ body: @Sendable (Client, URL, Recorder) async throws -> Void
) async throws {
    let recorder = Recorder()
    let router = Router()
    let transport = HummingbirdServerTransport(router, maximumBodySize: maximumBodySize)
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

    @Test("a parameter that breaks its schema reaches the error hook naming it, and the handler never runs", arguments: [
        ("/items/0", "id must be at least 1"),
        ("/items/x", "path parameter 'id': 'x' is not a valid Int"),
        ("/items/3?sort=sideways", "sort"),
        ("/items/3?verbose=perhaps", "query parameter 'verbose'"),
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

    @Test("an event stream is sent as it is produced, never held whole")
    func streamedResponse() async throws {
        try await withItemsServer { client, _, recorder in
            guard case .ok(let events) = try await client.streamEvents() else {
                Issue.record("expected 200")
                return
            }
            var iterator = events.makeAsyncIterator()
            let first = try await iterator.next()
            #expect(first?.data == Item(id: 1, name: "first"))
            _ = recorder.secondEvent.withLock { $0?.yield() }
            let second = try await iterator.next()
            #expect(second?.data == Item(id: 2, name: "second"))
            #expect(try await iterator.next() == nil)
        }
    }

    @Test("an upload streams to the handler; past the transport's limit it is 413 through the hook")
    func uploads() async throws {
        try await withItemsServer(maximumBodySize: 1024) { client, _, recorder in
            guard case .ok(let count) = try await client.upload(body: Data(repeating: 7, count: 1000)) else {
                Issue.record("expected 200")
                return
            }
            #expect(count == 1000)
            let tooLarge = try await client.upload(body: Data(repeating: 7, count: 100_000))
            guard case .undocumented(413, _) = tooLarge else {
                Issue.record("expected 413, got \(tooLarge)")
                return
            }
            #expect(recorder.errors.withLock { $0 }.contains { $0.hasPrefix("413 upload: the request body exceeds 1024 bytes") })
        }
    }
}
