@testable import Audit
import Foundation
import Testing

@Suite("Write error classification")
struct ErrorTests {
    @Test("400, 404, 409, 422: 4xx, not retryable", arguments: [400, 404, 409, 422])
    func clientErrors(status: Int) {
        let error = AuditWriteError.http(statusCode: status, message: "bad")
        #expect(!error.isRetryable && error.is4xx && !error.is5xx && !error.isAuthError)
    }

    @Test("401 and 403: retryable auth errors, and 4xx", arguments: [401, 403])
    func authErrors(status: Int) {
        let error = AuditWriteError.http(statusCode: status, message: "denied")
        #expect(error.isRetryable && error.isAuthError && error.is4xx)
    }

    @Test("500, 502, 503, 504: 5xx, retryable", arguments: [500, 502, 503, 504])
    func serverErrors(status: Int) {
        let error = AuditWriteError.http(statusCode: status, message: "down")
        #expect(error.isRetryable && error.is5xx && !error.is4xx)
    }

    @Test("network errors and time-outs are retryable, encoding errors are not")
    func nonHTTP() {
        struct Refused: Error {}
        #expect(AuditWriteError.network(underlying: Refused()).isRetryable)
        #expect(AuditWriteError.timedOut(after: .seconds(30)).isRetryable)
        #expect(!AuditWriteError.encoding(underlying: Refused()).isRetryable)
        #expect(!AuditWriteError.network(underlying: Refused()).is4xx)
        #expect(!AuditWriteError.network(underlying: Refused()).is5xx)
    }

    @Test("the message says who answered what")
    func message() {
        #expect("\(AuditWriteError.http(statusCode: 503, message: "database down"))" == "Data Storage Service returned status 503: database down")
    }

    @Test("client errors classify by kind; the underlying error is kept; nil and unknown errors")
    func wrapping() {
        struct Refused: Error {}
        let transport = AuditWriteError(ClientError.transport(operationID: "op", underlying: Refused()))
        guard case .network(let underlying) = transport else {
            Issue.record("expected .network")
            return
        }
        #expect(underlying is Refused)
        #expect(transport.isRetryable)
        #expect(!AuditWriteError(ClientError.encoding(operationID: "op", underlying: Refused())).isRetryable)
        #expect(AuditWriteError.isRetryable(ClientError.transport(operationID: "op", underlying: Refused())))
        #expect(!AuditWriteError.isRetryable(AuditWriteError.http(statusCode: 400, message: "")))
        #expect(!AuditWriteError.isRetryable(nil))
        #expect(AuditWriteError.isRetryable(Refused()), "an unknown error is retryable")
    }

    @Test("every documented status of the batch operation maps to written or an error")
    func classification() {
        let problem = RFC7807Problem(type: "t", title: "title", status: 0, detail: "detail")
        #expect(Client.classify(.created(BatchAuditEventResponse())).isSuccess)
        #expect(Client.classify(.accepted(AsyncAcceptanceResponse(status: "accepted", message: "queued"))).isSuccess)
        #expect(Client.classify(.badRequest(problem)).failure?.description == "Data Storage Service returned status 400: detail")
        #expect(Client.classify(.unauthorized(problem)).failure?.isAuthError == true)
        #expect(Client.classify(.default(statusCode: 503, problem)).failure?.isRetryable == true)
        let tooLarge = Client.classify(.badRequest(RFC7807Problem(
            type: "https://kubernaut.ai/problems/batch-size-exceeded", title: "Bad Request", status: 400, detail: "batch of 1000 events exceeds the maximum of 500")))
        guard case .batchTooLarge(let message)? = tooLarge.failure else { Issue.record("\(tooLarge)"); return }
        #expect(message == "batch of 1000 events exceeds the maximum of 500")
        #expect(tooLarge.failure?.is4xx == true && tooLarge.failure?.isRetryable == false)
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}
