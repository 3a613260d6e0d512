import Foundation
import Synchronization
import Testing
import TestSupport
@testable import OpenAPICodegenRuntime

private final class Log: Sendable {
    let entries = Mutex<[String]>([])
    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

private struct Recorder: ClientMiddleware {
    let name: String
    let log: Log

    func intercept(
        _ request: HTTPRequest, serverURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, URL) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        log.append("\(name) > \(request.headers["X-Trace"] ?? "")")
        var request = request
        request.headers["X-Trace"] = (request.headers["X-Trace"] ?? "") + name
        let response = try await next(request, serverURL)
        log.append("\(name) < \(response.statusCode)")
        return response
    }
}

private struct Failing: ClientMiddleware {
    struct Boom: Error {}
    func intercept(
        _ request: HTTPRequest, serverURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, URL) async throws -> HTTPResponse
    ) async throws -> HTTPResponse {
        throw Boom()
    }
}

private struct Refused: Error {}

@Suite("Client core: middlewares, transport and errors")
struct ClientCoreTests {
    let url = URL(string: "http://127.0.0.1:1/base")!

    @Test("middlewares run in order around the transport")
    func ordering() async throws {
            let log = Log()
            let transport = InMemoryTransport { request, _ in
                HTTPResponse(statusCode: request.headers["X-Trace"] == "ab" ? 204 : 500)
            }
            let core = ClientCore(serverURL: URL(string: "http://x")!, transport: transport, middlewares: [Recorder(name: "a", log: log), Recorder(name: "b", log: log)])
            let response = try await core.send(HTTPRequest(method: .get, path: "/"), operationID: "op")
            #expect(response.statusCode == 204)
            #expect(log.all == ["a > ", "b > a", "b < 204", "a < 204"])
    }

    @Test("a transport failure is .transport, even through middlewares")
    func transportError() async {
        let core = ClientCore(serverURL: url, transport: InMemoryTransport { _, _ in throw Refused() }, middlewares: [Recorder(name: "a", log: Log())])
        await #expect {
            _ = try await core.send(HTTPRequest(method: .get, path: "/"), operationID: "op")
        } throws: { error in
            guard case ClientError.transport("op", let underlying) = error else { return false }
            return underlying is Refused
        }
    }

    @Test("a middleware failure is .middleware")
    func middlewareError() async {
        let core = ClientCore(serverURL: url, transport: InMemoryTransport { _, _ in HTTPResponse(statusCode: 200) }, middlewares: [Failing()])
        await #expect {
            _ = try await core.send(HTTPRequest(method: .get, path: "/"), operationID: "op")
        } throws: { error in
            guard case ClientError.middleware(_, let underlying) = error else { return false }
            return underlying is Failing.Boom
        }
    }

    @Test("an unencodable body is .encoding, an undecodable response is .decoding with its status")
    func codingErrors() throws {
        let core = ClientCore(serverURL: url, transport: InMemoryTransport { _, _ in HTTPResponse(statusCode: 200) })
        #expect {
            _ = try core.encodeJSON(Double.nan, operationID: "op")
        } throws: { error in
            if case ClientError.encoding("op", _) = error { true } else { false }
        }
        #expect {
            _ = try core.decodeJSON([String].self, from: HTTPResponse(statusCode: 201, body: Data("{".utf8)), operationID: "op")
        } throws: { error in
            if case ClientError.decoding("op", 201, _) = error { true } else { false }
        }
    }

    @Test("request URLs join the server URL and the path")
    func urls() {
        let request = HTTPRequest(method: .get, path: "/api/v1/audit/events?limit=5")
        #expect(request.url(relativeTo: URL(string: "http://h:8080/base/")!)?.absoluteString == "http://h:8080/base/api/v1/audit/events?limit=5")
        #expect(request.url(relativeTo: URL(string: "http://h:8080")!)?.absoluteString == "http://h:8080/api/v1/audit/events?limit=5")
    }
}

@Suite("Parameters")
struct ParameterTests {
    @Test("percent-encoding keeps only unreserved characters")
    func percentEncoding() {
        #expect(PercentEncoding.encode("rr-2025_001.x~") == "rr-2025_001.x~")
        #expect(PercentEncoding.encode("a b/c?d=e&f#g") == "a%20b%2Fc%3Fd%3De%26f%23g")
        #expect(PercentEncoding.encode("é") == "%C3%A9")
        #expect(PercentEncoding.encode("' OR 1=1; --") == "%27%20OR%201%3D1%3B%20--")
    }

    @Test("form-style query: nil skipped, arrays exploded or joined")
    func query() {
        var query = QueryBuilder()
        query.append("a", "x y")
        query.append("skip", String?.none)
        query.append("n", 5)
        query.append("tags", ["p", "q"])
        query.append("csv", ["p", "q"], explode: false)
        query.append("flag", true)
        #expect(query.queryString == "?a=x%20y&n=5&tags=p&tags=q&csv=p,q&flag=true")
        #expect(QueryBuilder().queryString == "")
    }

