import Foundation
import OpenAPICodegenRuntime
import Testing

/// Decodes `data` as `T` through `JSONDecoder` and through the generated ``JSONReader``, and
/// records an issue unless both give the same outcome: equal values, or the same
/// `DecodingError` (case, coding path and description). Returns `JSONDecoder`'s outcome.
public func decodeBothWays<T: Decodable & JSONReadable & Equatable>(
    _ type: T.Type, from data: Data, sourceLocation: SourceLocation = #_sourceLocation
) throws -> T {
    let viaDecoder = Result { try JSONDecoder().decode(T.self, from: data) }
    let direct = Result { try JSONReader.decode(T.self, from: data) }
    switch (viaDecoder, direct) {
    case (.success(let expected), .success(let read)):
        #expect(read == expected, "\(String(decoding: data, as: UTF8.self))", sourceLocation: sourceLocation)
    case (.failure(let expected), .failure(let read)):
        #expect(DecodingOutcome(read) == DecodingOutcome(expected), "\(String(decoding: data, as: UTF8.self))", sourceLocation: sourceLocation)
    case (.success, .failure(let error)):
        Issue.record("only the reader failed on \(String(decoding: data, as: UTF8.self)): \(DecodingOutcome(error))", sourceLocation: sourceLocation)
    case (.failure(let error), .success):
        Issue.record("only JSONDecoder failed on \(String(decoding: data, as: UTF8.self)): \(DecodingOutcome(error))", sourceLocation: sourceLocation)
    }
    return try viaDecoder.get()
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
