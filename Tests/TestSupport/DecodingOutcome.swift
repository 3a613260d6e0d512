import Foundation
import OpenAPICodegenRuntime

// No `Testing` here: Fuzz/ReaderDifferentialFuzzer.swift compiles this file too.

/// `data` decoded as `T` by `JSONDecoder` and by the generated ``JSONReader``, and how the
/// two outcomes differ: the one comparison the tests and the differential fuzzer make.
public struct DecodedBothWays<T: Decodable & JSONReadable & Equatable> {
    public let viaDecoder: Result<T, any Error>
    public let direct: Result<T, any Error>

    public init(_ type: T.Type, from data: Data) {
        viaDecoder = Result { try JSONDecoder().decode(T.self, from: data) }
        direct = Result { try JSONReader.decode(T.self, from: data) }
    }

    /// Nil when both give equal values, or errors with the same case, type, path and description.
    public var difference: String? {
        switch (viaDecoder, direct) {
        case (.success(let expected), .success(let read)):
            read == expected ? nil : "the reader read \(read), JSONDecoder \(expected)"
        case (.failure(let expected), .failure(let read)):
            DecodingOutcome(read) == DecodingOutcome(expected) ? nil : "the reader said \(DecodingOutcome(read)), JSONDecoder \(DecodingOutcome(expected))"
        case (.success(let value), .failure(let error)):
            "only the reader failed (\(DecodingOutcome(error))); JSONDecoder read \(value)"
        case (.failure(let error), .success(let value)):
            "only JSONDecoder failed (\(DecodingOutcome(error))); the reader read \(value)"
        }
    }
}

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
