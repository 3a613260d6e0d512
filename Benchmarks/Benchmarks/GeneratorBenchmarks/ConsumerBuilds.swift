import Foundation

/// A package as a user of one generator writes it: one library target, `KubernautClient`,
/// generated at build time by that generator's SwiftPM plugin from the kubernaut spec
/// (types and client, public). Building it with `swift build` is the compile time users pay.
struct ConsumerPackage: Sendable {
    let name: String
    /// The package's directory; it stays between runs so its dependencies are built once.
    let root: URL
    let manifest: String
    /// Files of the target besides the spec (`openapi.yaml`), by name.
    let targetFiles: [String: String]

    static let directory = Paths.packageRoot.appending(path: "Benchmarks/.build/consumer-builds")

    static let swiftAudit = ConsumerPackage(
        name: "swift-audit",
        root: directory.appending(path: "uses-swift-audit"),
        manifest: """
            // swift-tools-version: 6.1
            import PackageDescription
            let package = Package(
                name: "consumer",
                platforms: [.macOS(.v15)],
                dependencies: [.package(name: "swift-audit", path: "\(Paths.packageRoot.path)")],
                targets: [
                    .target(
                        name: "KubernautClient",
                        dependencies: [.product(name: "OpenAPICodegenRuntime", package: "swift-audit")],
                        exclude: ["openapi-codegen.yaml", "openapi.yaml"],
                        plugins: [.plugin(name: "OpenAPICodegenPlugin", package: "swift-audit")]),
                ],
                swiftLanguageModes: [.v6])
            """,
        targetFiles: [
            "openapi-codegen.yaml": "spec: openapi.yaml\naccessModifier: public\ngenerate: [types, client]\n",
            "Exports.swift": "@_exported import OpenAPICodegenRuntime\n",
        ])

    static let swiftOpenAPIGenerator = ConsumerPackage(
        name: "swift-openapi-generator 1.14.3",
        root: directory.appending(path: "uses-swift-openapi-generator"),
        manifest: """
            // swift-tools-version: 6.1
            import PackageDescription
            let package = Package(
                name: "consumer",
                platforms: [.macOS(.v15)],
                dependencies: [
                    .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
                    .package(url: "https://github.com/apple/swift-openapi-runtime", exact: "1.13.4"),
                ],
                targets: [
                    .target(
                        name: "KubernautClient",
                        dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
                        plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]),
                ],
                swiftLanguageModes: [.v6])
            """,
        targetFiles: [
            "openapi-generator-config.yaml": "generate: [types, client]\naccessModifier: public\n",
            "Exports.swift": "@_exported import OpenAPIRuntime\n",
        ])

    private var target: URL { root.appending(path: "Sources/KubernautClient") }

    /// Writes the package (when its files differ) and builds it once in `configuration`,
    /// so that later builds compile only the generated target.
    func prepare(_ configuration: String) throws {
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try writeIfChanged(manifest, to: root.appending(path: "Package.swift"))
        try writeIfChanged(String(contentsOfFile: Paths.kubernautSpec, encoding: .utf8), to: target.appending(path: "openapi.yaml"))
        for (file, contents) in targetFiles { try writeIfChanged(contents, to: target.appending(path: file)) }
        let status = try run("/usr/bin/env", ["swift", "build", "--package-path", root.path, "-c", configuration, "--target", "KubernautClient"])
        precondition(status == 0, "the \(name) consumer package did not build (\(configuration)); run swift build in \(root.path)")
    }

    /// Milliseconds of `swift build` for the generated target alone, cold: its objects,
    /// module and build records are removed first (the plugin's generated sources stay, as
    /// after a user's first build), so every generated file is compiled again.
    func coldBuildMilliseconds(_ configuration: String) throws -> Int {
        let binPath = root.appending(path: ".build/\(Self.triple)/\(configuration)")
        let files = FileManager.default.enumerator(at: binPath.appending(path: "KubernautClient.build"), includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            // SwiftPM writes `sources` and the output file map when it plans; the driver needs them.
            if ["sources", "output-file-map.json"].contains(file.lastPathComponent) { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                try FileManager.default.removeItem(at: file)
            }
        }
        for module in (try? FileManager.default.contentsOfDirectory(atPath: binPath.appending(path: "Modules").path)) ?? []
        where module.hasPrefix("KubernautClient.") {
            try FileManager.default.removeItem(at: binPath.appending(path: "Modules/\(module)"))
        }
        var status: Int32 = 0
        let elapsed = try milliseconds {
            status = try run("/usr/bin/env", ["swift", "build", "--package-path", root.path, "-c", configuration, "--target", "KubernautClient"])
        }
        precondition(status == 0, "the \(name) consumer package did not build (\(configuration))")
        return elapsed
    }

    static let triple: String = {
        #if arch(x86_64)
        "x86_64-unknown-linux-gnu"
        #else
        "aarch64-unknown-linux-gnu"
        #endif
    }()

    private func writeIfChanged(_ contents: String, to url: URL) throws {
        if (try? String(contentsOf: url, encoding: .utf8)) == contents { return }
        try contents.write(to: url, atomically: true, encoding: .utf8)
    }
}
