/// One generated file.
public struct GeneratedFile: Sendable, Hashable {
    public var name: String
    public var contents: String
}

/// The fixed set of files the generator always writes, whatever the spec holds.
///
/// SwiftPM needs a build plugin's outputs named before it runs, so the set is fixed. Its size
/// and order follow from how a SwiftPM debug build compiles a target, and were chosen by
/// measuring `swift build` of a consumer package (the `ConsumerBuilds` benchmark):
/// - The driver compiles the target's own files, then the plugin's in name order, as
///   max(cores, ⌈files / 25⌉) batches of consecutive files, and starts the first batch at
///   the same moment as the job that emits the module. On Linux it often notices the end of
///   that job only when the first batch ends too (both processes are spawned at once and
///   each inherits the other's output pipes), so on two cores the second batch waits for
///   the first instead of running beside it.
/// - With these 50 files and one file of the user's there are three batches. The first holds
///   the client, the operations and the padding files and ends early; the schemas, spread
///   over the shards so that both batches carry the same load, fill the other two, which run
///   side by side.
/// - One huge file compiles much more slowly than the same declarations in several.
public enum FileLayout {
    public static let clientFile = "Client.swift"
    public static let operationsFile = "Operations.swift"
    /// Empty unless `generate:` lists `server`; always written, since the plugin names its outputs first.
    public static let serverFile = "Server.swift"
    /// Files without declarations that fill the driver's first batch (see above).
    public static let paddingFiles = numbered("Padding", count: 14)
    public static let schemaFiles = numbered("Schemas", count: 33)

    /// Every file name, in name order, which is the order the compiler is given them.
    public static var fileNames: [String] { [clientFile, operationsFile] + paddingFiles + schemaFiles + [serverFile] }

    private static func numbered(_ stem: String, count: Int) -> [String] {
        (1...count).map { $0 < 10 ? "\(stem)0\($0).swift" : "\(stem)\($0).swift" }
    }

    /// The driver's batches (see above) on two cores for a target with `userFiles` files of
    /// its own: runs of consecutive files, ⌈files / batches⌉ each; the user's files are empty strings.
    static func driverBatches(userFiles: Int = 1) -> [ArraySlice<String>] {
        let files = Array(repeating: "", count: userFiles) + fileNames
        let count = max(2, (files.count + 24) / 25)
        let size = (files.count + count - 1) / count
        return stride(from: 0, to: files.count, by: size).map { files[$0..<min($0 + size, files.count)] }
    }

    /// How much of the models' code (``compiledSize(_:)``) each schema file should hold so that
    /// the batches that compile models carry the same load, the server's code counting in its
    /// batch. With one user file the first model batch has one shard more than the second,
    /// which also holds the server: equal shards would leave one batch running alone at the end.
    static func shardSizes(models: Int, server: Int) -> [Int] {
        let batches = driverBatches().filter { batch in batch.contains(where: schemaFiles.contains) }
        let perBatch = (models + server) / max(1, batches.count)
        return batches.flatMap { batch in
            let shards = batch.filter(schemaFiles.contains).count
            let room = max(0, perBatch - (batch.contains(serverFile) ? server : 0))
            return Array(repeating: room / shards, count: shards)
        }
    }

    /// Splits rendered declarations over the schema files by ``shardSizes(models:server:)``,
    /// keeping document order: a declaration goes to the shard its midpoint falls in.
    static func shard(_ chunks: [String], serverSize: Int) -> [[String]] {
        let sizes = chunks.map(compiledSize)
        let targets = shardSizes(models: sizes.reduce(0, +), server: serverSize)
        var shards: [[String]] = Array(repeating: [], count: targets.count)
        var shard = 0
        var shardEnd = targets[0]
        var offset = 0
        for (chunk, size) in zip(chunks, sizes) {
            // The last shard takes what rounding leaves over.
            while shard < targets.count - 1, offset + size / 2 >= shardEnd {
                shard += 1
                shardEnd += targets[shard]
            }
            shards[shard].append(chunk)
            offset += size
        }
        return shards
    }

    /// The size of what the compiler works on in `text`: its lines other than comments, which
    /// in specs with long descriptions would otherwise weigh as much as code.
    static func compiledSize(_ text: String) -> Int {
        // One pass over the bytes, by index: this runs over all generated code, also in the
        // debug build the plugin runs, where iterators and `split` are not specialised.
        var text = text
        return text.withUTF8(compiledSize)
    }

    private static func compiledSize(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var size = 0
        var lineLength = 0
        var slashes = 0
        var isComment = false
        var pastIndentation = false
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                if !isComment { size += lineLength }
                (lineLength, slashes, isComment, pastIndentation) = (0, 0, false, false)
                continue
            }
            lineLength += 1
            if pastIndentation || (byte == UInt8(ascii: " ") && slashes == 0) { continue }
            if byte == UInt8(ascii: "/") {
                slashes += 1
                if slashes == 2 { (isComment, pastIndentation) = (true, true) }
            } else {
                pastIndentation = true
            }
        }
        return isComment ? size : size + lineLength
    }
}

/// Renders a ``TranslatedModule`` into the ``FileLayout`` files.
public struct Renderer: Sendable {
    public init() {}

    public func render(_ module: TranslatedModule) -> [GeneratedFile] {
        let declarations = DeclarationRenderer(module: module)
        let client = ClientRenderer(module: module, declarations: declarations)
        var clientWriter = CodeWriter()
        if module.generate.contains(.client) {
            client.renderClient(into: &clientWriter)
            client.renderServers(into: &clientWriter)
            client.renderSecuritySchemes(into: &clientWriter)
        }
        var serverWriter = CodeWriter()
        if module.generate.contains(.server) {
            ServerRenderer(module: module, declarations: declarations).render(into: &serverWriter)
        }
        var operationsWriter = CodeWriter()
        client.renderOperationsNamespace(into: &operationsWriter)
        let chunks = module.schemas.map { declaration -> String in
            var writer = CodeWriter()
            declarations.render(declaration, into: &writer)
            return writer.text
        }
        let shards = FileLayout.shard(chunks, serverSize: FileLayout.compiledSize(serverWriter.text))
        var files = [
            GeneratedFile(name: FileLayout.clientFile, contents: header(module) + clientWriter.text),
            GeneratedFile(name: FileLayout.operationsFile, contents: header(module) + operationsWriter.text),
            GeneratedFile(name: FileLayout.serverFile, contents: header(module) + serverWriter.text),
        ]
        for name in FileLayout.paddingFiles {
            files.append(GeneratedFile(name: name, contents: paddingHeader(module)))
        }
        for (name, shard) in zip(FileLayout.schemaFiles, shards) {
            files.append(GeneratedFile(name: name, contents: header(module) + shard.joined(separator: "\n")))
        }
        return files
    }

    private func banner(_ module: TranslatedModule) -> String {
        "// Generated by openapi-codegen from \(module.sourceName). Do not edit: change the spec and rebuild.\n"
    }

    private func paddingHeader(_ module: TranslatedModule) -> String {
        banner(module) + "// No declarations: this file keeps the compiler's first batch light (see FileLayout).\n"
    }

    private func header(_ module: TranslatedModule) -> String {
        banner(module) + """
        #if canImport(FoundationEssentials)
        import FoundationEssentials
        #else
        import Foundation
        #endif
        import OpenAPICodegenRuntime


        """
    }
}
