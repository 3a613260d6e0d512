import OpenAPICodegenRuntime

/// RFC 8785, the JSON Canonicalization Scheme: one byte sequence for every JSON value, so
/// that anyone can hash a document and get the same digest. Members are sorted by their
/// UTF-16 code units, nothing is added between tokens, strings escape only what JSON
/// requires, and numbers are written as ECMAScript's `Number.prototype.toString` writes them.
public enum CanonicalJSON {
    /// The canonical UTF-8 bytes of `value`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(value, into: &output)
        return output
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let integer):
            // JSON numbers are IEEE doubles to RFC 8785; integers past 2^53 print as the double they become.
            if integer.magnitude <= 1 << 53 {
                output.append(contentsOf: String(integer).utf8)
            } else {
                output.append(contentsOf: number(Double(integer)).utf8)
            }
        case .double(let double): output.append(contentsOf: number(double).utf8)
        case .string(let text): writeString(text, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, key) in sortedKeys(members).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(members[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The keys in UTF-16 code unit order. For ASCII keys that is Swift's own `<` (byte
    /// order, compared in bulk); the UTF-16 comparison, one code unit at a time, cost a tenth
    /// of the hashing, so it is kept for keys that need it.
    private static func sortedKeys(_ members: [String: JSONValue]) -> [String] {
        let keys = Array(members.keys)
        if keys.allSatisfy(isASCII) { return keys.sorted(by: <) }
        return keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }

    private static func isASCII(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
    }

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        // Nearly every string needs no escape: its bytes go as they are, in one copy.
        let plain = text.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return false }
            output.append(contentsOf: bytes)
            return true
        }
        if plain {
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// ECMAScript's shortest round-trip form (ECMA-262, Number::toString): Swift's
    /// `description` finds the same shortest digits, which are then laid out by its rules.
    public static func number(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value < 0 { return "-" + number(-value) }
        // Swift writes the shortest digits as `1234.5`, `1e-07` or `1.2345e+20`.
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1])! : 0
        let integerDigits = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        // value = 0.digits × 10^n
        var n = integerDigits + exponent
        while digits.first == "0" {
            digits.removeFirst()
            n -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count
        let all = String(digits)
        if k <= n, n <= 21 { return all + String(repeating: "0", count: n - k) }
        if 0 < n, n <= 21 { return String(digits[..<n]) + "." + String(digits[n...]) }
        if -6 < n, n <= 0 { return "0." + String(repeating: "0", count: -n) + all }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let head = k == 1 ? all : String(digits[0]) + "." + String(digits[1...])
        return head + "e" + sign + String(e.magnitude)
    }
}
