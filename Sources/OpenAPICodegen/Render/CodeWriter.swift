import Foundation

/// Accumulates Swift source with indentation; the one place formatting lives.
struct CodeWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String) {
        if content.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: "    ", count: depth) + content + "\n"
        }
    }

    /// `header {`, the indented body, `}`.
    mutating func block(_ header: String, _ body: (inout CodeWriter) -> Void) {
        line(header + " {")
        depth += 1
        body(&self)
        depth -= 1
        line("}")
    }

    /// `switch subject {`, cases at the switch's own indentation (Swift style), `}`.
    mutating func switchBlock(_ subject: String, _ cases: (inout CodeWriter) -> Void) {
        line("switch \(subject) {")
        cases(&self)
        line("}")
    }

    /// A `///` comment, one line per line of text, trailing blanks trimmed.
    mutating func documentation(_ text: String?) {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\t", with: "    ") }
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        for docLine in lines {
            let trimmed = String(docLine.reversed().drop(while: { $0 == " " }).reversed())
            line(trimmed.isEmpty ? "///" : "/// " + trimmed)
        }
    }

    mutating func deprecation(_ isDeprecated: Bool) {
        if isDeprecated { line("@available(*, deprecated)") }
    }
}
