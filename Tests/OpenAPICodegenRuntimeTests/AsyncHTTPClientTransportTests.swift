import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
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

/// A loopback server; over TLS with `tls`, its URL then https.
private func withServer(handler: @escaping @Sendable () -> any ChannelHandler, tls: NIOSSLContext? = nil, _ body: (URL) async throws -> Void) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(handler())
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    do {
        try await body(URL(string: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)")!)
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

/// Certificate authorities and server certificates made with the openssl command for one test.
private struct TestPKI {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\n".write(to: directory.appending(path: "san.ext"), atomically: true, encoding: .utf8)
    }

    func openssl(_ arguments: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments.split(separator: " ").map(String.init)
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpenSSLFailed(arguments: arguments) }
    }

    struct OpenSSLFailed: Error { var arguments: String }

    /// A CA named `name` (`name.pem`) and a server certificate for 127.0.0.1 it signed; the server's TLS context.
    func authority(_ name: String) throws -> NIOSSLContext {
        let newKey = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        try openssl("req -x509 \(newKey) -keyout \(name).key -out \(name).pem -days 1 -subj /CN=\(name)")
        try openssl("req \(newKey) -keyout \(name)-server.key -out \(name)-server.csr -subj /CN=127.0.0.1")
        try openssl("x509 -req -in \(name)-server.csr -CA \(name).pem -CAkey \(name).key -CAcreateserial -out \(name)-server.pem -days 1 -extfile san.ext")
        let chain = try NIOSSLCertificate.fromPEMFile(path("\(name)-server.pem")).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: path("\(name)-server.key"), format: .pem)
        return try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
    }

    func path(_ file: String) -> String { directory.appending(path: file).path }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

@Suite("AsyncHTTPClient transport: TLS with a CA file")
struct TrustedCAFileTests {
    @Test("trusts the CA file's authorities only; after the file is replaced with another CA, the next request trusts the new one and no longer the old")
    func rotation() async throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let first = try pki.authority("ca1")
        let second = try pki.authority("ca2")
        let caFile = pki.path("trusted.pem")
        try FileManager.default.copyItem(atPath: pki.path("ca1.pem"), toPath: caFile)
        let trust = try TrustedCAFile(path: caFile, checkInterval: .zero)
        let transport = AsyncHTTPClientTransport(trusting: trust)
        func status(_ url: URL) async -> Int? {
            try? await transport.send(.init(method: .get, path: "/x"), serverURL: url, operationID: "op").statusCode
        }
        try await withServer(handler: { EchoHandler() }, tls: first) { firstURL in
            try await withServer(handler: { EchoHandler() }, tls: second) { secondURL in
                #expect(await status(firstURL) == 201)
                #expect(await status(secondURL) == nil, "a server of a CA not in the file is refused")
                try FileManager.default.removeItem(atPath: caFile)
                try FileManager.default.copyItem(atPath: pki.path("ca2.pem"), toPath: caFile)
                #expect(await status(secondURL) == 201)
                #expect(await status(firstURL) == nil, "the old CA is trusted no more")
                // A half-written bundle leaves the last good one in place, and says why.
                try "-----BEGIN CERTIFICATE-----\nnot base64".write(toFile: caFile, atomically: true, encoding: .utf8)
                #expect(await status(secondURL) == 201)
                #expect(trust.lastReloadError.map { "\($0)".hasPrefix("the TLS CA file \(caFile) is not a PEM certificate bundle") } == true)
            }
        }
        try await trust.shutdown()
    }

    @Test("a missing or certificate-less CA file is an error at start that names the file")
    func badFile() throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        #expect {
            try TrustedCAFile(path: pki.path("missing.pem"))
        } throws: { error in
            "\(error)".hasPrefix("cannot read the TLS CA file \(pki.path("missing.pem"))")
        }
        try "no certificates here\n".write(toFile: pki.path("empty.pem"), atomically: true, encoding: .utf8)
        #expect {
            try TrustedCAFile(path: pki.path("empty.pem"))
        } throws: { error in
            "\(error)".contains(pki.path("empty.pem"))
        }
    }
}
