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

    /// A validation problem listing every violation, each in `field_errors` by its JSON path.
    static func validation(_ violations: [Violation], prefix: String = "") -> Problem {
        let fields = Dictionary(violations.map { ($0.jsonPath, $0.message) }, uniquingKeysWith: { first, _ in first })
        return .validation(prefix + violations.map(\.description).joined(separator: "; "), fieldErrors: fields)
    }

    static func badRequest(_ type: String, _ detail: String) -> Problem {
        Problem(status: .badRequest, type: type, title: "Bad Request", detail: detail)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, type: "not-found", title: "Not Found", detail: detail)
    }

    /// 500: the events are not stored anywhere, and the client should retry.
    static func storageUnavailable(_ detail: String) -> Problem {
        Problem(status: .internalServerError, type: "storage-unavailable", title: "Internal Server Error", detail: detail)
    }

    /// The problem as the contract's document.
    var document: RFC7807Problem {
        RFC7807Problem(
            type: "https://kubernaut.ai/problems/\(type)", title: title, status: Int32(status.code), detail: detail,
            fieldErrors: fieldErrors)
    }

    /// The problem+json bytes.
    var body: Data { (try? StreamingJSONEncoder().encode(document)) ?? Data() }

    /// The problem as a Hummingbird response, for middleware that answers before the generated server.
    var response: Response {
        Response(status: status, headers: [.contentType: "application/problem+json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Answers what the generated server refuses (a request that breaks the contract, a handler
/// that throws) with the server's problem+json, every field error with its JSON path.
struct ProblemResponder: Sendable {
    let api: AuditAPI

    func respond(to error: ServerError) -> OpenAPICodegenRuntime.HTTPResponse {
        let problem: Problem
        switch error.reason {
        case .request(let requestError):
            problem = self.problem(for: requestError)
        case .handler(let underlying):
            api.logger.error("audit request failed", metadata: ["operation": "\(error.operation.id)", "error": "\(String(reflecting: underlying))"])
            problem = .storageUnavailable("the database failed the request: \(underlying)")
        case .response(let responseError):
            api.logger.error("audit response could not be sent", metadata: ["operation": "\(error.operation.id)", "error": "\(responseError)"])
            problem = Problem(status: .internalServerError, type: "internal-error", title: "Internal Server Error", detail: "\(responseError)")
        }
        return OpenAPICodegenRuntime.HTTPResponse(
            statusCode: Int(problem.status.code), headers: ["Content-Type": "application/problem+json"], body: problem.body)
    }

    private func problem(for error: RequestError) -> Problem {
        switch error {
        case .bodyTooLarge(let maximumSize):
            return Problem(status: .contentTooLarge, type: "payload-too-large", title: "Payload Too Large", detail: "the request body exceeds \(maximumSize) bytes")
        case .unsupportedMediaType:
            return Problem(status: .unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported Media Type", detail: "\(error)")
        case .malformedBody(let violation):
            api.metrics.validationFailures.increment()
            let fields = violation.path.isEmpty ? nil : [violation.jsonPath: violation.message]
            return .validation("the request body does not match the schema: \(error)", fieldErrors: fields)
        case .bodyViolations(let violations, let body):
            // The contract's violations and the server's own rules, reported together.
            let events = (body as? [AuditEventRequest]) ?? (body as? AuditEventRequest).map { [$0] } ?? []
            do {
                _ = try api.accepted(events, schemaViolations: violations, isBatch: body is [AuditEventRequest])
            } catch let problem as Problem {
                return problem
            } catch {}
            api.metrics.validationFailures.increment()
            return .validation(violations)
        case .missingBody, .bodyUnreadable:
            return .badRequest("bad-request", "\(error)")
        case .missingParameter, .invalidParameter, .parameterViolations:
            return .badRequest("invalid-parameter", "\(error)")
        }
    }
}
