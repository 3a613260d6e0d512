import Foundation
import PackagePlugin

/// Runs `openapi-codegen generate` for every target that has an `openapi-codegen.yaml`.
///
/// SwiftPM reruns the command only when a declared input changes, so the inputs are the
/// config, the spec and every file the spec reaches through `$ref`; the outputs are the
/// generator's fixed file set (`FileLayout.fileNames` in OpenAPICodegen).
@main
struct OpenAPICodegenPlugin: BuildToolPlugin {
    static let configFileName = "openapi-codegen.yaml"
    /// Exactly `FileLayout.fileNames` (PluginTests compares what SwiftPM compiles with it); the
    /// plugin cannot link the generator's library, so the list is spelled again here.
    static let outputFileNames = ["Client.swift", "Operations.swift"] + numbered("Padding", count: 14)
        + numbered("Schemas", count: 33) + ["Server.swift"]

    static func numbered(_ stem: String, count: Int) -> [String] {
        (1...count).map { $0 < 10 ? "\(stem)0\($0).swift" : "\(stem)\($0).swift" }
    }

    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let config = target.directoryURL.appending(path: Self.configFileName)
        guard FileManager.default.fileExists(atPath: config.path) else {
            throw PluginError.missingConfig(target: target.name, path: config.path)
        }
        let spec = try Self.specURL(fromConfig: config)
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "GeneratedSources")
        return [
            .buildCommand(
                displayName: "Generating Swift from \(spec.lastPathComponent) for \(target.name)",
                executable: try context.tool(named: "openapi-codegen").url,
                arguments: ["generate", spec.path, "--config", config.path, "--output", outputDirectory.path],
                inputFiles: [config] + Self.filesReached(from: spec),
                outputFiles: Self.outputFileNames.map { outputDirectory.appending(path: $0) }
            )
        ]
    }

    /// Reads `spec:` from the config. The generator validates the whole file; the plugin
    /// cannot link the YAML parser, so it only looks for this one top-level key.
    static func specURL(fromConfig config: URL) throws -> URL {
        let text = try String(contentsOf: config, encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix("spec:") {
            var value = line.dropFirst("spec:".count)
            if let comment = value.range(of: " #") { value = value[..<comment.lowerBound] }
            let path = value.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'"))
            return URL(fileURLWithPath: path, relativeTo: config.deletingLastPathComponent()).standardizedFileURL
        }
        throw PluginError.missingSpec(config: config.path)
    }

    /// The spec and every file it reaches through `$ref`, found by scanning the text.
    static func filesReached(from spec: URL) -> [URL] {
        var found: [URL] = []
        var queue = [spec.standardizedFileURL]
        let pattern = try! NSRegularExpression(pattern: #"\$ref["']?\s*:\s*["']?([^"'#\s,}]+)"#)
        while let file = queue.popLast() {
            guard !found.contains(file) else { continue }
            found.append(file)
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let reference = String(text[range])
                guard !reference.contains("://") else { continue }
                queue.append(URL(fileURLWithPath: reference, relativeTo: file.deletingLastPathComponent()).standardizedFileURL)
            }
        }
        return found
    }
}

enum PluginError: Error, CustomStringConvertible {
    case missingConfig(target: String, path: String)
    case missingSpec(config: String)

    var description: String {
        switch self {
        case .missingConfig(let target, let path):
            "target '\(target)' uses OpenAPICodegenPlugin but has no \(path); add one with 'spec: <path to the OpenAPI document>'"
        case .missingSpec(let config):
            "\(config) has no 'spec:' line naming the OpenAPI document"
        }
    }
}
