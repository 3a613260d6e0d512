// libFuzzer entry point that holds the generated JSON readers to their promise: any bytes
// decoded by `JSONReader` and by Foundation's `JSONDecoder` give equal values, or errors
// with the same case, type, path and description (Tests/TestSupport/DecodingOutcome.swift,
// the measure the tests use). A difference stops the run with both outcomes (`fatalError`,
// whose message survives -O) and libFuzzer keeps the input. Built and run by scripts/fuzz
// with Fuzz/FuzzSample.swift; not part of the Swift package.
import Foundation
import OpenAPICodegenRuntime

/// The number of keys and indices in the path of a decoding error.
func pathLength(_ error: any Error) -> Int? {
    switch error as? DecodingError {
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
        context.codingPath.count
    default: nil
    }
}

/// Decodes `data` both ways and traps unless the outcomes agree. `isMap`: JSONDecoder decodes
/// a map's values in hash order, which changes from process to process, so when several
/// values fail, which one it names is arbitrary (the reader names the first in the document);
/// two failures of the map's own values then count as the same. A value can fail at the
/// map's path too: a number that is not an integer is "not valid JSON" at `$`.
func expectSameOutcome<T: Decodable & JSONReadable & Equatable>(_ type: T.Type, _ data: Data, isMap: Bool = false) {
    let viaDecoder = Result { try JSONDecoder().decode(T.self, from: data) }
    let direct = Result { try JSONReader.decode(T.self, from: data) }
    let input = String(decoding: data, as: UTF8.self).debugDescription
    switch (viaDecoder, direct) {
    case (.success(let expected), .success(let read)):
        if read != expected { fatalError("\(T.self) from \(input): the reader read \(read), JSONDecoder \(expected)") }
    case (.failure(let expected), .failure(let read)):
        let (decoder, reader) = (DecodingOutcome(expected), DecodingOutcome(read))
        if isMap, let decoderDepth = pathLength(expected), let readerDepth = pathLength(read), decoderDepth <= 1, readerDepth <= 1 { return }
        if decoder != reader { fatalError("\(T.self) from \(input): the reader said \(reader), JSONDecoder \(decoder)") }
    case (.success(let value), .failure(let error)):
        fatalError("\(T.self) from \(input): only the reader failed (\(DecodingOutcome(error))); JSONDecoder read \(value)")
    case (.failure(let error), .success(let value)):
        fatalError("\(T.self) from \(input): only JSONDecoder failed (\(DecodingOutcome(error))); the reader read \(value)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    // The first byte picks the type; the rest is the document.
    let data = Data(UnsafeBufferPointer(start: bytes + 1, count: count - 1))
    switch bytes[0] % 6 {
    case 0: expectSameOutcome(Sample.self, data)
    case 1: expectSameOutcome([Sample].self, data)
    case 2: expectSameOutcome(JSONValue.self, data)
    case 3: expectSameOutcome([String: Int].self, data, isMap: true)
    case 4: expectSameOutcome(Int.self, data)
    default: expectSameOutcome(String.self, data)
    }
    return 0
}
