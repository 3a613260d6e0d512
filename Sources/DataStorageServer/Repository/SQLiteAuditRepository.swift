import AuditIntegrity
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
        ] {
            _ = try await connection.query(statement, [])
        }
        // Columns added since the table was first created.
        if try await !columns(of: "audit_events").contains("chain_index") {
            _ = try await connection.query("ALTER TABLE audit_events ADD COLUMN chain_index INTEGER", [])
        }
        for statement in [
            "CREATE INDEX IF NOT EXISTS audit_events_timestamp ON audit_events (event_timestamp_us DESC, event_id DESC)",
            "CREATE INDEX IF NOT EXISTS audit_events_correlation ON audit_events (correlation_id, event_timestamp_us DESC)",
            "CREATE INDEX IF NOT EXISTS audit_events_type ON audit_events (event_type, event_timestamp_us)",
            "CREATE INDEX IF NOT EXISTS audit_events_outcome ON audit_events (event_outcome, event_timestamp_us)",
            "CREATE INDEX IF NOT EXISTS audit_events_chain ON audit_events (correlation_id, chain_index)",
            // The same chain and checkpoint tables as PostgreSQL's; SQLite compares text by its bytes.
            "CREATE TABLE IF NOT EXISTS audit_chain_heads (correlation_id TEXT PRIMARY KEY, chain_length INTEGER NOT NULL, head TEXT NOT NULL, purged_length INTEGER NOT NULL DEFAULT 0, purged_head TEXT)",
            "CREATE TABLE IF NOT EXISTS audit_checkpoints (sequence INTEGER PRIMARY KEY, document TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS audit_legal_holds (id INTEGER PRIMARY KEY, correlation_id TEXT NOT NULL, in_force INTEGER NOT NULL, document TEXT NOT NULL)",
            "CREATE UNIQUE INDEX IF NOT EXISTS audit_legal_holds_in_force ON audit_legal_holds (correlation_id) WHERE in_force",
            Self.checkpointChainsTable,
        ] {
            _ = try await connection.query(statement, [])
        }
        try await addRetentionColumns()
    }

    private static let checkpointChainsTable = """
        CREATE TABLE IF NOT EXISTS audit_checkpoint_chains (correlation_id TEXT, chain_length INTEGER, head TEXT NOT NULL, checkpoint_sequence INTEGER NOT NULL, \
        purged_length INTEGER NOT NULL DEFAULT 0, purged_head TEXT, PRIMARY KEY (correlation_id, chain_length, purged_length))
        """

    /// Tables made before retention lack the purged columns; audit_checkpoint_chains also
    /// needs them in its key, which SQLite changes only by copying the table.
    private func addRetentionColumns() async throws {
        if try await !columns(of: "audit_chain_heads").contains("purged_length") {
            _ = try await connection.query("ALTER TABLE audit_chain_heads ADD COLUMN purged_length INTEGER NOT NULL DEFAULT 0", [])
            _ = try await connection.query("ALTER TABLE audit_chain_heads ADD COLUMN purged_head TEXT", [])
        }
        if try await !columns(of: "audit_checkpoint_chains").contains("purged_length") {
            try await withTransaction {
                _ = try await connection.query("ALTER TABLE audit_checkpoint_chains RENAME TO audit_checkpoint_chains_before_retention", [])
                _ = try await connection.query(Self.checkpointChainsTable, [])
                _ = try await connection.query(
                    "INSERT INTO audit_checkpoint_chains (correlation_id, chain_length, head, checkpoint_sequence) SELECT correlation_id, chain_length, head, checkpoint_sequence FROM audit_checkpoint_chains_before_retention",
                    [])
                _ = try await connection.query("DROP TABLE audit_checkpoint_chains_before_retention", [])
            }
        }
    }

    private func columns(of table: String) async throws -> Set<String> {
        Set(try await connection.query("PRAGMA table_info(\(table))", []).compactMap { $0.column("name")?.string })
    }

    public func insert(_ events: [StoredAuditEvent]) async throws {
        guard !events.isEmpty else { return }
        let batch = try ChainingBatch(events)
        try await withTransaction { try await insertChained(batch) }
    }

    /// Links the batch into its chains and writes it; the caller holds a transaction.
    private func insertChained(_ batch: ChainingBatch) async throws {
        var batch = batch
        var stored = Set<UUID>()
        for chunk in Self.chunks(batch.events.map { SQLiteData.text($0.eventID.uuidString.lowercased()) }) {
            for row in try await connection.query("SELECT event_id FROM audit_events WHERE event_id IN (\(Self.placeholders(chunk.count)))", chunk) {
                if let id = row.column("event_id")?.string.flatMap(UUID.init(uuidString:)) { stored.insert(id) }
            }
        }
        batch.removeEvents(storedAs: stored)
        var ends: [String: ChainEnd] = [:]
        for chunk in Self.chunks(batch.correlationIDs.map(SQLiteData.text)) {
            for row in try await connection.query(
                "SELECT correlation_id, chain_length, head FROM audit_chain_heads WHERE correlation_id IN (\(Self.placeholders(chunk.count)))", chunk)
            {
                guard let id = row.column("correlation_id")?.string, let length = row.column("chain_length")?.integer,
                    let head = row.column("head")?.string
                else { continue }
                ends[id] = ChainEnd(length: Int64(length), head: Hex.decode(head) ?? [])
            }
        }
        let moved = batch.link(after: ends).filter { ends[$0.key] != $0.value }
        let encoder = JSONEncoder()
        // The key, the time, the filtered columns, event_data for detail filters, the chain place, and the whole event.
        var rows: [[SQLiteData]] = []
        rows.reserveCapacity(batch.events.count)
        for event in batch.events {
            rows.append(
                [.text(event.eventID.uuidString.lowercased()), .integer(Int(StoredTime.microseconds(event.eventTimestamp)))]
                    + AuditColumn.equalityFilters.map { filter in filter.column.value(event).map { .text($0) } ?? .null }
                    + [
                        .text(String(decoding: try encoder.encode(event.eventData), as: UTF8.self)),
                        .integer(Int(event.chainIndex ?? 0)),
                        .text(String(decoding: try encoder.encode(event), as: UTF8.self)),
                    ])
        }
        try await insertRows(rows, into: "audit_events", columns: Self.insertedColumns, onConflict: "(event_id) DO NOTHING")
        try await insertRows(
            moved.map { [.text($0.key), .integer(Int($0.value.length)), .text(Hex.encode($0.value.head))] }, into: "audit_chain_heads",
            columns: ["correlation_id", "chain_length", "head"],
            onConflict: "(correlation_id) DO UPDATE SET chain_length = excluded.chain_length, head = excluded.head")
    }

    // MARK: Legal holds

    public func placeLegalHold(_ hold: LegalHold, auditedBy event: StoredAuditEvent) async throws {
        let batch = try ChainingBatch([event])
        let document = String(decoding: try StreamingJSONEncoder().encode(hold), as: UTF8.self)
        try await withTransaction {
            let inForce = try await connection.query(
                "SELECT 1 AS held FROM audit_legal_holds WHERE correlation_id = ? AND in_force", [.text(hold.correlationID)])
            guard inForce.isEmpty else { throw LegalHoldInForce(correlationID: hold.correlationID) }
            _ = try await connection.query(
                "INSERT INTO audit_legal_holds (correlation_id, in_force, document) VALUES (?, 1, ?)", [.text(hold.correlationID), .text(document)])
            try await insertChained(batch)
        }
    }

    public func releaseLegalHold(
        correlationID: String, release: @escaping @Sendable (LegalHold) -> LegalHold, auditedBy event: StoredAuditEvent
    ) async throws -> LegalHold? {
        let batch = try ChainingBatch([event])
        return try await withTransaction {
            guard let held = try await documents(
                "SELECT document FROM audit_legal_holds WHERE correlation_id = ? AND in_force", [.text(correlationID)]
            ).first.map({ try JSONReader.decode(LegalHold.self, from: $0) }) else { return nil }
            let released = release(held)
            _ = try await connection.query(
                "UPDATE audit_legal_holds SET in_force = 0, document = ? WHERE correlation_id = ? AND in_force",
                [.text(String(decoding: try StreamingJSONEncoder().encode(released), as: UTF8.self)), .text(correlationID)])
            try await insertChained(batch)
            return released
        }
    }

    public func legalHolds(afterCorrelationID: String?, limit: Int) async throws -> [LegalHold] {
        try await documents(
            "SELECT document FROM audit_legal_holds WHERE in_force AND correlation_id > ? ORDER BY correlation_id LIMIT ?",
            [.text(afterCorrelationID ?? ""), .integer(limit)]
        ).map { try JSONReader.decode(LegalHold.self, from: $0) }
    }

    /// One multi-row INSERT per chunk of rows (SQLite allows 32766 bound values).
    private func insertRows(_ rows: [[SQLiteData]], into table: String, columns: [String], onConflict: String) async throws {
        let row = "(" + Self.placeholders(columns.count) + ")"
        for chunk in stride(from: 0, to: rows.count, by: 1000).map({ rows[$0..<min($0 + 1000, rows.count)] }) {
            let values = Array(repeating: row, count: chunk.count).joined(separator: ", ")
            _ = try await connection.query(
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(values) ON CONFLICT \(onConflict)", chunk.flatMap { $0 })
        }
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    private static func chunks(_ values: [SQLiteData]) -> [[SQLiteData]] {
        stride(from: 0, to: values.count, by: 1000).map { Array(values[$0..<min($0 + 1000, values.count)]) }
    }

    /// Runs `body` in a transaction of its own, waiting for one in progress to end first.
    private func withTransaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
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
            let result = try await body()
            _ = try await connection.query("COMMIT", [])
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            throw error
        }
    }

    /// The columns an insert writes, in the order of each row's values.
    private static let insertedColumns = ["event_id", "event_timestamp_us"] + AuditColumn.equalityFilters.map(\.column.name) + ["event_data", "chain_index", "document"]

    public func query(_ query: AuditQuery) async throws -> (events: [StoredAuditEvent], total: Int) {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        func filter(_ column: String, _ value: String?) {
            guard let value else { return }
            conditions.append("\(column) = ?")
            binds.append(.text(value))
        }
        for (column, value) in AuditColumn.equalityFilters { filter(column.name, value(query)) }
        Self.timeWindow(since: query.since, until: query.until, conditions: &conditions, binds: &binds)
        if let detail = query.detail {
            // The key is bound as a parameter, never spliced into the SQL.
            conditions.append("json_extract(event_data, '$.' || ?) = ?")
            binds += [.text(detail.key), .text(detail.value)]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try await connection.query("SELECT COUNT(*) AS total FROM audit_events \(filter)", binds)
            .first?.column("total")?.integer ?? 0
        let rows = try await connection.query(
            "SELECT \(Self.document) FROM audit_events \(filter) ORDER BY event_timestamp_us DESC, event_id DESC LIMIT ? OFFSET ?",
            binds + [.integer(query.limit), .integer(query.offset)])
        let events = try rows.map { row in
            try JSONReader.decode(StoredAuditEvent.self, from: row.column("document")?.string ?? "")
        }
        return (events, Int(total))
    }

    /// The conditions of a time window on event_timestamp, both bounds included.
    private static func timeWindow(since: Date?, until: Date?, conditions: inout [String], binds: inout [SQLiteData]) {
        if let since {
            conditions.append("event_timestamp_us >= ?")
            binds.append(.integer(Int(StoredTime.microseconds(since))))
        }
        if let until {
            conditions.append("event_timestamp_us <= ?")
            binds.append(.integer(Int(StoredTime.microseconds(until))))
        }
    }

    public func ping() async throws {
        _ = try await connection.query("SELECT 1", [])
    }

    // MARK: Chains and checkpoints

    public func chain(correlationID: String, afterIndex: Int64, limit: Int) async throws -> [StoredAuditEvent] {
        try await documents(
            "SELECT \(Self.document) FROM audit_events WHERE correlation_id = ? AND chain_index > ? ORDER BY chain_index LIMIT ?",
            [.text(correlationID), .integer(Int(afterIndex)), .integer(limit)]
        ).map { try JSONReader.decode(StoredAuditEvent.self, from: $0) }
    }

    public func event(id: UUID) async throws -> StoredAuditEvent? {
        try await documents("SELECT \(Self.document) FROM audit_events WHERE event_id = ?", [.text(id.uuidString.lowercased())])
            .first.map { try JSONReader.decode(StoredAuditEvent.self, from: $0) }
    }

    public func exportPage(_ selection: AuditExportSelection, after cursor: AuditExportCursor?, limit: Int) async throws -> [StoredAuditEvent] {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        Self.timeWindow(since: selection.since, until: selection.until, conditions: &conditions, binds: &binds)
        if let correlationIDs = selection.correlationIDs {
            conditions.append("correlation_id IN (\(Self.placeholders(correlationIDs.count)))")
            binds += correlationIDs.map { .text($0) }
        }
        if let cursor {
            // SQLite compares text by its bytes, as export order wants.
            conditions.append("(correlation_id, coalesce(chain_index, 0), event_id) > (?, ?, ?)")
            binds += [.text(cursor.correlationID), .integer(Int(cursor.chainIndex)), .text(cursor.eventID.uuidString.lowercased())]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try await documents(
            "SELECT \(Self.document) FROM audit_events \(filter) ORDER BY correlation_id, coalesce(chain_index, 0), event_id LIMIT ?", binds + [.integer(limit)]
        ).map { try JSONReader.decode(StoredAuditEvent.self, from: $0) }
    }

    public func recordCheckpoint(_ sign: @escaping CheckpointSigning) async throws -> Checkpoint? {
        try await withTransaction { try await recordCheckpointInTransaction(sign) }
    }

    /// Reads the newest checkpoint and every chain's head, signs them with `sign` and stores
    /// the checkpoint with the heads it signed; the caller holds a transaction.
    private func recordCheckpointInTransaction(_ sign: CheckpointSigning) async throws -> Checkpoint? {
        let previous = try await documents("SELECT document FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1", [])
            .first.map { try JSONReader.decode(Checkpoint.self, from: $0) }
        let heads = try await connection.query("SELECT \(Self.headColumns) FROM audit_chain_heads ORDER BY correlation_id", []).map(Self.chainHead)
        guard let checkpoint = try sign(previous, heads) else { return nil }
        _ = try await connection.query(
            "INSERT INTO audit_checkpoints (sequence, document) VALUES (?, ?)",
            [.integer(Int(checkpoint.sequence)), .text(String(decoding: try StreamingJSONEncoder().encode(checkpoint), as: UTF8.self))])
        _ = try await connection.query(
            "INSERT INTO audit_checkpoint_chains (\(Self.headColumns), checkpoint_sequence) SELECT \(Self.headColumns), ? FROM audit_chain_heads WHERE true ON CONFLICT DO NOTHING",
            [.integer(Int(checkpoint.sequence))])
        return checkpoint
    }

    public func checkpoints(afterSequence: Int64, limit: Int) async throws -> [Checkpoint] {
        try await documents("SELECT document FROM audit_checkpoints WHERE sequence > ? ORDER BY sequence LIMIT ?", [.integer(Int(afterSequence)), .integer(limit)])
            .map { try JSONReader.decode(Checkpoint.self, from: $0) }
    }

    public func latestCheckpoint() async throws -> Checkpoint? {
        try await documents("SELECT document FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1", []).first.map { try JSONReader.decode(Checkpoint.self, from: $0) }
    }

    public func checkpointChains(sequence: Int64, afterCorrelationID: String?, limit: Int) async throws -> [ChainHead]? {
        guard try await !documents("SELECT document FROM audit_checkpoints WHERE sequence = ?", [.integer(Int(sequence))]).isEmpty else { return nil }
        // Per chain, its latest row: the longest, then the most purged (both only grow).
        return try await connection.query(
            """
            SELECT \(Self.headColumns) FROM (
              SELECT *, row_number() OVER (PARTITION BY correlation_id ORDER BY chain_length DESC, purged_length DESC) AS latest
              FROM audit_checkpoint_chains WHERE checkpoint_sequence <= ? AND correlation_id > ?)
            WHERE latest = 1 ORDER BY correlation_id LIMIT ?
            """, [.integer(Int(sequence)), .text(afterCorrelationID ?? ""), .integer(limit)]
        ).map(Self.chainHead)
    }

    /// The stored event, with `legal_hold` as it is now.
    private static let document = """
        json_set(document, '$.legal_hold', json(CASE WHEN EXISTS (SELECT 1 FROM audit_legal_holds h \
        WHERE h.correlation_id = audit_events.correlation_id AND h.in_force) THEN 'true' ELSE 'false' END)) AS document
        """

    /// A chain head's columns, in audit_chain_heads and audit_checkpoint_chains alike.
    private static let headColumns = "correlation_id, chain_length, head, purged_length, purged_head"

    private static func chainHead(_ row: SQLiteRow) -> ChainHead {
        let purgedLength = Int64(row.column("purged_length")?.integer ?? 0)
        return ChainHead(
            correlationID: row.column("correlation_id")?.string ?? "", chainLength: Int64(row.column("chain_length")?.integer ?? 0),
            head: row.column("head")?.string ?? "", purgedLength: purgedLength > 0 ? purgedLength : nil, purgedHead: row.column("purged_head")?.string)
    }

    private func documents(_ sql: String, _ binds: [SQLiteData]) async throws -> [String] {
        try await connection.query(sql, binds).map { $0.column("document")?.string ?? "" }
    }

    // MARK: Retention

    public func purgeExpired(_ policy: RetentionPolicy, now: Date, limit: Int, checkpoint sign: CheckpointSigning?) async throws -> RetentionPass {
        try await withTransaction {
            var pass = RetentionPass()
            pass.eventsPurged = try await purgeChainPrefixes(policy, now: now, limit: limit)
            pass.eventsPurged += try await purgeUnchained(policy, now: now, limit: limit - pass.eventsPurged)
            if pass.eventsPurged > 0, let sign {
                pass.checkpoint = try await recordCheckpointInTransaction(sign)
            }
            return pass
        }
    }

    public func oldestEventTimestamp() async throws -> Date? {
        try await connection.query("SELECT min(event_timestamp_us) AS oldest FROM audit_events", []).first?.column("oldest")?.integer
            .map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
    }

    /// SQL true when event `e` has expired at `now` under `policy`, and its values.
    private static func expired(_ policy: RetentionPolicy, now: Date) -> (sql: String, binds: [SQLiteData]) {
        let floors = policy.sortedFloors
        let floor = floors.isEmpty ? "0" : "CASE e.event_category " + String(repeating: "WHEN ? THEN ? ", count: floors.count) + "ELSE 0 END"
        return (
            "e.event_timestamp_us < ? - MAX(COALESCE(json_extract(e.document, '$.retention_days'), 2555), \(floor)) * 86400000000",
            [.integer(Int(StoredTime.microseconds(now)))] + floors.flatMap { [SQLiteData.text($0.category), .integer($0.days)] }
        )
    }

    /// SQL true when a legal hold is in force on event `e`'s correlation_id.
    private static let held = "EXISTS (SELECT 1 FROM audit_legal_holds h WHERE h.correlation_id = e.correlation_id AND h.in_force)"

    /// Deletes, in chains whose first kept event has expired, the expired events up to the
    /// first that has not (at most `limit` in all), and moves those chains' purged ends.
    private func purgeChainPrefixes(_ policy: RetentionPolicy, now: Date, limit: Int) async throws -> Int {
        let expired = Self.expired(policy, now: now)
        let chains = try await connection.query(
            """
            SELECT h.correlation_id, h.chain_length, h.purged_length FROM audit_chain_heads h
            JOIN audit_events e ON e.correlation_id = h.correlation_id AND e.chain_index = h.purged_length + 1
            WHERE \(expired.sql) AND NOT \(Self.held) LIMIT ?
            """, expired.binds + [.integer(limit)]
        ).map { row in
            (id: row.column("correlation_id")?.string ?? "", length: Int64(row.column("chain_length")?.integer ?? 0),
             purged: Int64(row.column("purged_length")?.integer ?? 0))
        }
        let ends = try await ChainPurge.ends(of: chains, limit: limit) { chunk, budget in
            var firstKept: [String: Int64] = [:]
            for chain in chunk {
                let first = try await connection.query(
                    "SELECT min(e.chain_index) AS first FROM audit_events e WHERE e.correlation_id = ? AND e.chain_index > ? AND e.chain_index <= ? AND NOT (\(expired.sql))",
                    [.text(chain.id), .integer(Int(chain.purged)), .integer(Int(chain.purged + budget))] + expired.binds)
                if let index = first.first?.column("first")?.integer { firstKept[chain.id] = Int64(index) }
            }
            return firstKept
        }
        var deleted: [String: Int] = [:]
        for end in ends {
            let range: [SQLiteData] = [.text(end.correlationID), .integer(Int(end.first)), .integer(Int(end.last))]
            let last = try await connection.query(
                "SELECT json_extract(document, '$.event_hash') AS hash FROM audit_events WHERE correlation_id = ? AND chain_index = ?",
                [.text(end.correlationID), .integer(Int(end.last))]
            ).first?.column("hash")?.string
            deleted[end.correlationID] = try await connection.query(
                "SELECT count(*) AS events FROM audit_events WHERE correlation_id = ? AND chain_index BETWEEN ? AND ?", range
            ).first?.column("events")?.integer ?? 0
            guard let last else { continue }  // the check below names the chain
            _ = try await connection.query("DELETE FROM audit_events WHERE correlation_id = ? AND chain_index BETWEEN ? AND ?", range)
            _ = try await connection.query(
                "UPDATE audit_chain_heads SET purged_length = ?, purged_head = ? WHERE correlation_id = ?",
                [.integer(Int(end.last)), .text(last), .text(end.correlationID)])
        }
        try ChainPurge.check(ends, deleted: deleted)
        return deleted.values.reduce(0, +)
    }

    /// Deletes up to `limit` expired events stored before chains existed.
    private func purgeUnchained(_ policy: RetentionPolicy, now: Date, limit: Int) async throws -> Int {
        guard limit > 0 else { return 0 }
        let expired = Self.expired(policy, now: now)
        let condition = "(e.chain_index IS NULL OR e.chain_index = 0) AND \(expired.sql) AND NOT \(Self.held)"
        let ids = try await connection.query("SELECT e.event_id FROM audit_events e WHERE \(condition) LIMIT ?", expired.binds + [.integer(limit)])
            .compactMap { $0.column("event_id") }
        for chunk in Self.chunks(ids) {
            _ = try await connection.query("DELETE FROM audit_events WHERE event_id IN (\(Self.placeholders(chunk.count)))", chunk)
        }
        return ids.count
    }

    /// Closes the database file.
    public func close() async throws {
        try await connection.close()
    }
}
