import Foundation
import Testing

/// Builds a small consumer package that uses the plugin, as an application would.
@Suite("Build plugin in a consumer package", .serialized)
struct PluginTests {
    static let specRoot = """
        openapi: 3.0.3
        info: {title: Pets, version: '1'}
        paths: {}
        components:
          schemas:
            Pet:
              $ref: './shared/pet.yaml'
        """

    static func pet(field: String) -> String {
        "type: object\nrequired: [\(field)]\nproperties:\n  \(field): {type: string}\n"
    }

    @Test("regenerates when a referenced file changes, not otherwise; a renamed field breaks the caller's build")
    func consumerBuild() throws {
        let root = try TestPaths.temporaryDirectory().appending(path: "Consumer")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let target = root.appending(path: "Sources/PetClient")
        let shared = root.appending(path: "spec/shared")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try """
            // swift-tools-version: 6.1
            import PackageDescription
            let package = Package(
                name: "Consumer",
                platforms: [.macOS(.v15)],
                dependencies: [.package(name: "swift-audit", path: "\(TestPaths.packageRoot.path)")],
                targets: [
                    .target(
                        name: "PetClient",
                        dependencies: [.product(name: "OpenAPICodegenRuntime", package: "swift-audit")],
                        exclude: ["openapi-codegen.yaml"],
                        plugins: [.plugin(name: "OpenAPICodegenPlugin", package: "swift-audit")])
                ])
            """.write(to: root.appending(path: "Package.swift"), atomically: true, encoding: .utf8)
        try "spec: ../../spec/root.yaml\n".write(to: target.appending(path: "openapi-codegen.yaml"), atomically: true, encoding: .utf8)
        try "public func label(_ pet: Pet) -> String { pet.name }\n".write(to: target.appending(path: "Use.swift"), atomically: true, encoding: .utf8)
        try Self.specRoot.write(to: root.appending(path: "spec/root.yaml"), atomically: true, encoding: .utf8)
        try Self.pet(field: "name").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)

        func build() throws -> ProcessResult {
            try runProcess("/usr/bin/env", ["swift", "build", "--package-path", root.path, "--target", "PetClient"])
        }
        let first = try build()
        #expect(first.status == 0, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardOutput.contains("Generating Swift from root.yaml for PetClient"))

        // SwiftPM relinks a plugin's tool on the first rebuild, which reruns the command once;
        // the generator then rewrites no file, so the client is not recompiled.
        let relinked = try build()
        #expect(relinked.status == 0)
        #expect(!relinked.standardOutput.contains("Compiling PetClient"), "unchanged output is not rewritten")
        let unchanged = try build()
        #expect(unchanged.status == 0)
        #expect(!unchanged.standardOutput.contains("Generating"), "no input changed, so nothing is regenerated")
        #expect(!unchanged.standardOutput.contains("Compiling PetClient"))

        try Self.pet(field: "title").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)
        let renamed = try build()
        #expect(renamed.status != 0)
        #expect(renamed.standardOutput.contains("Generating Swift from root.yaml"), "a referenced file is an input")
        #expect((renamed.standardOutput + renamed.standardError).contains("Use.swift:1:"), "the error points into the caller's own source")
        #expect((renamed.standardOutput + renamed.standardError).contains("has no member 'name'"))

        try Self.pet(field: "name").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)
        #expect(try build().status == 0, "restoring the field builds again")
    }
}
