import Audit
import Foundation
import Logging

/// A store over an in-memory DataStorage that takes every batch, on the test's clock.
func makeTestStore(clock: some Clock<Duration>) throws -> BufferedStore<AuditEvent> {
    let transport = InMemoryTransport { _, _ in
        HTTPResponse(statusCode: 201, headers: ["Content-Type": "application/json"],
                     body: Data(#"{"event_ids": [], "message": "ok"}"#.utf8))
    }
    return try BufferedStore(
        client: Client(serverURL: URL(string: "http://datastorage.test")!, transport: transport),
        service: "gateway", logger: Logger(label: "test"), clock: clock)
}
