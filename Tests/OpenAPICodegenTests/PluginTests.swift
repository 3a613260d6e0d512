import Foundation
import Testing

/// Builds a consumer package made exactly as the README's recipe says, then changes it the
/// way an application's developers would.
@Suite("Build plugin in a consumer package", .serialized)
struct PluginTests {
    /// The spec the recipe's `openapi-codegen.yaml` points at; `Pet` lives in another file.
    static let serviceSpec = """
        openapi: 3.0.3
        info: {title: My service, version: '1'}
        paths:
          /things:
            get:
              operationId: listThings
              responses:
                '200':
                  description: all of them
                  content:
                    application/json:
                      schema: {type: array, items: {$ref: './shared/pet.yaml'}}
            post:
              operationId: createThing
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Pet'}
              responses:
                '201': {description: created}
        components:
          schemas:
            Pet:
              $ref: './shared/pet.yaml'
        """

    static func pet(field: String) -> String {
        "type: object\nrequired: [\(field)]\nproperties:\n  \(field): {type: string}\n"
    }

    /// The README's code block that follows the paragraph naming `label` (a file path, or
    /// the words before the colon).
    static func readmeBlock(after label: String) throws -> String {
        let readme = try String(contentsOf: TestPaths.packageRoot.appending(path: "README.md"), encoding: .utf8)
        guard let labelRange = readme.range(of: label),
            let open = readme.range(of: "```", range: labelRange.upperBound..<readme.endIndex),
            let lineEnd = readme.range(of: "\n", range: open.upperBound..<readme.endIndex),
            let close = readme.range(of: "\n```", range: lineEnd.upperBound..<readme.endIndex)
        else { throw RecipeMissing(label: label) }
        return String(readme[lineEnd.upperBound..<close.lowerBound]) + "\n"
    }

    struct RecipeMissing: Error { var label: String }

    @Test("the README's recipe builds as written; it regenerates when a referenced file changes, not otherwise; a renamed field breaks the caller's build")
    func consumerBuild() throws {
        let scratch = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The recipe names the package by its URL, whose identity is `swift-audit`; a link of
        // that name lets the local checkout stand in for it whatever its folder is called.
        let link = scratch.appending(path: "swift-audit")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: TestPaths.packageRoot)
        let root = scratch.appending(path: "MyService")
        let target = root.appending(path: "Sources/MyServiceClient")
        let shared = root.appending(path: "openapi/shared")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)

        let manifest = try Self.readmeBlock(after: "A client target is three small files")
        let dependency = #".package(url: "https://github.com/<owner>/swift-audit.git", branch: "main")"#
        #expect(manifest.contains(dependency))
        try manifest.replacingOccurrences(of: dependency, with: ".package(path: \"\(link.path)\")")
            .write(to: root.appending(path: "Package.swift"), atomically: true, encoding: .utf8)
        try Self.readmeBlock(after: "`Sources/MyServiceClient/openapi-codegen.yaml`:")
            .write(to: target.appending(path: "openapi-codegen.yaml"), atomically: true, encoding: .utf8)
        try Self.readmeBlock(after: "`Sources/MyServiceClient/Exports.swift`:")
            .write(to: target.appending(path: "Exports.swift"), atomically: true, encoding: .utf8)
        try Self.serviceSpec.write(to: root.appending(path: "openapi/my-service.yaml"), atomically: true, encoding: .utf8)
        try Self.pet(field: "name").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)

        func build() throws -> ProcessResult {
            try runProcess("/usr/bin/env", ["swift", "build", "--package-path", root.path, "--target", "MyServiceClient"])
        }
        let first = try build()
        #expect(first.status == 0, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardOutput.contains("Generating Swift from my-service.yaml for MyServiceClient"))

        // A file of the application's own that uses generated types.
        try "public func label(_ pet: Pet) -> String { pet.name }\n".write(to: target.appending(path: "Use.swift"), atomically: true, encoding: .utf8)
        let withUse = try build()
        #expect(withUse.status == 0, "\(withUse.standardOutput)\n\(withUse.standardError)")
        // SwiftPM relinks a plugin's tool on the first rebuild, which can rerun the command once;
        // the generator then rewrites no file. A further build must regenerate nothing.
        let unchanged = try build()
        #expect(unchanged.status == 0)
        #expect(!unchanged.standardOutput.contains("Generating"), "no input changed, so nothing is regenerated")
        #expect(!unchanged.standardOutput.contains("Compiling MyServiceClient"))

        try Self.pet(field: "title").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)
        let renamed = try build()
        #expect(renamed.status != 0)
        #expect(renamed.standardOutput.contains("Generating Swift from my-service.yaml"), "a referenced file is an input")
        #expect((renamed.standardOutput + renamed.standardError).contains("Use.swift:1:"), "the error points into the caller's own source")
        #expect((renamed.standardOutput + renamed.standardError).contains("has no member 'name'"))

        try Self.pet(field: "name").write(to: shared.appending(path: "pet.yaml"), atomically: true, encoding: .utf8)
        #expect(try build().status == 0, "restoring the field builds again")
    }
}
