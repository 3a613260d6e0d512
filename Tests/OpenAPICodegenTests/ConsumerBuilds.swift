import Foundation
import Testing
import TestSupport

/// The tests that build packages of their own with `swift build`: a consumer of the plugin, and
/// a copy of this package with its contract changed.
///
/// They share one scratch path, so that the dependencies they have in common (SwiftNIO,
/// Hummingbird, swift-log, …) are fetched and compiled once per checkout rather than once per
/// package: each cold build of them took minutes here, and together they were the test run's
/// longest path (about 750 s of a CI run's 1,810). SwiftPM builds one package at a time in a
/// scratch path, so the suites run one after another.
@Suite(.serialized)
enum ConsumerBuilds {
    /// Inside this checkout's own build folder, so that a second run finds it warm and a clean
    /// (`rm -rf .build`) removes it.
    static let scratchPath = TestPaths.packageRoot.appending(path: ".build/consumer-builds")

    /// `swift build` of the package at `root`, in the shared scratch path.
    static func build(_ root: URL, _ arguments: [String]) async throws -> ProcessResult {
        try await runProcess("/usr/bin/env", ["swift", "build", "--package-path", root.path, "--scratch-path", scratchPath.path] + arguments)
    }

    /// Where the shared builds put their products.
    static var productsDirectory: URL { scratchPath.appending(path: "debug") }
}
