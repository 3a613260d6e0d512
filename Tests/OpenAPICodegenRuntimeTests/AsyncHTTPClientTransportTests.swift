import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import OpenAPICodegenAsyncHTTPClient
import OpenAPICodegenRuntime
import Synchronization
import Testing

/// Answers every request with a JSON echo of what it received.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let echo: [String: String] = [
                "method": head.method.rawValue,
                "uri": head.uri,
                "authorization": head.headers.first(name: "authorization") ?? "",
                "contentType": head.headers.first(name: "content-type") ?? "",
                "body": body.getString(at: body.readerIndex, length: body.readableBytes) ?? "",
            ]
            let json = try! JSONEncoder().encode(echo)
            var headers = NIOHTTP1.HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(json.count))
            let status: HTTPResponseStatus = head.uri.hasPrefix("/missing") ? .notFound : .created
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: json)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// Answers with an event stream: the first event at once, the second only when the test
/// calls ``release()``. A transport that read the whole body before returning could not hand
/// over the first event until then.
private final class EventStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let gate: EventGate

    init(gate: EventGate) { self.gate = gate }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = NIOHTTP1.HTTPHeaders()
        headers.add(name: "content-type", value: "text/event-stream")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        gate.arm(context)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "id: 1\ndata: {\"n\": 1}\n\n: kept alive\n")))), promise: nil)
    }
}

/// Lets a test finish the stream that ``EventStreamHandler`` started, on the channel's event loop.
private final class EventGate: Sendable {
    private let pending = Mutex<NIOLoopBound<ChannelHandlerContext>?>(nil)

    func arm(_ context: ChannelHandlerContext) {
        pending.withLock { $0 = NIOLoopBound(context, eventLoop: context.eventLoop) }
    }

    func release() {
        guard let bound = pending.withLock({ $0 }) else { return }
        bound.eventLoop.execute {
            let context = bound.value
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: "data: {\"n\":\r\ndata: 2}\n\n")))), promise: nil)
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
        }
    }
}

/// A loopback HTTP server for the duration of one test.
private func withEchoServer(_ body: (URL) async throws -> Void) async throws {
    try await withServer(handler: { EchoHandler() }, body)
}

private func withServer(handler: @escaping @Sendable () -> any ChannelHandler, _ body: (URL) async throws -> Void) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(handler())
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    do {
        try await body(URL(string: "http://127.0.0.1:\(port)")!)
    } catch {
        try? await channel.close()
        throw error
    }
    try await channel.close()
}

@Suite("AsyncHTTPClient transport")
struct AsyncHTTPClientTransportTests {
    @Test("sends method, path, headers and body; returns status, headers and body")
    func roundTrip() async throws {
        try await withEchoServer { url in
            let transport = AsyncHTTPClientTransport()
            var request = OpenAPICodegenRuntime.HTTPRequest(method: .post, path: "/api/v1/audit/events?x=a%20b", body: Data(#"[{"a":1}]"#.utf8))
            request.headers["Content-Type"] = "application/json"
            request.headers["Authorization"] = "Bearer t"
            let response = try await transport.send(request, serverURL: url, operationID: "op")
            #expect(response.statusCode == 201)
            #expect(response.headers["Content-Type"] == "application/json")
            let echo = try JSONDecoder().decode([String: String].self, from: try #require(response.body))
            #expect(echo == [
                "method": "POST", "uri": "/api/v1/audit/events?x=a%20b", "authorization": "Bearer t",
                "contentType": "application/json", "body": #"[{"a":1}]"#,
            ])
        }
    }

    @Test("error statuses are responses, not errors")
    func errorStatus() async throws {
        try await withEchoServer { url in
            let response = try await AsyncHTTPClientTransport().send(.init(method: .get, path: "/missing"), serverURL: url, operationID: "op")
            #expect(response.statusCode == 404)
        }
    }

    @Test("connection refused is a thrown error, wrapped as .transport by the client core")
    func refused() async throws {
        // Bind and close a port so that nothing listens on it.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await channel.close()
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: AsyncHTTPClientTransport.failFastConfiguration())
        let core = ClientCore(serverURL: URL(string: "http://127.0.0.1:\(port)")!, transport: AsyncHTTPClientTransport(client: client))
        await #expect {
            _ = try await core.send(.init(method: .get, path: "/"), operationID: "op")
        } throws: { error in
            if case ClientError.transport("op", _) = error { true } else { false }
        }
        try await client.shutdown()
    }

    @Test("an event stream is handed over as it arrives, not after the whole body")
    func streaming() async throws {
        struct Count: Decodable, Sendable, Equatable { var n: Int }
        let gate = EventGate()
        try await withServer(handler: { EventStreamHandler(gate: gate) }) { url in
            let core = ClientCore(serverURL: url, transport: AsyncHTTPClientTransport())
            let response = try await core.send(.init(method: .get, path: "/events", streamsResponse: true), operationID: "events")
            #expect(response.body == nil && response.bodyStream != nil)
            var events = core.serverSentEvents(Count.self, from: response, operationID: "events").makeAsyncIterator()
            let first = try await events.next()
            #expect(first?.data == Count(n: 1) && first?.id == "1")
            gate.release()
            let second = try await events.next()
            #expect(second?.data == Count(n: 2) && second?.id == "1", "multi-line data joined; the last id carries over")
            #expect(try await events.next() == nil)
        }
    }

    @Test("a server that never answers times out")
    func timeout() async throws {
        // A listener whose connections are accepted but never read or answered.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        let transport = AsyncHTTPClientTransport(configuration: .init(timeout: .milliseconds(200)))
        await #expect(throws: (any Error).self) {
            _ = try await transport.send(.init(method: .get, path: "/"), serverURL: URL(string: "http://127.0.0.1:\(channel.localAddress!.port!)")!, operationID: "op")
        }
    }
}
