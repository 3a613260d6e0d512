import AsyncHTTPClient
import Audit
import Foundation
import Logging
import OpenAPICodegenAsyncHTTPClient
import ServiceLifecycle

let logger = Logger(label: "gateway")
// One retry layer: the store retries with backoff, so the HTTP client must fail fast.
let http = HTTPClient(configuration: AsyncHTTPClientTransport.failFastConfiguration())
// HTTPS when TLS_CA_FILE names a CA bundle, as for kubernaut's services; the file is read
// again when it changes (at most every 30 s), so a rotated CA needs no restart.
let caFile = try ProcessInfo.processInfo.environment["TLS_CA_FILE"].map { try TrustedCAFile(path: $0) }
let client = Client(
    serverURL: URL(string: caFile == nil ? "http://data-storage-service:8080" : "https://data-storage-service:8443")!,
    transport: caFile.map { AsyncHTTPClientTransport(trusting: $0, configuration: .init(timeout: .seconds(5))) }  // timeout
        ?? AsyncHTTPClientTransport(client: http, configuration: .init(timeout: .seconds(5))),
    middlewares: [BearerTokenMiddleware(provider: FileTokenProvider(                // bearer token, re-read
        path: "/var/run/secrets/kubernetes.io/serviceaccount/token", refresh: .every(.seconds(60))))])
let store = try BufferedStore(client: client, config: .recommended(for: "gateway"), service: "gateway", logger: logger)
// For your own readiness endpoint: `readiness.isReady` follows DataStorage's /readyz.
let readiness = DataStorageReadinessGate(prober: DataStorageProber(client: client), logger: logger)

// Anywhere, sync or async: never blocks, never suspends.
let event = AuditEvent(
    type: "gateway.signal.received", category: .gateway, action: "received", outcome: .success,
    correlationID: "rr-2025-001",
    data: try CommonEnvelope(service: "gateway", operation: "receive_signal", status: "ok",
                             encoding: ["signal": "HighMemoryUsage", "namespace": "payment"]))
do {
    try store.store(event)
} catch .bufferFull {
    // dropped and counted in audit_events_dropped_total; decide whether to fail the request
} catch {
    // .invalidEvent (every violation, with its JSON path) or .closed (shutting down)
}

// The store is a Service: on SIGTERM it stops taking events, writes what is buffered
// (up to closeTimeout), and run() returns.
let group = ServiceGroup(services: [store, readiness /*, your HTTP server, … */], gracefulShutdownSignals: [.sigterm], logger: logger)
try await group.run()
// `as Void` picks AsyncHTTPClient's async shutdown, which top-level code does not choose by itself.
try await http.shutdown() as Void
try await caFile?.shutdown()
