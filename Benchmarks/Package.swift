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
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        benchmarkTarget("GeneratorBenchmarks", measuring: "OpenAPICodegen"),
        benchmarkTarget("AuditBenchmarks", measuring: "Audit"),
        // Client → HTTP → server → PostgreSQL, against raw COPY; run through scripts/bench-e2e.
        .executableTarget(
            name: "bench-e2e",
            dependencies: [
                .product(name: "Audit", package: "swift-audit"),
                .product(name: "AuditIntegrity", package: "swift-audit"),
                .product(name: "DataStorageServer", package: "swift-audit"),
                .product(name: "OpenAPICodegenAsyncHTTPClient", package: "swift-audit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "EndToEnd"
        ),
    ],
    swiftLanguageModes: [.v6]
)
