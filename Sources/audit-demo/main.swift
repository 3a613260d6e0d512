import Foundation
import OpenAPICodegen

// Until the audit store and the DataStorage server land (issues B and C), the demo shows
// the toolchain's part: it generates the DataStorage client from the contract and says
// what it produced.

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let spec = packageRoot.appending(path: "openapi/datastorage.yaml").path

do {
    let clock = ContinuousClock()
    var output: GeneratorPipeline.Output?
    let elapsed = try clock.measure { output = try GeneratorPipeline().run(specPath: spec) }
    guard let output else { exit(1) }
    print("Generated the DataStorage client from \(spec) in \(elapsed.formatted(.units(allowed: [.milliseconds])))")
    for file in output.files {
        let lines = file.contents.split(separator: "\n", omittingEmptySubsequences: false).count
        print("  \(file.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(lines) lines")
    }
    for diagnostic in output.diagnostics { print(diagnostic) }
} catch let error as CodegenError {
    for diagnostic in error.diagnostics { print(diagnostic) }
    exit(1)
}