    @Test("dates and UUIDs as parameters")
    func values() {
        #expect(Date(timeIntervalSince1970: 0).parameterText == "1970-01-01T00:00:00Z")
        #expect(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!.parameterText == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
    }
}

@Suite("JSON values")
struct JSONValueTests {
    @Test("decodes and re-encodes any JSON")
    func roundTrip() throws {
        let text = #"{"a":[1,2.5,true,null,"s"],"b":{"c":{}}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value == ["a": [1, 2.5, true, nil, "s"], "b": ["c": [:]]])
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(again == value)
    }
}

@Suite("Bearer tokens")
struct BearerTokenTests {
    private func tokenFile(_ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "token-\(UUID().uuidString)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("the middleware sends Authorization: Bearer with the file's trimmed token")
    func header() async throws {
        let file = try tokenFile("abc123\n")
        let provider = FileTokenProvider(path: file.path, refresh: .everyRequest)
        let transport = InMemoryTransport { request, _ in HTTPResponse(statusCode: request.headers["authorization"] == "Bearer abc123" ? 200 : 401) }
        let core = ClientCore(serverURL: URL(string: "http://x")!, transport: transport, middlewares: [BearerTokenMiddleware(provider: provider)])
        #expect(try await core.send(HTTPRequest(method: .get, path: "/"), operationID: "op").statusCode == 200)
    }

    @Test("everyRequest re-reads a rotated token at once")
    func everyRequest() async throws {
        let file = try tokenFile("one")
        let provider = FileTokenProvider(path: file.path, refresh: .everyRequest)
        #expect(try await provider.token() == "one")
        try "two".write(to: file, atomically: true, encoding: .utf8)
        #expect(try await provider.token() == "two")
    }

    @Test("an interval caches the token until the clock passes it")
    func interval() async throws {
        let file = try tokenFile("one")
        let clock = ManualClock()
        let provider = FileTokenProvider(path: file.path, refresh: .every(.seconds(60)), clock: clock)
        #expect(try await provider.token() == "one")
        try "two".write(to: file, atomically: true, encoding: .utf8)
        clock.advance(by: .seconds(59))
        #expect(try await provider.token() == "one")
        clock.advance(by: .seconds(1))
        #expect(try await provider.token() == "two")
    }

    @Test("a 401 makes the next request read the token file again, within the refresh interval; a newer cached token stays")
    func rereadAfterUnauthorized() async throws {
        let file = try tokenFile("one")
        let clock = ManualClock()
        let provider = FileTokenProvider(path: file.path, refresh: .every(.seconds(60)), clock: clock)
        let sent = Mutex<[String]>([])
        let transport = InMemoryTransport { request, _ in
            let header = request.headers["authorization"] ?? ""
            sent.withLock { $0.append(header) }
            return HTTPResponse(statusCode: header == "Bearer two" ? 200 : 401)
        }
        let core = ClientCore(serverURL: URL(string: "http://x")!, transport: transport, middlewares: [BearerTokenMiddleware(provider: provider)])
        #expect(try await core.send(HTTPRequest(method: .get, path: "/"), operationID: "op").statusCode == 401)
        try "two".write(to: file, atomically: true, encoding: .utf8)
        #expect(try await core.send(HTTPRequest(method: .get, path: "/"), operationID: "op").statusCode == 200)
        #expect(sent.withLock { $0 } == ["Bearer one", "Bearer two"])
        // A 401 answered to an older token must not throw away the one read since.
        try "three".write(to: file, atomically: true, encoding: .utf8)
        await provider.rejected("one")
        #expect(try await provider.token() == "two")
    }

    @Test("a provider that cannot give a token fails the request with a CredentialError naming the scheme and the file; nothing is sent")
    func missingTokenFile() async throws {
        let sent = Mutex(0)
        let transport = InMemoryTransport { _, _ in
            sent.withLock { $0 += 1 }
            return HTTPResponse(statusCode: 200)
        }
        let middleware = BearerTokenMiddleware(scheme: "bearerAuth", provider: FileTokenProvider(path: "/nonexistent/token"))
        let core = ClientCore(serverURL: URL(string: "http://x")!, transport: transport, middlewares: [middleware])
        await #expect {
            try await core.send(HTTPRequest(method: .get, path: "/"), operationID: "op")
        } throws: { error in
            guard case ClientError.middleware(_, let underlying as CredentialError) = error else { return false }
            return underlying.scheme == "bearerAuth" && underlying.underlying as? TokenFileError == .unreadable(path: "/nonexistent/token")
                && "\(underlying)" == "no credential for security scheme 'bearerAuth': cannot read the bearer token file at /nonexistent/token"
        }
        #expect(sent.withLock { $0 } == 0)
    }

    @Test("a missing or empty token file is a typed error")
    func failures() async throws {
        await #expect(throws: TokenFileError.unreadable(path: "/nonexistent/token")) {
            try await FileTokenProvider(path: "/nonexistent/token").token()
        }
        let empty = try tokenFile("  \n")
        await #expect(throws: TokenFileError.empty(path: empty.path)) {
            try await FileTokenProvider(path: empty.path).token()
        }
    }
}
