import Foundation
import Testing
import TestSupport
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
            TestPaths.fixtures.appending(path: "adversarial/names.yaml"),
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
    func harnessFails() async throws {
        let result = try await typeCheck([GeneratedFile(name: "Broken.swift", contents: "import OpenAPICodegenRuntime\nlet x: JSONValue = Undefined()\n")])
        #expect(result.status != 0)
        #expect(result.standardError.contains("cannot find 'Undefined' in scope"))
    }

    @Test("generate and type-check", .tags(.compile), arguments: specs)
    func compiles(spec: URL) async throws {
        let output = try GeneratorPipeline().run(specPath: spec.path)
        let result = try await typeCheck(output.files)
        #expect(result.status == 0, "\(spec.lastPathComponent):\n\(result.standardError)")
        #expect(!result.standardError.contains("error:"))
    }
}

extension Tag {
    @Tag static var compile: Self
}

/// The document scripts/make-large-spec writes: the shapes of large public APIs, at any size.
@Suite("A large 3.1 document")
struct LargeSpecTests {
    static func make(resources: Int) async throws -> URL {
        let spec = try TestPaths.temporaryDirectory().appending(path: "large.yaml")
        let result = try await runProcess("/usr/bin/env", ["python3", TestPaths.packageRoot.appending(path: "scripts/make-large-spec").path, spec.path, String(resources)])
        #expect(result.status == 0, "\(result.standardError)")
        return spec
    }

    @Test("its shapes generate without a diagnostic and compile", .tags(.compile))
    func compiles() async throws {
        let output = try GeneratorPipeline().run(specPath: await Self.make(resources: 3).path)
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        let result = try await typeCheck(output.files)
        #expect(result.status == 0, "\(result.standardError)")
    }

    @Test("3 MB of it generates, every resource's operations and schemas present")
    func threeMegabytes() async throws {
        let spec = try await Self.make(resources: 500)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: spec.path)[.size] as? Int)
        #expect(size > 2_900_000)
        let loaded = try DocumentLoader().load(path: spec.path)
        #expect(loaded.document.operations.count == 2_500)
        let module = Translator().translate(loaded.document, sourceName: "large.yaml").module
        #expect(module.schemas.count == 3 + 6 * 500)
        #expect(module.operations.map(\.methodName).contains("deleteResource499"))
    }
}
