import Foundation
import Testing
import TestSupport
@testable import OpenAPICodegen

/// Paths and helpers shared by the generator tests.
enum TestPaths {
    /// The package root, found from this file's location.
    static let packageRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appending(path: "Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    static let fixtures = packageRoot.appending(path: "Tests/OpenAPICodegenTests/Fixtures")
    /// The shared public specs, beside the project (`../shared/specs`): an extra corpus that
    /// a clone need not have. Tests of it are skipped, and say so, when it is absent.
    static let sharedSpecs = packageRoot.deletingLastPathComponent().appending(path: "shared/specs")
    static let sharedCorpusPresent = FileManager.default.fileExists(atPath: sharedSpecs.appending(path: "kubernaut-data-storage-v1.yaml").path)
    static let contract = packageRoot.appending(path: "openapi/datastorage.yaml")
    /// Specs written for this repository that the plugin-built test targets use.
    static let kubernautShaped = packageRoot.appending(path: "Tests/KubernautModelTests/kubernaut-event-data.yaml")
    static let features = packageRoot.appending(path: "Tests/GeneratedCodeTests/features.yaml")

    /// The directory the test binary was built into: the CLI and module files live there too.
    static let buildDirectory: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static var modulesDirectory: URL {
        let modules = buildDirectory.appending(path: "Modules")
        return FileManager.default.fileExists(atPath: modules.path) ? modules : buildDirectory
    }

    static var codegenExecutable: URL { buildDirectory.appending(path: "openapi-codegen") }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appending(path: "openapi-codegen-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// Generates a spec in memory and returns the files by name.
func generate(_ spec: URL, options: TranslationOptions = TranslationOptions()) throws -> [String: String] {
    let output = try GeneratorPipeline(options: options).run(specPath: spec.path)
    return Dictionary(uniqueKeysWithValues: output.files.map { ($0.name, $0.contents) })
}

/// Type-checks generated files against the built OpenAPICodegenRuntime module.
func typeCheck(_ files: [GeneratedFile]) async throws -> ProcessResult {
    let directory = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    try OutputDirectory.write(files, to: directory.path)
    let paths = files.map { directory.appending(path: $0.name).path }
    return try await runProcess("/usr/bin/env", ["swiftc", "-typecheck", "-I", TestPaths.modulesDirectory.path] + paths)
}
