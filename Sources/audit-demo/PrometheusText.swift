/// Reads values out of Prometheus text exposition: the store's own registry for the progress
/// line, and the server's `/metrics` for its dead-letter journal.
struct PrometheusText {
    let text: String

    /// The sum of every sample of `name` (all label sets), or 0 when absent.
    func value(_ name: String) -> Double {
        var total = 0.0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == " " || rest.first == "{", let number = rest.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            total += number
        }
        return total
    }

    /// Only the lines of the metrics named, with their HELP and TYPE.
    func filtered(to names: [String]) -> String {
        text.split(separator: "\n").filter { line in
            names.contains { name in
                line.hasPrefix(name) || line.hasPrefix("# HELP \(name) ") || line.hasPrefix("# TYPE \(name) ")
                    || line.hasPrefix("\(name)_")
            }
        }.joined(separator: "\n")
    }
}
