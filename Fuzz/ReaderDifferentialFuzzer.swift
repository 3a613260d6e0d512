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
    let both = DecodedBothWays(T.self, from: data)
    guard let difference = both.difference else { return }
    if isMap, case .failure(let expected) = both.viaDecoder, case .failure(let read) = both.direct,
       let decoderDepth = pathLength(expected), let readerDepth = pathLength(read), decoderDepth <= 1, readerDepth <= 1 {
        return
    }
    fatalError("\(T.self) from \(String(decoding: data, as: UTF8.self).debugDescription): \(difference)")
}

/// Whether `data` nests arrays and objects deeper than JSONDecoder's limit of 512. There the
/// reference has no outcome to compare with: Foundation traps while locating its own "too
/// deeply nested" error (JSONError.SourceLocation, found by this fuzzer on 513 `[` with
/// whitespace among them).
func nestsBeyondFoundationsLimit(_ data: Data) -> Bool {
    var depth = 0
    var inString = false
    var escaped = false
    for byte in data {
        if inString {
            if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            continue
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            depth += 1
            if depth > 512 { return true }
        case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
        default: break
        }
    }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    // The first byte picks the type; the rest is the document.
    let data = Data(UnsafeBufferPointer(start: bytes + 1, count: count - 1))
    guard !nestsBeyondFoundationsLimit(data) else { return 0 }
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
