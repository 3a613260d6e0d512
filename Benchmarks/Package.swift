// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the main build never compiles
// package-benchmark. Run them with `swift package --package-path Benchmarks benchmark`
// (see README.md).
let package = Package(
    name: "swift-audit-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-audit", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "GeneratorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "OpenAPICodegen", package: "swift-audit"),
            ],
            path: "Benchmarks/GeneratorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AuditBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Audit", package: "swift-audit"),
            ],
            path: "Benchmarks/AuditBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
