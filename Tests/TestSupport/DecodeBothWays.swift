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
