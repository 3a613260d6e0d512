import Foundation
import Testing

@Suite("audit-demo")
struct DemoTests {
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "audit-demo").path

    @Test(
        "with --chaos: events go through the dead-letter journal during the outage, and every one is found exactly once, in either contract",
        arguments: ["envelope", "kubernaut"])
    func chaos(contract: String) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            Issue.record("\(Self.executable) is missing: scripts/test builds it with swift build --build-tests")
            return
        }
        let log = FileManager.default.temporaryDirectory.appending(path: "audit-demo-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let status = waitForExit(try spawnProcess(Self.executable, ["--events", "6000", "--producers", "3", "--chaos", "--metrics", "--contract", contract], outputFile: log))
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(output)")
        #expect(output.contains("✓ every event sent was stored exactly once"))
        #expect(output.contains(contract == "kubernaut" ? "(kubernaut's contract)" : "(envelope contract)"))
        #expect(output.contains("found in DataStorage                           6,000 of 6,000; missing 0, duplicated 0"))
        let journal = try #require(output.split(separator: "\n").first { $0.contains("dead-letter journal") })
        #expect(!journal.contains(" 0 queued"), "the outage sent events to the journal: \(journal)")
        #expect(output.contains(#"audit_events_written_total{service="gateway"} 6000"#))
    }

    @Test("an unreachable server is a clear error and a non-zero exit, not a hang")
    func unreachable() throws {
        let log = FileManager.default.temporaryDirectory.appending(path: "audit-demo-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let url = "http://127.0.0.1:\(try freePort())"
        let status = waitForExit(try spawnProcess(Self.executable, ["--events", "100", "--datastorage-url", url], outputFile: log))
        #expect(status != 0)
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("DataStorage at \(url) is not ready"))
    }

    @Test("bad flags are refused with a message, not a crash")
    func badFlags() throws {
        let log = FileManager.default.temporaryDirectory.appending(path: "audit-demo-\(UUID().uuidString).log").path
        defer { unlink(log) }
        let status = waitForExit(try spawnProcess(Self.executable, ["--events", "0"], outputFile: log))
        #expect(status != 0)
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("--events and --producers must be positive"))
    }
}
