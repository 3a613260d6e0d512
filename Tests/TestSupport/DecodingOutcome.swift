import Foundation

// No `Testing` here: Fuzz/ReaderDifferentialFuzzer.swift compiles this file too.

/// A decoding error as users see it: its case, the type, the path and the description.
public struct DecodingOutcome: Equatable, CustomStringConvertible {
    public let description: String

    public init(_ error: any Error) {
        guard let error = error as? DecodingError else {
            description = "\(type(of: error)): \(error)"
            return
        }
        func path(_ context: DecodingError.Context) -> String {
            "$" + context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        }
        switch error {
        case .typeMismatch(let type, let context): description = "typeMismatch(\(type)) at \(path(context)): \(context.debugDescription)"
        case .valueNotFound(let type, let context): description = "valueNotFound(\(type)) at \(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): description = "keyNotFound(\(key.stringValue)) at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): description = "dataCorrupted at \(path(context)): \(context.debugDescription)"
        @unknown default: description = "\(error)"
        }
    }
}
