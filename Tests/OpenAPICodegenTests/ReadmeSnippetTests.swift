import Foundation
import Testing

/// Every Swift block of the README is code that some build of this package's tests compiles,
/// so a snippet cannot rot while the README still shows it.
@Suite("README snippets")
struct ReadmeSnippetTests {
    /// Files the README shows verbatim: programs and a test helper of this package, compiled by
    /// its own `swift build` as a user would paste them (the programs as `main.swift`).
    static let verbatimFiles = ["Examples/gateway/main.swift", "Examples/client-call/main.swift", "Tests/AuditTests/ReadmeTestStore.swift"]

    /// The README's ```swift blocks, each with the line it starts on.
    static func swiftBlocks(of readme: String) -> [(line: Int, text: String)] {
        var blocks: [(line: Int, text: String)] = []
        var current: (line: Int, lines: [Substring])?
        for (index, line) in readme.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if current == nil, line == "```swift" {
                current = (index + 2, [])
            } else if let open = current, line == "```" {
                blocks.append((open.line, open.lines.joined(separator: "\n") + "\n"))
                current = nil
            } else {
                current?.lines.append(line)
            }
        }
        return blocks
    }

    @Test("every Swift block in the README is compiled: a file of this package shown verbatim, a block a consumer build compiles, or a manifest fragment naming only products this package declares")
    func everySwiftBlockIsCompiled() throws {
        let root = TestPaths.packageRoot
        let readme = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        let files = try Self.verbatimFiles.map { try String(contentsOf: root.appending(path: $0), encoding: .utf8) }
        let consumerBlocks = try ConsumerBuilds.PluginTests.compiledSwiftLabels.map { try ConsumerBuilds.PluginTests.readmeBlock(after: $0) }
        let manifest = try String(contentsOf: root.appending(path: "Package.swift"), encoding: .utf8)
        let blocks = Self.swiftBlocks(of: readme)
        #expect(blocks.count >= Self.verbatimFiles.count + consumerBlocks.count)
        var shown: Set<String> = []
        for block in blocks {
            if let index = files.firstIndex(of: block.text) {
                shown.insert(Self.verbatimFiles[index])
            } else if consumerBlocks.contains(block.text) {
                continue
            } else if block.text.hasPrefix("// Package.swift\n") {
                let products = block.text.matches(of: /\.product\(name: "([^"]+)", package: "swift-audit"\)/).map { String($0.1) }
                #expect(!products.isEmpty, "README line \(block.line): a manifest fragment without a swift-audit product")
                for product in products {
                    #expect(manifest.contains(".library(name: \"\(product)\""), "README line \(block.line): no product \(product) in Package.swift")
                }
            } else {
                Issue.record("README line \(block.line): a Swift block that no build compiles:\n\(block.text)")
            }
        }
        #expect(shown == Set(Self.verbatimFiles), "each example file appears in the README")
    }
}
