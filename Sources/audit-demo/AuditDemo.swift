import ArgumentParser
import Audit
import DataStorageServer
import Foundation
import Logging

/// `swift run audit-demo`: a simulated gateway sends audit events through `BufferedStore`,
/// the generated client and HTTP to a DataStorage server, then reads them back and checks
/// that every one arrived exactly once. The exit code says whether it did.
@main
struct AuditDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-demo",
        abstract: "Sends audit events from a simulated gateway to DataStorage and checks that each is stored exactly once.",
        discussion: "Without --datastorage-url, a DataStorage server runs in-process on a free loopback port, over SQLite in a temporary directory.")

    @Option(help: "Events to send.")
    var events = 100_000

    @Option(help: "Concurrent producer tasks.")
    var producers = 4

    @Option(help: "postgres://user@host:port/database for the in-process server (default: SQLite in a temporary directory).")
    var storage: String?

    @Option(help: "An external DataStorage server to send to instead of the in-process one.")
    var datastorageURL: String?

    @Option(help: "The contract the events are written in: envelope (this package's) or kubernaut (kubernaut's typed payloads, through its generated client).")
    var contract: DemoContract = .envelope

    @Flag(help: "Print the Prometheus exposition of the audit store's metrics at the end.")
    var metrics = false

    @Flag(help: "Take the storage away for a few seconds mid-run: the server queues to its dead-letter journal, then replays it.")
    var chaos = false

    func validate() throws {
        guard events > 0, producers > 0 else { throw ValidationError("--events and --producers must be positive") }
        guard !(chaos && datastorageURL != nil) else { throw ValidationError("--chaos needs the in-process server; drop --datastorage-url") }
        if let storage, !(storage.hasPrefix("postgres://") || storage.hasPrefix("postgresql://")) {
            throw ValidationError("--storage must be a postgres:// URL (SQLite is the default)")
        }
        if let datastorageURL, URL(string: datastorageURL)?.host == nil {
            throw ValidationError("--datastorage-url must be an http:// URL, got '\(datastorageURL)'")
        }
    }

    func run() async throws {
        let logger = Logger(label: "audit-demo") { _ in SwiftLogNoOpLogHandler() }
        let demo = DemoRun(contract: contract, events: events, producers: producers, printMetrics: metrics, chaos: chaos, logger: logger)
        let exact: Bool
        if let datastorageURL {
            exact = try await demo.run(serverURL: URL(string: datastorageURL)!, server: nil)
        } else {
            exact = try await InProcessServer.with(storage: storage, logger: logger) { server in
                try await demo.run(serverURL: server.url, server: server)
            }
        }
        guard exact else { throw ExitCode(1) }
    }
}

/// Which contract the simulated gateway writes in; datastorage accepts both on the same endpoints.
enum DemoContract: String, ExpressibleByArgument, CaseIterable, Sendable {
    case envelope
    case kubernaut

    var summary: String {
        switch self {
        case .envelope: "envelope contract"
        case .kubernaut: "kubernaut's contract"
        }
    }
}
