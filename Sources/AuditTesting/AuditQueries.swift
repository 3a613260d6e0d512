import Audit

extension Client {
    /// Every event DataStorage holds for `correlationID`, oldest first, read page by page from
    /// the query API (which answers newest first): the trail of one request, for integration tests.
    ///
    /// - Throws: ``AuditQueryError`` when DataStorage answers anything but 200; `ClientError`
    ///   when it cannot be reached.
    public func auditEvents(correlationID: String, pageSize: Int = 1000) async throws -> [StoredAuditEvent] {
        var newestFirst: [StoredAuditEvent] = []
        while true {
            let output = try await queryAuditEvents(correlationID: correlationID, limit: pageSize, offset: newestFirst.count)
            guard case .ok(let page) = output else {
                throw AuditQueryError(statusCode: output.statusCode, response: "\(output)")
            }
            newestFirst += page.data
            if !page.pagination.hasMore || page.data.isEmpty { break }
        }
        return newestFirst.reversed()
    }
}

/// DataStorage answered a query with an error status.
public struct AuditQueryError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public let statusCode: Int
    /// The decoded answer, as text.
    public let response: String

    public var description: String { "Data Storage Service answered the audit query with status \(statusCode): \(response)" }
}
