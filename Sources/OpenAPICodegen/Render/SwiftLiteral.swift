/// Swift literal spelling.
enum SwiftLiteral {
    /// A double-quoted string literal with escapes.
    static func string(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\0": result += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// A constant from the spec, spelled as Swift.
    static func constant(_ constant: Constant) -> String {
        switch constant {
        case .string(let text): string(text)
        case .integer(let value): String(value)
        case .number(let text): text
        case .bool(let value): String(value)
        case .array(let elements): "[" + elements.map(Self.constant).joined(separator: ", ") + "]"
        case .enumCase(let name): "." + SwiftNaming.escaped(name)
        case .unknownEnumValue(let raw): ".unknown(\(Self.constant(raw)))"
        case .jsonValue(.integer(let value)): ".int(\(value))"
        case .jsonValue(.number(let text)): ".double(\(text))"
        case .jsonValue(.bool(let value)): ".bool(\(value))"
        case .jsonValue(let other): ".string(\(Self.constant(other)))"
        }
    }
}
