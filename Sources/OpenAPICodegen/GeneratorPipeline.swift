import Foundation
import YAML

/// The generator: **YAML → OpenAPI document → Swift declarations → text files**, one
/// stage each, every stage usable and testable alone.
public struct GeneratorPipeline: Sendable {
    public var loader: DocumentLoader
    public var translator: Translator
    public var renderer: Renderer

    public init(options: TranslationOptions = TranslationOptions()) {
        loader = DocumentLoader()
        translator = Translator(options: options)
        renderer = Renderer()
    }

    /// The result of a successful run.
    public struct Output: Sendable {
        public var files: [GeneratedFile]
        /// Warnings from every stage, in document order.
        public var diagnostics: [Diagnostic]
        /// Every file the spec was read from (the root and `$ref` targets).
        public var sourceFiles: [String]
    }

    /// Generates the files for the spec at `path`, or throws every diagnostic found.
    public func run(specPath path: String) throws(CodegenError) -> Output {
        let loaded = try loader.load(path: path)
        let sourceName = URL(fileURLWithPath: path).lastPathComponent
        let (module, translationDiagnostics) = translator.translate(loaded.document, sourceName: sourceName)
        let diagnostics = (loaded.diagnostics + translationDiagnostics).sorted { ($0.location, $0.message) < ($1.location, $1.message) }
        if diagnostics.contains(where: { $0.severity == .error }) { throw CodegenError(diagnostics: diagnostics) }
        let files = renderer.render(module)
        return Output(files: files, diagnostics: diagnostics, sourceFiles: loaded.sourceFiles)
    }
}
