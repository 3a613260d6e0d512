import ArgumentParser
import Foundation
import OpenAPICodegen

/// `openapi-codegen`: generate, check and lint Swift clients from OpenAPI specs.
@main
struct OpenAPICodegenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi-codegen",
        abstract: "Generates Swift Codable models, validation and a typed async client from an OpenAPI 3.0/3.1 spec.",
        subcommands: [Generate.self, Check.self, Lint.self]
    )
}

struct SpecOptions: ParsableArguments {
    @Argument(help: "The OpenAPI document (YAML or JSON).")
    var spec: String

    @Option(help: "An openapi-codegen.yaml with accessModifier and operations.")
    var config: String?

    func pipeline() throws -> GeneratorPipeline {
        guard let config else { return GeneratorPipeline() }
        do {
            return GeneratorPipeline(options: try CodegenConfiguration.load(path: config).options)
        } catch {
            report(error.diagnostics)
            throw ExitCode.failure
        }
    }

    /// Runs the pipeline, printing diagnostics to standard error.
    func generate() throws -> GeneratorPipeline.Output {
        do {
            let output = try pipeline().run(specPath: spec)
            report(output.diagnostics)
            return output
        } catch let error as CodegenError {
            report(error.diagnostics)
            throw ExitCode.failure
        }
    }
}

func report(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics {
        FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Writes the generated Swift files into a directory.")

    @OptionGroup var options: SpecOptions

    @Option(help: "The directory to write into; created when missing.")
    var output: String

    func run() throws {
        let result = try options.generate()
        try OutputDirectory.write(result.files, to: output)
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fails (exit 1) when a directory differs from what the spec generates now.")

    @OptionGroup var options: SpecOptions

    @Option(help: "The directory holding previously generated files.")
    var against: String

    func run() throws {
        let result = try options.generate()
        let differences = OutputDirectory.differences(result.files, in: against)
        guard differences.isEmpty else {
            print("\(against) is out of date with \(options.spec):")
            differences.forEach { print("  " + $0) }
            print("Regenerate with: openapi-codegen generate \(options.spec) --output \(against)")
            throw ExitCode.failure
        }
        print("\(against) matches \(options.spec).")
    }
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Prints diagnostics only; exit 1 when there are errors.")

    @OptionGroup var options: SpecOptions

    func run() throws {
        let result = try options.generate()
        print("\(options.spec): \(result.diagnostics.count) warning(s), no errors.")
    }
}
