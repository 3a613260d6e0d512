// swift-tools-version: 6.1
import Foundation
import PackageDescription

let package = Package(
    name: "swift-audit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "openapi-codegen", targets: ["openapi-codegen"]),
        .library(name: "OpenAPICodegen", targets: ["OpenAPICodegen"]),
        .plugin(name: "OpenAPICodegenPlugin", targets: ["OpenAPICodegenPlugin"]),
        .library(name: "OpenAPICodegenRuntime", targets: ["OpenAPICodegenRuntime"]),
        .library(name: "OpenAPICodegenAsyncHTTPClient", targets: ["OpenAPICodegenAsyncHTTPClient"]),
        .library(name: "OpenAPICodegenHummingbird", targets: ["OpenAPICodegenHummingbird"]),
        .library(name: "DataStorageClient", targets: ["DataStorageClient"]),
        .library(name: "KubernautDataStorageClient", targets: ["KubernautDataStorageClient"]),
        .library(name: "Audit", targets: ["Audit"]),
        .library(name: "AuditTesting", targets: ["AuditTesting"]),
        .library(name: "AuditIntegrity", targets: ["AuditIntegrity"]),
        .library(name: "DataStorageServer", targets: ["DataStorageServer"]),
        .executable(name: "datastorage", targets: ["datastorage"]),
        .executable(name: "audit-demo", targets: ["audit-demo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // MARK: Generator: YAML nodes -> OpenAPI document -> Swift declarations -> text files
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "YAML", dependencies: ["CYAML"]),
        .target(name: "OpenAPICodegen", dependencies: ["YAML"]),
        .executableTarget(
            name: "openapi-codegen",
            dependencies: [
                "OpenAPICodegen",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .plugin(
            name: "OpenAPICodegenPlugin",
            capability: .buildTool(),
            dependencies: ["openapi-codegen"]
        ),

        // MARK: What generated code links against
        .target(name: "OpenAPICodegenRuntime"),
        .target(
            name: "OpenAPICodegenAsyncHTTPClient",
            dependencies: [
                "OpenAPICodegenRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "OpenAPICodegenHummingbird",
            dependencies: [
                "OpenAPICodegenRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DataStorageClient",
            dependencies: ["OpenAPICodegenRuntime", "KubernautDataStorageClient"],
            exclude: ["openapi-codegen.yaml"],
            plugins: ["OpenAPICodegenPlugin"]
        ),
        .target(
            name: "KubernautDataStorageClient",
            dependencies: ["OpenAPICodegenRuntime"],
            exclude: ["openapi-codegen.yaml"],
            plugins: ["OpenAPICodegenPlugin"]
        ),

        // MARK: Audit trail: event -> validate -> buffer -> batch -> client -> transport
        .target(
            name: "Audit",
            dependencies: [
                "DataStorageClient",
                "KubernautDataStorageClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Tamper evidence: canonical JSON -> hash chains -> Merkle root -> signed checkpoint
        .target(
            name: "AuditIntegrity",
            dependencies: ["DataStorageClient", "OpenAPICodegenRuntime", .product(name: "Crypto", package: "swift-crypto")]
        ),

        // MARK: DataStorage reference server: routes -> repository
        .target(
            name: "DataStorageServer",
            dependencies: [
                "DataStorageClient",
                "AuditIntegrity",
                "OpenAPICodegenHummingbird",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "AuditTesting", dependencies: ["Audit"]),
        .executableTarget(
            name: "datastorage",
            dependencies: [
                "DataStorageServer",
                "AuditIntegrity",
                "OpenAPICodegenAsyncHTTPClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Executables
        .executableTarget(
            name: "audit-demo",
            dependencies: [
                "Audit", "KubernautDataStorageClient", "DataStorageServer", "OpenAPICodegenAsyncHTTPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: The README's programs, built as a user would paste them (ReadmeSnippetTests
        // checks that the README shows these files verbatim).
        .executableTarget(
            name: "gateway-example",
            dependencies: [
                "Audit", "OpenAPICodegenAsyncHTTPClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/gateway"
        ),
        .executableTarget(
            name: "client-call-example",
            dependencies: ["Audit", "OpenAPICodegenAsyncHTTPClient", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Examples/client-call"
        ),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["OpenAPICodegenRuntime"], path: "Tests/TestSupport"),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"]),
        .testTarget(
            name: "OpenAPICodegenTests",
            // The CLI these tests run is built for the plugin that DataStorageClient uses.
            dependencies: ["OpenAPICodegen", "OpenAPICodegenRuntime", "YAML", "TestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "OpenAPICodegenRuntimeTests",
            dependencies: [
                "OpenAPICodegenRuntime",
                "OpenAPICodegenAsyncHTTPClient",
                "TestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "DataStorageClientTests", dependencies: ["DataStorageClient", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "AuditTests",
            dependencies: [
                "Audit", "AuditTesting",
                "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "DataStorageServerTests",
            dependencies: [
                "DataStorageServer", "AuditIntegrity", "Audit", "AuditTesting", "OpenAPICodegenAsyncHTTPClient", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "GeneratedCodeTests",
            dependencies: ["OpenAPICodegenRuntime", "TestSupport"],
            exclude: ["openapi-codegen.yaml", "features.yaml"],
            plugins: ["OpenAPICodegenPlugin"]
        ),
        .testTarget(
            name: "GeneratedServerTests",
            dependencies: [
                "OpenAPICodegenRuntime", "OpenAPICodegenHummingbird", "OpenAPICodegenAsyncHTTPClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["openapi-codegen.yaml", "server-features.yaml"],
            plugins: ["OpenAPICodegenPlugin"]
        ),
        .testTarget(
            name: "KubernautStoreTests",
            dependencies: ["Audit", "AuditTesting", "KubernautDataStorageClient", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "KubernautModelTests",
            dependencies: ["OpenAPICodegenRuntime", "Audit", "TestSupport"],
            exclude: ["openapi-codegen.yaml", "kubernaut-event-data.yaml"],
            plugins: ["OpenAPICodegenPlugin"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// `SWIFT_AUDIT_DOCS=1 swift package generate-documentation` builds the DocC catalogs. The
// plugin is added only then: every other build would compile its plugins for nothing.
if ProcessInfo.processInfo.environment["SWIFT_AUDIT_DOCS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"))
}
