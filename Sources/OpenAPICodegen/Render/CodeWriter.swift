import Foundation

/// Accumulates Swift source with indentation; the one place formatting lives.
struct CodeWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String) {
        // Appended piece by piece: building `indent + content + "\n"` first cost two
        // temporary strings a line, and a large spec renders half a million lines.
        if !content.isEmpty {
            for _ in 0..<depth { text += "    " }
            text += content
        }
        text += "\n"
    }

    /// `header {` (or `header { parameters in` for a closure), the indented body, `}`.
    mutating func block(_ header: String, closureParameters: String? = nil, _ body: (inout CodeWriter) -> Void) {
        line(header + (closureParameters.map { " { \($0) in" } ?? " {"))
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }

    /// Lines one level deeper, without braces: a `case` body.
    mutating func indented(_ body: (inout CodeWriter) -> Void) {
        depth += 1
        body(&self)
        depth -= 1
    }

    /// `switch subject {`, cases at the switch's own indentation (Swift style), `}`.
    mutating func switchBlock(_ subject: String, _ cases: (inout CodeWriter) -> Void) {
        line("switch \(subject) {")
        cases(&self)
        line("}")
    }

    /// A `///` comment, one line per line of text, trailing blanks trimmed.
    mutating func documentation(_ text: String?) {
        guard let text else { return }
        // Byte-level trimming: documentation is most of a large spec's text.
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") }
        func trailingTrimmed(_ line: Substring) -> Substring {
            var utf8 = line.utf8[...]
            while let last = utf8.last, isBlank(last) { utf8 = utf8.dropLast() }
            return Substring(utf8)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(trailingTrimmed)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { return }
        for docLine in lines {
            let expanded = docLine.utf8.contains(UInt8(ascii: "\t")) ? docLine.replacingOccurrences(of: "\t", with: "    ") : String(docLine)
            line(expanded.isEmpty ? "///" : "/// " + expanded)
        }
    }

    mutating func deprecation(_ isDeprecated: Bool) {
        if isDeprecated { line("@available(*, deprecated)") }
    }
}
