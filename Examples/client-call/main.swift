import AsyncHTTPClient
import Audit  // re-exports DataStorageClient, generated from openapi/datastorage.yaml
import Foundation
import OpenAPICodegenAsyncHTTPClient

let http = HTTPClient(configuration: AsyncHTTPClientTransport.failFastConfiguration())
let client = Client(
    serverURL: URL(string: "http://datastorage:8080")!,
    transport: AsyncHTTPClientTransport(client: http, configuration: .init(timeout: .seconds(5))),
    middlewares: [BearerTokenMiddleware(provider: FileTokenProvider(
        path: "/var/run/secrets/kubernetes.io/serviceaccount/token", refresh: .every(.seconds(60))))])

let event = AuditEvent(
    type: "gateway.signal.received", category: .gateway, action: "received", outcome: .success,
    correlationID: "rr-2025-001",
    data: CommonEnvelope(service: "gateway", operation: "receive_signal", status: "ok", payload: ["signal": "HighMemoryUsage"]))
switch try await client.createAuditEvent(body: event) {
case .created(let response): print("stored", response.eventID)
case .accepted: print("queued by the server")
case .badRequest(let problem): print(problem.fieldErrors ?? [:])
default: break
}
try await http.shutdown() as Void
