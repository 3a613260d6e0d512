import DataStorageClient
import Foundation
import Logging
import OpenAPICodegenRuntime
import SQLiteNIO

/// The embedded store: one SQLite file, no setup. Filterable members have their own
/// indexed columns; the whole event is kept as JSON, so it comes back exactly as stored.
public actor SQLiteAuditRepository: AuditRepository {
    private let connection: SQLiteConnection
    /// Whether a transaction holds the connection, and who waits for it. The actor alone does
    /// not keep transactions apart: it is re-entered at every `await`, so a second BEGIN would
    /// land inside the first transaction, and its ROLLBACK would undo the first's rows.
    private var inTransaction = false
    private var waitingForTransaction: [CheckedContinuation<Void, Never>] = []

    /// Opens (creating when missing) the database at `path`, or an in-memory one for nil.
    public static func open(path: String?, logger: Logger) async throws -> SQLiteAuditRepository {
        let connection = try await SQLiteConnection.open(storage: path.map { .file(path: $0) } ?? .memory, logger: logger)
        let repository = SQLiteAuditRepository(connection: connection)
        try await repository.migrate()
        return repository
    }

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Creates the schema when missing; safe to run at every start.
    public func migrate() async throws {
        for statement in [
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "CREATE TABLE IF NOT EXISTS audit_events (event_id TEXT PRIMARY KEY, event_timestamp_us INTEGER NOT NULL, "
                + AuditColumn.equalityFilters.map { "\($0.column.name) TEXT\($0.column.isNullable ? "" : " NOT NULL"), " }.joined()
                + "event_data TEXT NOT NULL, document TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS audit_events_timestamp ON audit_events (event_timestamp_us DESC, event_id DESC)",
            "CREATE INDEX IF NOT EXISTS audit_events_correlation ON audit_events (correlation_id, event_timestamp_us DESC)",
            "CREATE INDEX IF NOT EXISTS audit_events_type ON audit_events (event_type, event_timestamp_us)",
            "CREATE INDEX IF NOT EXISTS audit_events_outcome ON audit_events (event_outcome, event_timestamp_us)",
        ] {
            _ = try await connection.query(statement, [])
        }
    }

    public func insert(_ events: [StoredAuditEvent]) async throws {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        // The key, the time, the filtered columns, event_data for detail filters, and the whole event.
        var rows: [[SQLiteData]] = []
        rows.reserveCapacity(events.count)
        for event in events {
            rows.append(
                [.text(event.eventID.uuidString.lowercased()), .integer(Int(StoredTime.microseconds(event.eventTimestamp)))]
                    + AuditColumn.equalityFilters.map { filter in filter.column.value(event).map { .text($0) } ?? .null }
                    + [
                        .text(String(decoding: try encoder.encode(event.eventData), as: UTF8.self)),
                        .text(String(decoding: try encoder.encode(event), as: UTF8.self)),
                    ])
        }
        while inTransaction {
            await withCheckedContinuation { waitingForTransaction.append($0) }
        }
        inTransaction = true
        defer {
            inTransaction = false
            if !waitingForTransaction.isEmpty { waitingForTransaction.removeFirst().resume() }
        }
        _ = try await connection.query("BEGIN IMMEDIATE", [])
        do {
            // One multi-row INSERT per chunk (SQLite allows 32766 bound values, about ten a row).
            let row = "(" + Array(repeating: "?", count: Self.insertedColumns.count).joined(separator: ", ") + ")"
            for chunk in stride(from: 0, to: rows.count, by: 1000).map({ rows[$0..<min($0 + 1000, rows.count)] }) {
                let placeholders = Array(repeating: row, count: chunk.count).joined(separator: ", ")
                _ = try await connection.query(
                    "INSERT INTO audit_events (\(Self.insertedColumns.joined(separator: ", "))) VALUES \(placeholders) ON CONFLICT (event_id) DO NOTHING",
                    chunk.flatMap { $0 })
            }
            _ = try await connection.query("COMMIT", [])
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            throw error
        }
    }

    /// The columns an insert writes, in the order of each row's values.
    private static let insertedColumns = ["event_id", "event_timestamp_us"] + AuditColumn.equalityFilters.map(\.column.name) + ["event_data", "document"]

    public func query(_ query: AuditQuery) async throws -> (events: [StoredAuditEvent], total: Int) {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        func filter(_ column: String, _ value: String?) {
            guard let value else { return }
            conditions.append("\(column) = ?")
            binds.append(.text(value))
        }
        for (column, value) in AuditColumn.equalityFilters { filter(column.name, value(query)) }
        if let since = query.since {
            conditions.append("event_timestamp_us >= ?")
            binds.append(.integer(Int(StoredTime.microseconds(since))))
        }
        if let until = query.until {
            conditions.append("event_timestamp_us <= ?")
            binds.append(.integer(Int(StoredTime.microseconds(until))))
        }
        if let detail = query.detail {
            // The key is bound as a parameter, never spliced into the SQL.
            conditions.append("json_extract(event_data, '$.' || ?) = ?")
            binds += [.text(detail.key), .text(detail.value)]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try await connection.query("SELECT COUNT(*) AS total FROM audit_events \(filter)", binds)
            .first?.column("total")?.integer ?? 0
        let rows = try await connection.query(
            "SELECT document FROM audit_events \(filter) ORDER BY event_timestamp_us DESC, event_id DESC LIMIT ? OFFSET ?",
            binds + [.integer(query.limit), .integer(query.offset)])
        let events = try rows.map { row in
            try JSONReader.decode(StoredAuditEvent.self, from: row.column("document")?.string ?? "")
        }
        return (events, Int(total))
    }

    public func ping() async throws {
        _ = try await connection.query("SELECT 1", [])
    }

    /// Closes the database file.
    public func close() async throws {
        try await connection.close()
    }
}
