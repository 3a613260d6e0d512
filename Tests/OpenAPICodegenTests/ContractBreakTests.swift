import Foundation
import Testing
import TestSupport

extension ConsumerBuilds {
    /// DD-API-001 on this package itself: the audit library and the server are written against
    /// the generated code, so renaming a contract field or parameter must break `swift build` at
    /// the hand-written uses. (A renamed path builds: the server follows the contract; the
    /// served-paths test in DataStorageServerTests pins the paths kubernaut's clients call.)
    /// The control, the same sources unrenamed building, is `scripts/test`'s own build of this
    /// package; the copy is not built a second time.
    @Suite("Contract break")
    struct ContractBreakTests {
        @Test("renaming a field and query parameters in openapi/datastorage.yaml breaks the Audit and DataStorageServer builds at their uses")
        func renamedFieldBreaksTheBuild() async throws {
            let copy = try TestPaths.temporaryDirectory().appending(path: "swift-audit")
            defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
            try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
            // Everything the manifest may name (new top-level folders included); not .build, .git or the benchmarks' own package.
            let items = try FileManager.default.contentsOfDirectory(atPath: TestPaths.packageRoot.path)
                .filter { !$0.hasPrefix(".") && $0 != "Benchmarks" && $0 != "Package.resolved" }
            for item in items {
                try FileManager.default.copyItem(at: TestPaths.packageRoot.appending(path: item), to: copy.appending(path: item))
            }
            let spec = copy.appending(path: "openapi/datastorage.yaml")
            let original = try String(contentsOf: spec, encoding: .utf8)
            #expect(original.contains("event_outcome:") && original.contains("- name: offset\n"))
            // event_outcome is a body member and a query parameter; offset a query parameter only.
            // Neither is used by AuditIntegrity, which the server depends on: a break there would
            // stop the server's build before its own files are compiled.
            let renamed = original.replacingOccurrences(of: "event_outcome", with: "result")
                .replacingOccurrences(of: "- name: offset\n", with: "- name: skip\n")
            try renamed.write(to: spec, atomically: true, encoding: .utf8)
            // The client library and the server, each against the generated code; the second build reuses the first's dependencies.
            var broken: [ProcessResult] = []
            for target in ["Audit", "DataStorageServer"] {
                broken.append(try await ConsumerBuilds.build(copy, ["--target", target]))
            }
            #expect(broken.allSatisfy { $0.status != 0 }, "both builds must fail")
            let errors = broken.flatMap { ($0.standardOutput + $0.standardError).split(separator: "\n") }.filter { $0.contains(": error:") }
            let report = errors.joined(separator: "\n")
            // No compiler error at all means the copy failed for another reason (a manifest naming a folder not copied, say): show it.
            #expect(!errors.isEmpty, "\(broken.map { $0.standardOutput + $0.standardError }.joined(separator: "\n"))")
            #expect(errors.contains { $0.contains("/Sources/Audit/") && $0.contains("eventOutcome") }, "\(report)")
            // When the server's errors are missing, its build failed for another reason: show its end.
            let serverBuild = (broken[1].standardOutput + broken[1].standardError).split(separator: "\n").suffix(60).joined(separator: "\n")
            #expect(errors.contains { $0.contains("/Sources/DataStorageServer/") && $0.contains("eventOutcome") }, "\(serverBuild)")
            #expect(errors.contains { $0.contains("/Sources/DataStorageServer/HTTP/AuditQueryParser.swift") && $0.contains("offset") }, "\(serverBuild)")
            #expect(!errors.contains { $0.contains("/Generated") || $0.contains("/plugins/") }, "errors point at hand-written code, not generated code")
        }
    }
}
