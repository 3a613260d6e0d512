import Foundation
import Testing
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

/// The result of running a process to completion.
struct ProcessResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs a process to its end without holding a thread: tests that wait minutes for a build
/// would otherwise take the cooperative pool's threads (two on two cores) from every other
/// test running beside them.
func runProcess(_ executable: String, _ arguments: [String], currentDirectory: URL? = nil) async throws -> ProcessResult {
    // Output goes to files rather than pipes, so a chatty process can never block on a full pipe.
    let directory = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let outputURL = directory.appending(path: "stdout")
    let errorURL = directory.appending(path: "stderr")
    _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    process.standardOutput = try FileHandle(forWritingTo: outputURL)
    process.standardError = try FileHandle(forWritingTo: errorURL)
    let (exits, exitContinuation) = AsyncStream.makeStream(of: Void.self)
    process.terminationHandler = { _ in exitContinuation.finish() }
    try process.run()
    for await _ in exits {}
    return ProcessResult(
        status: process.terminationStatus,
        standardOutput: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "",
        standardError: (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "")
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
