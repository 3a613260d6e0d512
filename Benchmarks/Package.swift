// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the main build never compiles
// package-benchmark. Run them with `swift package --package-path Benchmarks benchmark`
// (see README.md).

/// A benchmark executable over one product of swift-audit.
func benchmarkTarget(_ name: String, measuring product: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: product, package: "swift-audit"),
        ],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "swift-audit-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-audit", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmarkTarget("GeneratorBenchmarks", measuring: "OpenAPICodegen"),
        benchmarkTarget("AuditBenchmarks", measuring: "Audit"),
    ],
    swiftLanguageModes: [.v6]
)
