import Foundation
import Testing
import TestSupport

/// The bad-input corpus: each file gets a clear located diagnostic and a non-zero exit,
/// never a crash.
@Suite("Bad input through the CLI")
struct BadInputTests {
    @Test("each bad spec fails with file:line:column", arguments: [
        ("truncated.yaml", "truncated.yaml:9:1: error: did not find expected ',' or '}'"),
        ("tabs.yaml", "tabs.yaml:3:1: error: found character that cannot start any token"),
        ("duplicate-keys.yaml", "duplicate-keys.yaml:10:5: error: duplicate mapping key 'Thing' (first defined at 8:5)"),
        ("alias-bomb.yaml", "alias-bomb.yaml:10:10: error: expanding aliases would create more than 1000000 nodes"),
        ("dangling-ref.yaml", "dangling-ref.yaml:10:17: error: cannot resolve reference '#/components/schemas/DoesNotExist'"),
        ("wrong-types.yaml", "wrong-types.yaml:9:19: error: 'properties' must be a mapping, found a scalar"),
        ("empty.yaml", "empty.yaml:1:1: error: the file is empty"),
    ])
    func badSpec(file: String, expected: String) async throws {
        let path = TestPaths.fixtures.appending(path: "bad/\(file)").path
        for command in ["lint", "generate"] {
            var arguments = [command, path]
            if command == "generate" { arguments += ["--output", try TestPaths.temporaryDirectory().path] }
            let result = try await runProcess(TestPaths.codegenExecutable.path, arguments)
            #expect(result.status == 1, "\(command) \(file) exited \(result.status)")
            #expect(result.standardError.contains(expected), "\(command) \(file):\n\(result.standardError)")
        }
    }

    @Test("a missing file is reported, not a crash")
    func missingFile() async throws {
        let result = try await runProcess(TestPaths.codegenExecutable.path, ["lint", "/nonexistent/spec.yaml"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent/spec.yaml:1:1: error: cannot read file: no such file"))
    }

    @Test("a bad configuration key is an error with its location")
    func badConfiguration() async throws {
        let directory = try TestPaths.temporaryDirectory()
        let config = directory.appending(path: "openapi-codegen.yaml")
        try "spec: x.yaml\naccesModifier: public\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try await runProcess(TestPaths.codegenExecutable.path, ["lint", TestPaths.contract.path, "--config", config.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("openapi-codegen.yaml:2:1: error: unknown configuration key 'accesModifier'"))
    }
}
