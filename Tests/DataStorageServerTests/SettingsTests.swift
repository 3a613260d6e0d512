import Foundation
import Testing

/// `datastorage serve`'s settings: flags, environment variables, defaults, and the README's
/// table of them.
@Suite("datastorage's settings")
struct SettingsTests {
    /// A value other than the default for each environment variable, valid for its setting.
    static let samples: [String: String] = [
        "DATASTORAGE_HOST": "0.0.0.0", "DATASTORAGE_PORT": "9090", "DATASTORAGE_STORAGE": "postgres://audit@db:5432/audit",
        "DATASTORAGE_DLQ_DIR": "/var/lib/datastorage/dlq", "DATASTORAGE_MAX_BODY_BYTES": "2097152", "DATASTORAGE_MAX_BATCH": "50",
        "DATASTORAGE_AUTH_TOKEN_FILE": "/etc/datastorage/tokens", "DATASTORAGE_DRAIN_SECONDS": "0.5",
        "DATASTORAGE_CHECKPOINT_KEY": "/etc/datastorage/checkpoint.pem", "DATASTORAGE_CHECKPOINT_INTERVAL": "60",
        "DATASTORAGE_RETENTION_INTERVAL": "120", "DATASTORAGE_RETENTION_FLOORS": "security=400,payments=2555",
    ]

    /// The rows of the README's table of settings: each flag and its environment variable.
    static func readmeRows() throws -> [(flag: String, variable: String)] {
        let readme = try String(contentsOf: packageRoot.appending(path: "README.md"), encoding: .utf8)
        return readme.matches(of: /^\| `(--[a-z-]+)` \(`(DATASTORAGE_[A-Z_]+)`[^|]*\|/.anchorsMatchLineEndings())
            .map { (String($0.output.1), String($0.output.2)) }
    }

    struct Reported: Equatable { var value: String; var source: String }

    /// `datastorage --check-config`'s report, by flag.
    static func checkConfig(environment: [String: String], arguments: [String] = []) async throws -> [String: Reported] {
        let run = try await runDataStorage(["--check-config"] + arguments, environment: environment)
        #expect(run.status == 0, "\(run.output)")
        var report: [String: Reported] = [:]
        for line in run.output.split(separator: "\n") {
            let match = try #require(line.wholeMatch(of: /(--[a-z-]+)=(.*) \((.*)\)/), "\(line)")
            report[String(match.output.1)] = Reported(value: String(match.output.2), source: String(match.output.3))
        }
        return report
    }

    @Test("every setting in the README's table is read from its environment variable as from its flag, and the table names every setting")
    func environmentAsFlags() async throws {
        let rows = try Self.readmeRows()
        #expect(Set(rows.map(\.variable)) == Set(Self.samples.keys), "one sample per variable the README names")
        let flags = rows.flatMap { row in
            // The floors' variable is comma-separated; the flag is repeated.
            (Self.samples[row.variable] ?? "").split(separator: ",").flatMap { [row.flag, String($0)] }
        }
        let defaults = try await Self.checkConfig(environment: [:])
        let fromEnvironment = try await Self.checkConfig(environment: Self.samples)
        let fromFlags = try await Self.checkConfig(environment: [:], arguments: flags)
        #expect(Set(defaults.keys) == Set(rows.map(\.flag)), "the README's table names every setting, and only those")
        for row in rows {
            #expect(defaults[row.flag]?.source == "default", "\(row.flag)")
            #expect(fromEnvironment[row.flag]?.source == "from \(row.variable)", "\(row.flag)")
            #expect(fromFlags[row.flag]?.source == "from the flag", "\(row.flag)")
            #expect(fromEnvironment[row.flag]?.value == fromFlags[row.flag]?.value, "\(row.flag)")
            #expect(fromEnvironment[row.flag]?.value != defaults[row.flag]?.value, "\(row.flag): the sample differs from the default")
        }
        // A flag wins over its variable.
        let both = try await Self.checkConfig(environment: ["DATASTORAGE_PORT": "9090"], arguments: ["--port", "7070"])
        #expect(both["--port"] == Reported(value: "7070", source: "from the flag"))
    }

    static let unreadable: [(environment: [String: String], arguments: [String], message: String)] = [
        ([:], ["--retention-floor", "security=0"], "--retention-floor 'security=0' is not CATEGORY=DAYS with DAYS from 1 to 2555"),
        ([:], ["--retention-floor", "security"], "--retention-floor 'security' is not CATEGORY=DAYS"),
        ([:], ["--retention-floor", "security=30", "--retention-floor", "security=60"], "names category 'security' twice"),
        ([:], ["--retention-interval", "0"], "--retention-interval '0.0' must be more than 0"),
        ([:], ["--port", "70000"], "--port '70000' must be from 0 to 65535"),
        (["DATASTORAGE_PORT": "80a"], [], "DATASTORAGE_PORT '80a' is not a whole number"),
        (["DATASTORAGE_RETENTION_INTERVAL": "1h"], [], "DATASTORAGE_RETENTION_INTERVAL '1h' is not a number"),
        (["DATASTORAGE_MAX_BATCH": "0"], [], "DATASTORAGE_MAX_BATCH '0' must be 1 or more"),
        (["DATASTORAGE_STORAGE": "mysql://db/audit"], [], "DATASTORAGE_STORAGE 'mysql://db/audit' must be sqlite:PATH or postgres://"),
        (["DATASTORAGE_RETENTION_FLOORS": "security=30,security=60"], [], "DATASTORAGE_RETENTION_FLOORS 'security=30,security=60' names category 'security' twice"),
        (["DATASTORAGE_RETENTION_FLOORS": "security=30,audit"], [], "holds 'audit', which is not CATEGORY=DAYS"),
    ]

    @Test("a setting that cannot be read, from a flag or the environment, stops the start and names it", arguments: unreadable)
    func unreadableSetting(environment: [String: String], arguments: [String], message: String) async throws {
        // An address no interface has: were the setting taken, the server would fail to bind, not serve.
        let storage = environment["DATASTORAGE_STORAGE"] == nil ? ["--storage", "sqlite::memory:"] : []
        let run = try await runDataStorage(arguments + ["--host", "203.0.113.1"] + storage, environment: environment)
        #expect(run.status != 0 && run.output.contains(message) && !run.output.contains("datastorage listening"), "\(run)")
    }
}
