/// The error of a `oneOf` without a discriminator whose JSON matches none or several of its
/// variants. Generated `init(from:)` and `init(jsonReader:)` both word it here, so that
/// `JSONDecoder` and ``JSONReader`` fail with the same description.
public enum UnionMismatch {
    /// `dataCorrupted` at `codingPath`, naming each variant and why it did not match.
    public static func error(
        _ typeName: String, matchCount: Int, failures: [(variant: String, error: any Error)], codingPath: [any CodingKey]
    ) -> DecodingError {
        let reason = matchCount == 0
            ? "matches none of its variants: " + failures.map { "\($0.variant): \(describe($0.error))" }.joined(separator: "; ")
            : "is ambiguous: it matches \(matchCount) variants"
        return .dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: "\(typeName) \(reason)"))
    }

    /// A variant's failure as text: its description and, for a decoding error, the path to the
    /// value it is about, spelled from the keys' names (the two decoders use different key types).
    private static func describe(_ error: any Error) -> String {
        let context: DecodingError.Context
        switch error {
        case DecodingError.typeMismatch(_, let found), DecodingError.valueNotFound(_, let found),
             DecodingError.keyNotFound(_, let found), DecodingError.dataCorrupted(let found):
            context = found
        default:
            return "\(error)"
        }
        guard !context.codingPath.isEmpty else { return context.debugDescription }
        let path = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }.joined(separator: ".")
        return "\(context.debugDescription) (at \(path))"
    }
}
