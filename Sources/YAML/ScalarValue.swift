/// A scalar resolved by the YAML 1.2 core schema (which JSON is a subset of).
public enum ScalarValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
}

extension Node {
    /// The scalar resolved to null, bool, int, double or string. Quoted and block scalars,
    /// and those tagged `!!str`, are always strings. Nil for collections.
    public var resolvedScalar: ScalarValue? {
        guard let scalar else { return nil }
        switch tag {
        case "tag:yaml.org,2002:str"?: return .string(scalar.value)
        case "tag:yaml.org,2002:int"?: return Int(scalar.value).map(ScalarValue.int) ?? .string(scalar.value)
        case "tag:yaml.org,2002:float"?: return Double(scalar.value).map(ScalarValue.double) ?? .string(scalar.value)
        case "tag:yaml.org,2002:bool"?: return ScalarValue.resolveBool(scalar.value).map(ScalarValue.bool) ?? .string(scalar.value)
        case "tag:yaml.org,2002:null"?: return .null
        case nil, "!"?: break
        default: return .string(scalar.value)
        }
        guard scalar.style == .plain else { return .string(scalar.value) }
        return ScalarValue.resolvePlain(scalar.value)
    }
}

extension ScalarValue {
    static func resolvePlain(_ text: String) -> ScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if let bool = resolveBool(text) { return .bool(bool) }
        if let int = resolveInt(text) { return .int(int) }
        if isFloatSyntax(text), let double = Double(text) { return .double(double) }
        return .string(text)
    }

    static func resolveBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    private static func resolveInt(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked without a regex.
    private static func isFloatSyntax(_ text: String) -> Bool {
        var chars = Substring(text)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        let mantissa = chars.prefix { $0 != "e" && $0 != "E" }
        let exponent = chars.dropFirst(mantissa.count)
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            parts.contains(where: { !$0.isEmpty })
        else { return false }
        guard !exponent.isEmpty else { return true }
        var exponentDigits = exponent.dropFirst()
        if exponentDigits.first == "-" || exponentDigits.first == "+" { exponentDigits = exponentDigits.dropFirst() }
        return !exponentDigits.isEmpty && exponentDigits.allSatisfy(\.isASCIIDigit)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
