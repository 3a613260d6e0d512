// libFuzzer entry point for the YAML layer and the OpenAPI document parser: any bytes in,
// a document or located diagnostics out, and never a crash, a hang or a diagnostic without
// a place. Built and run by scripts/fuzz; not part of the Swift package.
import OpenAPICodegen
import YAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    // Whole pipeline: YAML events → nodes → OpenAPI document → declarations → Swift text.
    let path = "/fuzz/input.yaml"
    do {
        let loaded = try DocumentLoader().load(contents: text, path: path)
        let (module, diagnostics) = Translator().translate(loaded.document, sourceName: "input.yaml")
        for diagnostic in loaded.diagnostics + diagnostics { check(diagnostic) }
        _ = Renderer().render(module)
    } catch {
        precondition(!error.errors.isEmpty, "generation failed without an error diagnostic")
        for diagnostic in error.diagnostics { check(diagnostic) }
    }
    return 0
}

/// Every diagnostic names a file and a real line and column.
private func check(_ diagnostic: Diagnostic) {
    precondition(!diagnostic.location.file.isEmpty && diagnostic.location.line >= 1 && diagnostic.location.column >= 1,
                 "diagnostic without a place: \(diagnostic)")
    precondition(!diagnostic.message.isEmpty, "diagnostic without a message at \(diagnostic.location)")
}
