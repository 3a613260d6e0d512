// libFuzzer entry point for what a generated server reads from untrusted requests: query,
// path and header parameters (objects included), form-urlencoded, multipart and JSON bodies
// (the JSON through the direct reader `jsonReaders: true` generates). Any
// bytes in, a value or a typed RequestError out, and never a crash or a hang. Built and run
// by scripts/fuzz with Fuzz/FuzzSample.swift; not part of the Swift package.
import Foundation
import OpenAPICodegenRuntime

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    // The first byte picks the reader; the rest is the request text it reads.
    let data = Data(UnsafeBufferPointer(start: bytes + 1, count: count - 1))
    let text = String(decoding: data, as: UTF8.self)
    let core = ServerCore()
    do {
        switch bytes[0] % 9 {
        case 0:
            let _: Sample? = try QueryParameters(text).object("filter", style: .deepObject)
        case 1:
            let _: Sample? = try QueryParameters(text).object("sample", excluding: ["other"])
        case 2:
            let _: Sample? = try QueryParameters(text).object("sample", explode: false)
        case 3:
            let _: [Int]? = try QueryParameters(text).values("ids", style: .pipeDelimited, explode: false)
        case 4:
            let path = try PathParameters("/items/" + text, template: "/items/{item}")
            let _: Sample = try path.object("item", style: [.simple, .label, .matrix][Int(count % 3)], explode: count % 2 == 0)
        case 5:
            let headers: HTTPHeaders = ["X-Sample": text]
            let _: Sample? = try headers.parameterObject("X-Sample", explode: count % 2 == 0)
        case 6:
            _ = try core.decodeForm(Sample.self, from: data)
        case 7:
            // Seeds put the boundary first, so that inputs reach the part parser.
            _ = try core.decodeMultipart(Sample.self, from: data, contentType: "multipart/form-data; boundary=b")
        default:
            _ = try core.decodeJSON(Sample.self, from: data)
        }
    } catch {
        // Refusing is the right answer to most inputs; only a crash or a hang is a finding.
        precondition(!error.description.isEmpty)
    }
    return 0
}
