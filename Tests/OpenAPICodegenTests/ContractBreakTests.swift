import Foundation
import Testing

/// DD-API-001 on this package itself: the audit library is written against the generated
/// types, so renaming a contract field must break `swift build` at the hand-written uses.
@Suite("Contract break", .serialized)
struct ContractBreakTests {
    @Test("renaming correlation_id in openapi/datastorage.yaml breaks the Audit build at its uses; restoring it builds again")
    func renamedFieldBreaksTheBuild() throws {
        let copy = try TestPaths.temporaryDirectory().appending(path: "swift-audit")
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        // What the manifest needs; not .build, .git or the benchmarks.
        for item in ["Package.swift", "Sources", "Plugins", "Tests", "openapi"] {
            try FileManager.default.copyItem(at: TestPaths.packageRoot.appending(path: item), to: copy.appending(path: item))
        }
        let spec = copy.appending(path: "openapi/datastorage.yaml")
        let original = try String(contentsOf: spec, encoding: .utf8)
        #expect(original.contains("correlation_id:"))
        func build() throws -> ProcessResult {
            try runProcess("/usr/bin/env", ["swift", "build", "--package-path", copy.path, "--target", "Audit"])
        }

        try original.replacingOccurrences(of: "correlation_id", with: "trace_id").write(to: spec, atomically: true, encoding: .utf8)
        let broken = try build()
        let output = broken.standardOutput + broken.standardError
        #expect(broken.status != 0, "the build must fail")
        let errors = output.split(separator: "\n").filter { $0.contains(": error:") }
        #expect(errors.contains { $0.contains("/Sources/Audit/") && $0.contains("correlationID") }, "\(errors.joined(separator: "\n"))")
        #expect(!errors.contains { $0.contains("/Generated") || $0.contains("/plugins/") }, "errors point at hand-written code, not generated code")

        try original.write(to: spec, atomically: true, encoding: .utf8)
        let restored = try build()
        #expect(restored.status == 0, "\(restored.standardOutput)\n\(restored.standardError)")
    }
}
