import Benchmark
import Foundation
import OpenAPICodegen
import YAML

/// The generator's targets: the real kubernaut DataStorage spec (7,027 lines, 152 schemas,
/// from ../shared when it is there), a 3 MB OpenAPI 3.1 document of large-API shapes
/// (scripts/make-large-spec), and the compile time of generated code through `swift build`. Each benchmark's name
/// carries its target so the figure is printed next to it; the YAML-only parse of the same
/// 3 MB document is the same-run anchor, since this machine's speed varies by half.
enum Paths {
    /// The swift-audit package root: this file is Benchmarks/Benchmarks/GeneratorBenchmarks/.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let kubernautSpec = packageRoot.deletingLastPathComponent().appending(path: "shared/specs/kubernaut-data-storage-v1.yaml").path
    static let debugBuild = packageRoot.appending(path: ".build/debug")
    static var kubernautPresent: Bool { FileManager.default.fileExists(atPath: kubernautSpec) }

    /// The 3 MB document, written once per run.
    static let largeSpec: String = {
        let path = FileManager.default.temporaryDirectory.appending(path: "bench-large-spec.yaml").path
        let status = try? run("/usr/bin/env", ["python3", packageRoot.appending(path: "scripts/make-large-spec").path, path, "500"])
        precondition(status == 0, "scripts/make-large-spec failed")
        return path
    }()
}

enum GeneratorMetrics {
    static let linesGenerated = BenchmarkMetric.custom("lines generated", polarity: .prefersSmaller)
    static let swiftAuditBuild = BenchmarkMetric.custom("swift-audit: swift build ms", polarity: .prefersSmaller)
    static let swiftOpenAPIGeneratorBuild = BenchmarkMetric.custom("swift-openapi-generator 1.14.3: swift build ms", polarity: .prefersSmaller)
    /// swift-openapi-generator's time over ours, ×100 (300 is 3× faster), from the same iteration.
    static let speedup = BenchmarkMetric.custom("speed-up ×100 (same iteration)", polarity: .prefersLarger)
    static let debugGenerationMilliseconds = BenchmarkMetric.custom("generation ms (debug CLI)", polarity: .prefersSmaller)
}

@discardableResult
func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

func milliseconds(_ body: () throws -> Void) rethrows -> Int {
    let clock = ContinuousClock()
    let elapsed = try clock.measure(body)
    return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
}

/// Whole-pipeline generation of `spec` in-process, with the number of lines it writes.
func generationBenchmark(_ name: String, spec: String, maxDuration: Duration) {
    Benchmark(
        name,
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, GeneratorMetrics.linesGenerated],
            maxDuration: maxDuration, maxIterations: 30)
    ) { benchmark in
        var lines = 0
        for _ in benchmark.scaledIterations {
            let output = try GeneratorPipeline().run(specPath: spec)
            lines = output.files.reduce(0) { $0 + $1.contents.split(separator: "\n", omittingEmptySubsequences: false).count }
            blackHole(output)
        }
        benchmark.measurement(GeneratorMetrics.linesGenerated, lines)
    }
}

/// The generated kubernaut client built with `swift build` in a consumer package, cold for
/// that target, for swift-openapi-generator's output and then ours in every iteration, so
/// each ratio compares two builds of the same minute.
func consumerBuildBenchmark(_ configuration: String, target: String) {
    Benchmark(
        "swift build of the generated kubernaut client, \(configuration), cold target (\(target))",
        configuration: .init(
            metrics: [GeneratorMetrics.swiftAuditBuild, GeneratorMetrics.swiftOpenAPIGeneratorBuild, GeneratorMetrics.speedup],
            warmupIterations: 0, maxDuration: .seconds(900), maxIterations: 5)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let theirs = try ConsumerPackage.swiftOpenAPIGenerator.coldBuildMilliseconds(configuration)
            let ours = try ConsumerPackage.swiftAudit.coldBuildMilliseconds(configuration)
            benchmark.measurement(GeneratorMetrics.swiftOpenAPIGeneratorBuild, theirs)
            benchmark.measurement(GeneratorMetrics.swiftAuditBuild, ours)
            benchmark.measurement(GeneratorMetrics.speedup, theirs * 100 / max(ours, 1))
        }
    } setup: {
        try ConsumerPackage.swiftOpenAPIGenerator.prepare(configuration)
        try ConsumerPackage.swiftAudit.prepare(configuration)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.timeUnits = .milliseconds

    Benchmark(
        "Anchor: YAML parse only of the 3 MB 3.1 document (libyaml → nodes), release",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try YAMLParser().parseFile(atPath: Paths.largeSpec))
        }
    }

    generationBenchmark("Generate the 3 MB 3.1 document, release, in-process (target ≈ 1000 ms)", spec: Paths.largeSpec, maxDuration: .seconds(30))

    // The kubernaut spec is public test data beside the checkout; without it these are skipped.
    guard Paths.kubernautPresent else {
        print("kubernaut benchmarks skipped: ../shared/specs/kubernaut-data-storage-v1.yaml is not beside this checkout")
        return
    }

    generationBenchmark(
        "Generate kubernaut spec, release, in-process (target ≤ 110 ms; swift-openapi-generator 770 ms)", spec: Paths.kubernautSpec,
        maxDuration: .seconds(10))

    // The plugin runs a debug build of the CLI during `swift build`, so that is measured too.
    Benchmark(
        "Generate kubernaut spec, debug CLI as the plugin runs it (target ≤ 1000 ms)",
        configuration: .init(metrics: [GeneratorMetrics.debugGenerationMilliseconds], maxDuration: .seconds(20), maxIterations: 5)
    ) { benchmark in
        let cli = Paths.debugBuild.appending(path: "openapi-codegen").path
        let output = FileManager.default.temporaryDirectory.appending(path: "bench-debug-gen").path
        for _ in benchmark.scaledIterations {
            let elapsed = try milliseconds {
                _ = try run(cli, ["generate", Paths.kubernautSpec, "--output", output])
            }
            benchmark.measurement(GeneratorMetrics.debugGenerationMilliseconds, elapsed)
        }
    } setup: {
        // A debug build of the CLI and the runtime module, as `swift build` makes them.
        try run("/usr/bin/env", ["swift", "build", "--package-path", Paths.packageRoot.path, "--product", "openapi-codegen"])
        try run("/usr/bin/env", ["swift", "build", "--package-path", Paths.packageRoot.path, "--target", "OpenAPICodegenRuntime"])
    }

    // What users pay: `swift build` of a package whose target the plugin generates (issue G).
    consumerBuildBenchmark("debug", target: "target: ≥ 3× faster than swift-openapi-generator, speed-up ×100 ≥ 300")
    consumerBuildBenchmark("release", target: "target: no slower than swift-openapi-generator, speed-up ×100 ≥ 100")
}
