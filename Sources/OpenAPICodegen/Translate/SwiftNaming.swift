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
    /// Works on ASCII bytes: other characters separate words, and bytes are several times
    /// faster than `Character`s on specs with thousands of names.
    static func words(_ text: String) -> [String] {
        func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
        func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        var words: [String] = []
        var current: [UInt8] = []
        func flush() {
            if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
        }
        let bytes = Array(text.utf8)
        for index in bytes.indices {
            let byte = bytes[index]
            guard isUpper(byte) || isLower(byte) || isDigit(byte) else {
                flush()
                continue
            }
            if let last = current.last {
                let next = index + 1 < bytes.count ? bytes[index + 1] : nil
                let lowerToUpper = (isLower(last) || isDigit(last)) && isUpper(byte)
                let acronymEnd = isUpper(last) && isUpper(byte) && next.map(isLower) == true
                if lowerToUpper || acronymEnd { flush() }
            }
            current.append(byte)
        }
        flush()
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
    /// Names no scope may use, shared by every allocator made from them and never copied:
    /// copying the module's top-level names into each type's scope made large specs quadratic.
    private let shared: Set<String>
    private var taken: Set<String> = []

    init(reserved: Set<String> = []) {
        shared = reserved
    }

    mutating func allocate(_ preferred: String, alternative: String? = nil) -> String {
        if take(preferred) { return preferred }
        if let alternative, take(alternative) { return alternative }
        var counter = 2
        while !take("\(preferred)\(counter)") { counter += 1 }
        return "\(preferred)\(counter)"
    }

    private mutating func take(_ name: String) -> Bool {
        !shared.contains(name) && taken.insert(name).inserted
    }

    /// An allocator for members, cases, arguments or methods of one scope, which never hands out
    /// a name Swift gives a meaning there (`self`, `init`, `Type`…) besides `reserved`.
    static func members(reserving reserved: Set<String> = []) -> NameAllocator {
        NameAllocator(reserved: reserved.union(SwiftNaming.reservedMemberNames))
    }

    mutating func reserve(_ name: String) { taken.insert(name) }

    func isTaken(_ name: String) -> Bool { shared.contains(name) || taken.contains(name) }
}

extension SwiftNaming {
    /// Member names that mean something else in Swift even in backticks: `self.self`,
    /// `Foo.init`, `Foo.Type`.
    static let reservedMemberNames: Set<String> = ["self", "init", "deinit", "subscript", "Type", "Protocol", "Self"]

    /// Type names that generated code refers to unqualified; a schema with one of these
    /// names would shadow it, so it is renamed (`Error` → `ErrorSchema`).
    static var reservedTypeNames: Set<String> { ReservedNames.all }
}
