import DataStorageClient
import Foundation
import Hummingbird
import NIOCore
import OpenAPICodegenRuntime

/// An RFC 7807 problem the server answers with, as `application/problem+json`.
struct Problem: Error {
    var status: HTTPResponse.Status
    var type: String
    var title: String
    var detail: String
    /// Validation errors by JSON path.
    var fieldErrors: [String: String]?

    static func validation(_ detail: String, fieldErrors: [String: String]? = nil) -> Problem {
        Problem(status: .badRequest, type: "validation-error", title: "Validation Error", detail: detail, fieldErrors: fieldErrors)
    }

    static func badRequest(_ type: String, _ detail: String) -> Problem {
        Problem(status: .badRequest, type: type, title: "Bad Request", detail: detail)
    }

    /// 500: the events are not stored anywhere, and the client should retry.
    static func storageUnavailable(_ detail: String) -> Problem {
        Problem(status: .internalServerError, type: "storage-unavailable", title: "Internal Server Error", detail: detail)
    }

    var response: Response {
        let body = RFC7807Problem(
            type: "https://kubernaut.ai/problems/\(type)", title: title, status: Int32(status.code), detail: detail,
            fieldErrors: fieldErrors)
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/problem+json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A JSON response with a generated body type.
func jsonResponse(_ status: HTTPResponse.Status, _ body: some Encodable) throws -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try StreamingJSONEncoder().encode(body))))
}
