import Foundation
import Testing
import TestSupport
@testable import OpenAPICodegen

/// Small specs compared with reviewed, expected Swift output.
///
/// After an intended change to the output, regenerate the expectations with
/// `OPENAPI_CODEGEN_UPDATE_REFERENCE=1 swift test --filter ReferenceTests`, then review the diff.
@Suite("Reference output")
struct ReferenceTests {
    @Test("petshop.yaml renders exactly as expected", arguments: FileLayout.fileNames)
    func petshop(file: String) throws {
        let generated = try generate(TestPaths.fixtures.appending(path: "reference/petshop.yaml"))
        let expectedURL = TestPaths.fixtures.appending(path: "reference/petshop/\(file).expected")
        if ProcessInfo.processInfo.environment["OPENAPI_CODEGEN_UPDATE_REFERENCE"] == "1" {
            try FileManager.default.createDirectory(at: expectedURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try generated[file]!.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(generated[file] == expected)
    }

    @Test("the file set is fixed whatever the spec holds")
    func fixedFileSet() throws {
        let empty = try TestPaths.temporaryDirectory().appending(path: "empty.yaml")
        try "openapi: 3.1.0\ninfo: {title: Empty, version: '1'}\npaths: {}\n".write(to: empty, atomically: true, encoding: .utf8)
        #expect(try generate(empty).keys.sorted() == FileLayout.fileNames.sorted())
        #expect(try generate(TestPaths.features).keys.sorted() == FileLayout.fileNames.sorted())
    }

    /// The driver's batching as `FileLayout` describes it: max(cores, ⌈files / 25⌉) batches of
    /// consecutive files, the target's own first, the plugin's after them in name order.
    @Test("with one file of the user's, two cores make three batches: no schema in the first, the shards split over the other two")
    func batchLayout() {
        #expect(FileLayout.fileNames == FileLayout.fileNames.sorted(), "SwiftPM hands the plugin's files over in name order")
        let batches = FileLayout.driverBatches()
        #expect(batches.map(\.count) == [17, 17, 17])
        #expect(batches.flatMap { $0 } == [""] + FileLayout.fileNames)
        let schemasPerBatch = batches.map { batch in batch.filter(FileLayout.schemaFiles.contains).count }
        #expect(schemasPerBatch == [0, 17, 16])
        #expect(FileLayout.driverBatches(userFiles: 30).count == 4)
    }

    @Test("the two model batches get the same share of the code, the server's counting in its batch; comments weigh nothing")
    func sharding() throws {
        let chunks = (0..<300).map { "struct S\($0) {}" + String(repeating: " ", count: $0 % 3 == 0 ? 300 : 10) + "\n/// \($0)" }
        let total = chunks.reduce(0) { $0 + FileLayout.compiledSize($1) }
        #expect(total == chunks.reduce(0) { $0 + $1.split(separator: "\n")[0].utf8.count })
        #expect(FileLayout.compiledSize("  /// doc\n  code\n/x\n\n  // note\nlet a = 1 // b") == 6 + 2 + 14)
        func batchSizes(_ shards: [[String]]) -> [Int] {
            [shards[..<17], shards[17...]].map { $0.joined().reduce(0) { $0 + FileLayout.compiledSize($1) } }
        }
        for server in [0, total / 3] {
            let shards = FileLayout.shard(chunks, serverSize: server)
            #expect(shards.count == FileLayout.schemaFiles.count)
            #expect(shards.flatMap { $0 } == chunks)
            let sizes = batchSizes(shards)
            #expect(abs(sizes[0] - (sizes[1] + server)) <= 2 * 320, "\(sizes) with a server of \(server)")
        }
        let everything = FileLayout.shard(chunks, serverSize: 10 * total)
        #expect(everything.flatMap { $0 } == chunks, "a server larger than the models still places every declaration")
        #expect(FileLayout.shard([], serverSize: 0).allSatisfy { $0.isEmpty })
        let files = try generate(TestPaths.kubernautShaped)
        for name in FileLayout.paddingFiles {
            #expect(!files[name]!.contains("import ") && !files[name]!.contains("struct "), "\(name)")
        }
    }

    @Test("output is byte-identical from run to run")
    func deterministic() throws {
        for spec in [TestPaths.features, TestPaths.kubernautShaped] {
            #expect(try generate(spec) == generate(spec))
        }
    }

    @Test("the access modifier and operation filter from the configuration apply")
    func options() throws {
        let files = try generate(TestPaths.contract, options: TranslationOptions(accessModifier: "package", operations: ["queryAuditEvents"]))
        #expect(files["Client.swift"]!.contains("package func queryAuditEvents("))
        #expect(!files["Client.swift"]!.contains("createAuditEvent"))
        // No public declaration (doc comments may say "public", as in "the public key").
        #expect(!FileLayout.schemaFiles.contains { files[$0]!.split(separator: "\n").contains { $0.drop(while: { $0 == " " }).hasPrefix("public ") } })
        #expect(!files.values.contains { $0.contains("writeJSON") })
        let writers = try generate(TestPaths.contract, options: TranslationOptions(jsonWriters: true))
        #expect(writers.values.contains { $0.contains("public func writeJSON(to output: JSONOutput) throws") })
        #expect(!files.values.contains { $0.contains("JSONReader") || $0.contains("JSONReadable") })
        var readerOptions = TranslationOptions()
        readerOptions.jsonReaders = true
        let readers = try generate(TestPaths.contract, options: readerOptions)
        #expect(readers.values.contains { $0.contains("public init(jsonReader reader: inout JSONReader) throws") })
        #expect(readers.values.contains { $0.contains("public enum EventOutcome: OpenEnum, JSONReadable") })
    }
}

/// `Generated/DataStorageClient` must be exactly what the generator makes of the contract.
@Suite("Committed output")
struct DriftTests {
    static let generatedDirectory = TestPaths.packageRoot.appending(path: "Generated/DataStorageClient")
    static let config = TestPaths.packageRoot.appending(path: "Sources/DataStorageClient/openapi-codegen.yaml")

    @Test("Generated/DataStorageClient matches openapi/datastorage.yaml")
    func noDrift() throws {
        let configuration = try CodegenConfiguration.load(path: Self.config.path)
        #expect(configuration.specPath(relativeTo: Self.config.path) == TestPaths.contract.path)
        let output = try GeneratorPipeline(options: configuration.options).run(specPath: TestPaths.contract.path)
        let differences = OutputDirectory.differences(output.files, in: Self.generatedDirectory.path)
        #expect(differences.isEmpty, "run: openapi-codegen generate openapi/datastorage.yaml --config Sources/DataStorageClient/openapi-codegen.yaml --output Generated/DataStorageClient\n\(differences.joined(separator: "\n"))")
    }

    @Test("openapi-codegen check exits 1 with a summary on drift, 0 when identical")
    func checkCommand() async throws {
        let directory = try TestPaths.temporaryDirectory()
        let codegen = TestPaths.codegenExecutable.path
        let generate = try await runProcess(codegen, ["generate", TestPaths.contract.path, "--output", directory.path])
        #expect(generate.status == 0, "\(generate.standardError)")
        let clean = try await runProcess(codegen, ["check", TestPaths.contract.path, "--against", directory.path])
        #expect(clean.status == 0)
        let client = directory.appending(path: "Client.swift")
        try (try String(contentsOf: client, encoding: .utf8) + "// edited by hand\n").write(to: client, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: directory.appending(path: "Schemas02.swift"))
        let drifted = try await runProcess(codegen, ["check", TestPaths.contract.path, "--against", directory.path])
        #expect(drifted.status == 1)
        #expect(drifted.standardOutput.contains("Client.swift: differs from line"))
        #expect(drifted.standardOutput.contains("Schemas02.swift: missing"))
    }
}
