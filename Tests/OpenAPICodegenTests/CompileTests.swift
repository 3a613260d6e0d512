import Foundation
import Testing
@testable import OpenAPICodegen

/// Every spec we know of must generate code that compiles against the runtime with zero errors.
@Suite("Generated code compiles")
struct CompileTests {
    static let specs: [URL] = {
        let shared = (try? FileManager.default.contentsOfDirectory(at: TestPaths.sharedSpecs, includingPropertiesForKeys: nil)) ?? []
        let fixtures = [
            TestPaths.contract,
            TestPaths.kubernautShaped,
            TestPaths.features,
            TestPaths.fixtures.appending(path: "reference/petshop.yaml"),
            TestPaths.fixtures.appending(path: "external/root.yaml"),
        ]
        return shared.filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path } + fixtures
    }()

    @Test("the shared corpus is read when it is beside the checkout", .tags(.compile),
          .enabled(if: TestPaths.sharedCorpusPresent, "../shared/specs is not beside this checkout"))
    func sharedSpecsPresent() {
        #expect(Self.specs.contains { $0.lastPathComponent == "kubernaut-data-storage-v1.yaml" })
        #expect(Self.specs.count >= 10)
    }

    @Test("the type-check harness reports errors (negative control)", .tags(.compile))
    func harnessFails() throws {
        let result = try typeCheck([GeneratedFile(name: "Broken.swift", contents: "import OpenAPICodegenRuntime\nlet x: JSONValue = Undefined()\n")])
        #expect(result.status != 0)
        #expect(result.standardError.contains("cannot find 'Undefined' in scope"))
    }

    @Test("generate and type-check", .tags(.compile), arguments: specs)
    func compiles(spec: URL) throws {
        let output = try GeneratorPipeline().run(specPath: spec.path)
        let result = try typeCheck(output.files)
        #expect(result.status == 0, "\(spec.lastPathComponent):\n\(result.standardError)")
        #expect(!result.standardError.contains("error:"))
    }
}

extension Tag {
    @Tag static var compile: Self
}
