import Foundation
import OpenAPICodegenRuntime
import Testing

/// Decodes `data` as `T` through `JSONDecoder` and through the generated ``JSONReader``, and
/// records an issue unless both give the same outcome: equal values, or the same
/// `DecodingError` (case, coding path and description). Returns `JSONDecoder`'s outcome.
public func decodeBothWays<T: Decodable & JSONReadable & Equatable>(
    _ type: T.Type, from data: Data, sourceLocation: SourceLocation = #_sourceLocation
) throws -> T {
    let both = DecodedBothWays(T.self, from: data)
    if let difference = both.difference {
        Issue.record("\(String(decoding: data, as: UTF8.self)): \(difference)", sourceLocation: sourceLocation)
    }
    return try both.viaDecoder.get()
}
