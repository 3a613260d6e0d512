import Foundation
import Testing
@testable import OpenAPICodegen

/// A few lines of spec in, the declarations and diagnostics out: the snippet tests' one helper.
struct Snippet {
    var module: TranslatedModule
    var diagnostics: [Diagnostic]
    /// Every diagnostic as `line:column: severity: message`, without the temporary file's path.
    var messages: [String] { diagnostics.map { "\($0.location.line):\($0.location.column): \($0.severity.rawValue): \($0.message)" } }

    /// Translates `yaml` (written to a fresh file), or throws the generator's error.
    init(_ yaml: String, options: TranslationOptions = TranslationOptions()) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appending(path: "snippet.yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        let loaded = try DocumentLoader().load(path: url.path)
        let translated = Translator(options: options).translate(loaded.document, sourceName: "snippet.yaml")
        module = translated.module
        diagnostics = (loaded.diagnostics + translated.diagnostics).sorted { $0.location < $1.location }
        if diagnostics.contains(where: { $0.severity == .error }) { throw CodegenError(diagnostics: diagnostics) }
    }

    /// The Swift a top-level schema declaration renders to.
    func swift(_ name: String) -> String? {
        guard let declaration = module.schemas.first(where: { $0.name == name }) else { return nil }
        var writer = CodeWriter()
        DeclarationRenderer(module: module).render(declaration, into: &writer)
        return writer.text
    }

    /// The client, `Servers` and `SecuritySchemes`, as Client.swift holds them.
    func client() -> String {
        var writer = CodeWriter()
        let renderer = ClientRenderer(module: module, declarations: DeclarationRenderer(module: module))
        renderer.renderClient(into: &writer)
        renderer.renderServers(into: &writer)
        renderer.renderSecuritySchemes(into: &writer)
        return writer.text
    }

    /// `APIProtocol`, `registerHandlers`, the `Input`s and `Output.response`, as Server.swift holds them.
    func server() -> String {
        var writer = CodeWriter()
        ServerRenderer(module: module, declarations: DeclarationRenderer(module: module)).render(into: &writer)
        return writer.text
    }
}

/// The diagnostics of a spec the generator refuses.
func snippetErrors(_ yaml: String, options: TranslationOptions = TranslationOptions()) -> [String] {
    do {
        _ = try Snippet(yaml, options: options)
        return []
    } catch let error as CodegenError {
        return error.diagnostics.filter { $0.severity == .error }.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    } catch {
        return ["unexpected \(error)"]
    }
}
