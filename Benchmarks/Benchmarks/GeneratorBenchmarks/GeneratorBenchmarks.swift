import Benchmark
import Foundation
import OpenAPICodegen
import YAML

/// The generator's targets: the real kubernaut DataStorage spec (7,027 lines, 152 schemas,
/// from ../shared when it is there), a 3 MB OpenAPI 3.1 document of large-API shapes
/// (scripts/make-large-spec), and the compile time of generated code. Each benchmark's name
/// carries its target so the figure is printed next to it; the YAML-only parse of the same
/// 3 MB document is the same-run anchor, since this machine's speed varies by half.
enum Paths {
    /// The swift-audit package root: this file is Benchmarks/Benchmarks/GeneratorBenchmarks/.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let kubernautSpec = packageRoot.deletingLastPathComponent().appending(path: "shared/specs/kubernaut-data-storage-v1.yaml").path
    static let debugBuild = packageRoot.appending(path: ".build/debug")
    static let contract = packageRoot.appending(path: "openapi/datastorage.yaml").path
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
    static let compileMilliseconds = BenchmarkMetric.custom("compile ms (debug, -g, -j2)", polarity: .prefersSmaller)
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

/// Compiles generated files the way a `swift build` debug build does, in milliseconds.
func compileMilliseconds(_ spec: String, module: String) throws -> Int {
    let directory = FileManager.default.temporaryDirectory.appending(path: "bench-compile-\(module)")
    try? FileManager.default.removeItem(at: directory)
    let generated = try GeneratorPipeline().run(specPath: spec)
    try OutputDirectory.write(generated.files, to: directory.path)
    let sources = generated.files.map { directory.appending(path: $0.name).path }
    // The flags of a `swift build` debug build: no optimisation, debug info, testable, two jobs.
    let arguments = ["swiftc", "-module-name", module, "-parse-as-library", "-emit-library", "-static",
        "-Onone", "-g", "-enable-testing", "-j2", "-I", Paths.debugBuild.appending(path: "Modules").path,
        "-o", directory.appending(path: "lib\(module).a").path] + sources
    var status: Int32 = 0
    let elapsed = try milliseconds { status = try run("/usr/bin/env", arguments) }
    precondition(status == 0, "the generated \(module) did not compile")
    return elapsed
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

/// Debug compile time of the code generated from `spec`, against a debug build of the runtime.
func compileBenchmark(_ name: String, spec: String, module: String) {
    Benchmark(
        name, configuration: .init(metrics: [GeneratorMetrics.compileMilliseconds], maxDuration: .seconds(60), maxIterations: 3)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            benchmark.measurement(GeneratorMetrics.compileMilliseconds, try compileMilliseconds(spec, module: module))
        }
    } setup: {
        try run("/usr/bin/env", ["swift", "build", "--package-path", Paths.packageRoot.path, "--target", "OpenAPICodegenRuntime"])
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

    compileBenchmark("Compile generated DataStorage client (openapi/datastorage.yaml), debug", spec: Paths.contract, module: "DataStorageClientCopy")

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

    compileBenchmark(
        "Compile generated kubernaut client, debug (target ≤ 9000 ms; swift-openapi-generator 26000 ms)", spec: Paths.kubernautSpec,
        module: "KubernautClient")
}
