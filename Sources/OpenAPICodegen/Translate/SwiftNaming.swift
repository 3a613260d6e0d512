/// Turns spec names into idiomatic Swift names (API Design Guidelines).
///
/// `correlation_id` → `correlationID`, `actor_ip` → `actorIP`, `event_ids` → `eventIDs`,
/// `gateway.signal.received` → `gatewaySignalReceived`, `audit-event` → `AuditEvent`.
public enum SwiftNaming {
    /// Words written in capitals in Swift, with their plurals.
    static let initialisms: [String: String] = {
        var table: [String: String] = [:]
        for word in ["ID", "URL", "URI", "UUID", "IP", "HTTP", "HTTPS", "JSON", "API"] {
            table[word.lowercased()] = word
            table[word.lowercased() + "s"] = word + "s"
        }
        return table
    }()

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do", "else",
        "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "Any", "as",
        "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "Type", "Protocol", "async",
        "some", "any",
    ]

    /// Splits on punctuation and on lower→upper and acronym→word boundaries.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            guard character.isLetter || character.isNumber, character.isASCII else {
                if !current.isEmpty { words.append(current) }
                current = ""
                continue
            }
            if let last = current.last {
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let lowerToUpper = (last.isLowercase || last.isNumber) && character.isUppercase
                let acronymEnd = last.isUppercase && character.isUppercase && (next?.isLowercase ?? false)
                if lowerToUpper || acronymEnd {
                    words.append(current)
                    current = ""
                }
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    private static func capitalized(_ word: String) -> String {
        if let initialism = initialisms[word.lowercased()] { return initialism }
        return word.prefix(1).uppercased() + word.dropFirst()
    }

    /// UpperCamelCase for types.
    public static func typeName(_ text: String) -> String {
        let name = words(text).map(capitalized).joined()
        return sanitized(name, fallback: "Value")
    }

    /// lowerCamelCase for properties, cases and methods.
    public static func memberName(_ text: String) -> String {
        let parts = words(text)
        guard let first = parts.first else { return "value" }
        let isAcronym = first.allSatisfy { $0.isUppercase || $0.isNumber } || initialisms[first.lowercased()] != nil
        let head = isAcronym ? first.lowercased() : first.prefix(1).lowercased() + first.dropFirst()
        return sanitized(head + parts.dropFirst().map(capitalized).joined(), fallback: "value")
    }

    private static func sanitized(_ name: String, fallback: String) -> String {
        if name.isEmpty { return fallback }
        if name.first!.isNumber { return "_" + name }
        return name
    }

    /// The identifier as it must be written in source: keywords in backticks.
    public static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }
}

/// Hands out unique names in one scope, deterministically: the first request for a
/// name gets it, later ones get a suffix.
struct NameAllocator {
    private var taken: Set<String>

    init(reserved: Set<String> = []) {
        taken = reserved
    }

    mutating func allocate(_ preferred: String, alternative: String? = nil) -> String {
        if taken.insert(preferred).inserted { return preferred }
        if let alternative, taken.insert(alternative).inserted { return alternative }
        var counter = 2
        while !taken.insert("\(preferred)\(counter)").inserted { counter += 1 }
        return "\(preferred)\(counter)"
    }

    mutating func reserve(_ name: String) { taken.insert(name) }

    func isTaken(_ name: String) -> Bool { taken.contains(name) }
}

extension SwiftNaming {
    /// Type names that generated code refers to unqualified; a schema with one of these
    /// names would shadow it, so it is renamed (`Error` → `ErrorSchema`).
    static var reservedTypeNames: Set<String> { ReservedNames.all }
}
