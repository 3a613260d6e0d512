import AuditIntegrity
import DataStorageClient
import Foundation
import Logging
import OpenAPICodegenRuntime
import PostgresNIO
import ServiceLifecycle

/// Production storage: kubernaut's unified audit table (ADR-034), range-partitioned by
/// month on `event_date`, with a DEFAULT partition so no write fails for want of one.
///
/// It is a `Service`: ``run()`` keeps the connection pool and the daily partition
/// maintenance going.
public final class PostgresAuditRepository: AuditRepository, Service {
    private let client: PostgresClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let clock: ServerClock
    private let operationTimeout: Duration

    /// - Parameters:
    ///   - url: `postgres://user[:password]@host[:port]/database`.
    ///   - operationTimeout: How long a query or ping may take, connection included, and how
    ///     long an insert may wait for its connection (once it has one, its transaction runs to
    ///     its end). PostgresClient waits for a connection as long as it takes, which is forever
    ///     while the database is down; past this the operation fails, so that the server
    ///     answers (202 through the dead-letter queue, 503 from `/readyz`) instead of hanging.
    ///   - clock: Times the operation timeout and the daily partition maintenance.
    public init(
        url: String, logger: Logger, operationTimeout: Duration = .seconds(5), clock: some Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
            let host = components.host, let user = components.user
        else { throw PostgresRepositoryError.invalidURL(url) }
        self.operationTimeout = operationTimeout
        self.clock = ServerClock(clock)
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : nil
        let configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database?.isEmpty == false ? database : nil, tls: .disable)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.now = now
    }

    /// Runs the connection pool, and creates next months' partitions once a day, until a
    /// graceful shutdown or cancellation. Run it before the services that use it, so that
    /// their graceful shutdown completes before the pool closes.
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.runPoolAndMaintenance() }
    }

    private func runPoolAndMaintenance() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                while !Task.isCancelled {
                    do { try await self.clock.sleep(.seconds(24 * 3600)) } catch { return }
                    do { try await self.createPartitions() } catch { self.logger.error("audit partition maintenance failed", metadata: ["error": "\(error)"]) }
                }
            }
        }
    }

    /// Creates the schema and partitions; safe to run at every start, by several replicas at once.
    public func migrate() async throws {
        try await withSchemaLock { connection in
            for statement in Self.schema {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
            }
            try await self.createPartitions(on: connection)
        }
    }

    /// Runs `body` on one connection holding the schema's advisory lock. Replicas that start,
    /// or keep partitions, at the same moment take turns: `CREATE … IF NOT EXISTS` is not safe
    /// against a concurrent create of the same table, and one of them would fail with
    /// `relation "audit_events_…" already exists`.
    private func withSchemaLock(_ body: @Sendable @escaping (PostgresConnection) async throws -> Void) async throws {
        try await withSessionLock(7_340_341, body)
    }

    /// Runs `body` on one connection holding the session advisory lock `key`.
    private func withSessionLock<T: Sendable>(_ key: Int64, _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(key))", logger: self.logger)
            do {
                let result = try await body(connection)
                try await connection.query("SELECT pg_advisory_unlock(\(key))", logger: self.logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: self.logger)
                throw error
            }
        }
    }

    static let schema = [
        "CREATE TABLE IF NOT EXISTS audit_events (\n"
            + AuditColumn.all.map { "    \($0.name) \($0.type)" + ($0.constraints.isEmpty ? "" : " \($0.constraints)") + ",\n" }.joined()
            + "    PRIMARY KEY (event_id, event_date)\n) PARTITION BY RANGE (event_date)",
        "CREATE TABLE IF NOT EXISTS audit_events_default PARTITION OF audit_events DEFAULT",
        "CREATE INDEX IF NOT EXISTS audit_events_timestamp_idx ON audit_events (event_timestamp DESC, event_id DESC)",
        "CREATE INDEX IF NOT EXISTS audit_events_correlation_idx ON audit_events (correlation_id, event_timestamp DESC)",
        "CREATE INDEX IF NOT EXISTS audit_events_type_idx ON audit_events (event_type, event_timestamp)",
        "CREATE INDEX IF NOT EXISTS audit_events_resource_idx ON audit_events (resource_type, resource_id, event_timestamp)",
        "CREATE INDEX IF NOT EXISTS audit_events_actor_idx ON audit_events (actor_type, actor_id, event_timestamp)",
        "CREATE INDEX IF NOT EXISTS audit_events_outcome_idx ON audit_events (event_outcome, event_timestamp)",
        "CREATE INDEX IF NOT EXISTS audit_events_data_idx ON audit_events USING GIN (event_data)",
        "CREATE INDEX IF NOT EXISTS audit_events_chain_idx ON audit_events (correlation_id, chain_index)",
        // Where each chain ends; a batch's writers lock its correlation IDs, then move their ends.
        // Byte order ("C"), the order checkpoints sort chains in.
        // purged_length and purged_head: the prefix retention deleted (0 and NULL: none).
        "CREATE TABLE IF NOT EXISTS audit_chain_heads (correlation_id VARCHAR(255) COLLATE \"C\" PRIMARY KEY, chain_length BIGINT NOT NULL, head VARCHAR(64) NOT NULL, purged_length BIGINT NOT NULL DEFAULT 0, purged_head VARCHAR(64))",
        "ALTER TABLE audit_chain_heads ADD COLUMN IF NOT EXISTS purged_length BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE audit_chain_heads ADD COLUMN IF NOT EXISTS purged_head VARCHAR(64)",
        "CREATE TABLE IF NOT EXISTS audit_checkpoints (sequence BIGINT PRIMARY KEY, document TEXT NOT NULL)",
        // Legal holds, in force and released; at most one in force per correlation_id.
        "CREATE TABLE IF NOT EXISTS audit_legal_holds (id BIGSERIAL PRIMARY KEY, correlation_id VARCHAR(255) COLLATE \"C\" NOT NULL, in_force BOOLEAN NOT NULL, document TEXT NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS audit_legal_holds_in_force_idx ON audit_legal_holds (correlation_id) WHERE in_force",
        // A chain's head as a checkpoint first signed it; checkpoint N covers, per chain, the
        // latest row of sequence <= N (the longest, then the most purged: both only grow).
        "CREATE TABLE IF NOT EXISTS audit_checkpoint_chains (correlation_id VARCHAR(255) COLLATE \"C\", chain_length BIGINT, head VARCHAR(64) NOT NULL, checkpoint_sequence BIGINT NOT NULL, purged_length BIGINT NOT NULL DEFAULT 0, purged_head VARCHAR(64), PRIMARY KEY (correlation_id, chain_length, purged_length))",
        "ALTER TABLE audit_checkpoint_chains ADD COLUMN IF NOT EXISTS purged_length BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE audit_checkpoint_chains ADD COLUMN IF NOT EXISTS purged_head VARCHAR(64)",
        // A table made before retention has the key (correlation_id, chain_length), which a purge's new row would collide with.
        """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                         WHERE i.indrelid = 'audit_checkpoint_chains'::regclass AND i.indisprimary AND a.attname = 'purged_length') THEN
            ALTER TABLE audit_checkpoint_chains DROP CONSTRAINT audit_checkpoint_chains_pkey, ADD PRIMARY KEY (correlation_id, chain_length, purged_length);
          END IF;
        END $$
        """,
    ] + AuditColumn.all.filter(\.isNullable).map {
        // Columns added since the table was first created; nullable, so old rows need no value.
        "ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS \($0.name) \($0.type)"
    }

    /// Monthly partitions from last month to three months ahead (events may be up to 7 days
    /// old, so last month must exist).
    public func createPartitions() async throws {
        try await withSchemaLock { connection in try await self.createPartitions(on: connection) }
    }

    private func createPartitions(on connection: PostgresConnection) async throws {
        for (name, from, to) in Self.monthlyPartitions(around: now()) {
            try await connection.query(PostgresQuery(unsafeSQL:
                "CREATE TABLE IF NOT EXISTS \(name) PARTITION OF audit_events FOR VALUES FROM ('\(from)') TO ('\(to)')"), logger: logger)
        }
    }

    /// `(audit_events_YYYY_MM, first day, first day of the next month)` for last month through three ahead.
    static func monthlyPartitions(around date: Date) -> [(name: String, from: String, to: String)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let year = calendar.component(.year, from: date)
        let month = calendar.component(.month, from: date)
        return (-1...3).map { offset in
            let index = year * 12 + (month - 1) + offset
            let next = index + 1
            func day(_ index: Int) -> String {
                String(format: "%04d-%02d-01", index / 12, index % 12 + 1)
            }
            return (String(format: "audit_events_%04d_%02d", index / 12, index % 12 + 1), day(index), day(next))
        }
    }

    /// `body` on a leased connection, in a task of its own. Only the wait for the lease is
    /// bounded by `operationTimeout` (it lasts forever while the database is down); once
    /// leased, the transaction runs to its end: waiting for another batch's chain locks is not
    /// an outage, and a transaction cut off by cancellation could not roll back cleanly.
    private func withLeasedConnection<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let (leased, lease) = AsyncStream.makeStream(of: Void.self)
        let work = Task {
            defer { lease.finish() }
            return try await self.client.withConnection { connection in
                lease.yield()
                lease.finish()
                return try await body(connection)
            }
        }
        let gotLease = try await clock.withTimeout(operationTimeout) {
            for await _ in leased { return true }
            return false  // it failed before leasing: its own error says why
        }
        guard gotLease != nil else {
            work.cancel()
            throw PostgresRepositoryError.timedOut(operation: operation, after: operationTimeout)
        }
        return try await work.value
    }

    /// `body`, or ``PostgresRepositoryError/timedOut(operation:after:)`` once `operationTimeout` passes.
    private func withinTimeout<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let result = try await clock.withTimeout(operationTimeout, body) else {
            throw PostgresRepositoryError.timedOut(operation: operation, after: operationTimeout)
        }
        return result
    }

    public func insert(_ events: [StoredAuditEvent]) async throws {
        guard !events.isEmpty else { return }
        do {
            try await writeRows(events)
        } catch let refusal as PSQLError {
            // SQLSTATE classes 22 (data exception) and 23 (integrity violation): the rows
            // themselves are wrong. Anything else is the database being unavailable.
            guard let state = refusal.serverInfo?[.sqlState], state.hasPrefix("22") || state.hasPrefix("23") else { throw refusal }
            throw AuditRepositoryRejection(reason: "\(refusal.serverInfo?[.message] ?? "refused") (SQLSTATE \(state))")
        }
    }

    /// In one transaction: the batch's chains are locked (an advisory lock per correlation_id,
    /// taken in sorted order, so writers of other chains never wait), their ends read, the
    /// events linked and written, the ends moved. Rows go through COPY, PostgreSQL's fastest
    /// way in (an INSERT of the same rows kept ingest at 73 % of COPY's rate). COPY has no
    /// ON CONFLICT, so a batch holding an event ID that is already stored (a client retrying
    /// after a lost response) fails as a whole and goes again without the stored ones.
    private func writeRows(_ events: [StoredAuditEvent]) async throws {
        let batch = try ChainingBatch(events)
        do {
            try await writeChained(batch, .copy) { _ in }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {  // unique_violation
            try await writeChained(batch, .skippingStored) { _ in }
        }
    }

    /// How ``writeChained(_:_:after:)`` writes a batch's rows.
    private enum RowWrite: Sendable {
        /// COPY, with the rows' sealed columns built before the chain locks are taken, so
        /// that the locks are held only while linking and writing. In a debug build, building
        /// the rows under the locks held them 0.9 s per batch of 1,000, and concurrent batches
        /// of the same chains queued behind each other past the client's flush timeout.
        case copy
        /// An INSERT of the events whose IDs are not stored yet: a retried batch.
        case skippingStored
    }

    /// Runs `first` and writes the batch into its chains, in one transaction: what `first`
    /// throws rolls both back.
    private func writeChained<T: Sendable>(
        _ batch: ChainingBatch, _ rows: RowWrite, after first: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let sealedRows = rows == .copy ? CopyText(batch.events) : nil
        return try await withLeasedConnection("insert") { connection in
            try await self.inTransaction(on: connection) {
                let result = try await first(connection)
                var batch = batch
                let correlationIDs = batch.correlationIDs
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(key) FROM (SELECT DISTINCT hashtextextended(id, 0) AS key FROM unnest(\(correlationIDs)::text[]) AS id ORDER BY 1) AS keys",
                    logger: self.logger)
                if case .skippingStored = rows {
                    var stored = Set<UUID>()
                    let ids = batch.events.map(\.eventID)
                    for try await id in try await connection.query("SELECT event_id FROM audit_events WHERE event_id = ANY(\(ids))", logger: self.logger).decode(UUID.self) {
                        stored.insert(id)
                    }
                    batch.removeEvents(storedAs: stored)
                }
                var ends: [String: ChainEnd] = [:]
                for try await (id, length, head) in try await connection.query(
                    "SELECT correlation_id, chain_length, head FROM audit_chain_heads WHERE correlation_id = ANY(\(correlationIDs))", logger: self.logger
                ).decode((String, Int64, String).self) {
                    ends[id] = ChainEnd(length: length, head: Hex.decode(head) ?? [])
                }
                let moved = batch.link(after: ends).filter { ends[$0.key] != $0.value }
                if let sealedRows {
                    let text = sealedRows.linked(batch.events)
                    try await connection.copyFrom(table: "audit_events", columns: Self.columns, logger: self.logger) { writer in
                        try await writer.write(text)
                    }
                } else {
                    try await self.insertRows(batch.events, on: connection)
                }
                let chains = Array(moved.keys)
                let lengths = chains.map { moved[$0]!.length }
                let heads = chains.map { Hex.encode(moved[$0]!.head) }
                try await connection.query(
                    """
                    INSERT INTO audit_chain_heads (correlation_id, chain_length, head) SELECT * FROM unnest(\(chains)::text[], \(lengths)::bigint[], \(heads)::text[])
                    ON CONFLICT (correlation_id) DO UPDATE SET chain_length = EXCLUDED.chain_length, head = EXCLUDED.head
                    """, logger: self.logger)
                return result
            }
        }
    }

    /// The rows of `events` in COPY's text format, in one step (benchmarks send it as the
    /// anchor: a COPY of the same rows with no chain).
    public static func copyText(_ events: [StoredAuditEvent]) -> ByteBuffer {
        CopyText(events).linked(events)
    }

    /// One statement for the whole batch: each column goes as one array parameter, and
    /// `unnest` turns the arrays back into rows. A multi-row VALUES list of 25,000 parameters
    /// took Postgres about seven times as long to parse and plan as the rows took to write.
    private func insertRows(_ events: [StoredAuditEvent], on connection: PostgresConnection) async throws {
        guard !events.isEmpty else { return }
        var columns = Array(repeating: [String?](), count: AuditColumn.writeOrder.count)
        for event in events {
            for (index, value) in Self.textValues(event).enumerated() { columns[index].append(value) }
        }
        var bindings = PostgresBindings(capacity: columns.count)
        for column in columns { bindings.append(Self.arrayLiteral(column)) }
        let arrays = AuditColumn.writeOrder.enumerated().map { "$\($0.offset + 1)::\($0.element.arrayType)[]" }.joined(separator: ", ")
        let sql = "INSERT INTO audit_events (\(Self.columns.joined(separator: ", "))) SELECT * FROM unnest(\(arrays)) ON CONFLICT (event_id, event_date) DO NOTHING"
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }

    /// A PostgreSQL array literal of text values: each quoted and escaped, NULL bare. Built as
    /// bytes: appending a character at a time to a String took longer than the insert.
    static func arrayLiteral(_ values: [String?]) -> String {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(values.count * 48)
        for (index, value) in values.enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            guard let value else {
                literal.append(contentsOf: "NULL".utf8)
                continue
            }
            literal.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }

    /// The `audit_events` columns an insert writes, in order (benchmarks COPY the same ones).
    public static var columns: [String] { AuditColumn.writeOrder.map(\.name) }

    /// The event's value for each of ``columns``, as PostgreSQL text input (nil for NULL):
    /// what an insert binds, and what a `COPY … FROM STDIN` of the same rows would send.
    public static func textValues(_ event: StoredAuditEvent) -> [String?] {
        AuditColumn.writeOrder.map { $0.value(event) }
    }

    /// The API's JSON for a row, built by the database so each row decodes in one step.
    /// NULL columns are left out, but event_data is added after the stripping: it is the
    /// service's own JSON, and its nulls (`"payload": null`) are data.
    static let selectDocument: String = {
        let members = AuditColumn.all.filter { $0.name != AuditColumn.serviceJSON }.map { "'\($0.member)', \($0.readBack)" }
        let serviceJSON = AuditColumn.named(AuditColumn.serviceJSON)
        return "SELECT (jsonb_strip_nulls(jsonb_build_object(" + members.joined(separator: ", ")
            + ")) || jsonb_build_object('\(serviceJSON.member)', \(serviceJSON.readBack), 'legal_hold', EXISTS (SELECT 1 FROM audit_legal_holds h "
            + "WHERE h.correlation_id = audit_events.correlation_id AND h.in_force)))::text FROM audit_events"
    }()

    public func query(_ query: AuditQuery) async throws -> (events: [StoredAuditEvent], total: Int) {
        try await withinTimeout("query") { try await self.select(query) }
    }

    private func select(_ query: AuditQuery) async throws -> (events: [StoredAuditEvent], total: Int) {
        var conditions: [String] = []
        var bindings = PostgresBindings()
        func filter(_ column: String, _ value: String?) {
            guard let value else { return }
            bindings.append(value)
            conditions.append("\(column) = $\(bindings.count)")
        }
        for (column, value) in AuditColumn.equalityFilters { filter(column.name, value(query)) }
        conditions += Self.timeWindow(since: query.since, until: query.until) { text in
            bindings.append(text)
            return "$\(bindings.count)"
        }
        if let detail = query.detail {
            // The key is bound as a parameter, never spliced into the SQL.
            bindings.append(detail.key)
            bindings.append(detail.value)
            conditions.append("event_data->>$\(bindings.count - 1) = $\(bindings.count)")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        // The total and the page on two connections at once: counting a wide time window
        // (13,889 rows of a one-hour window on 10M rows) takes longer than the page itself.
        let countBindings = bindings
        async let total = count(where: filter, countBindings)
        var page = bindings
        page.append(query.limit)
        page.append(query.offset)
        let sql = Self.selectDocument + filter + " ORDER BY event_timestamp DESC, event_id DESC LIMIT $\(page.count - 1) OFFSET $\(page.count)"
        var events: [StoredAuditEvent] = []
        for try await document in try await client.query(PostgresQuery(unsafeSQL: sql, binds: page), logger: logger).decode(String.self) {
            events.append(try JSONReader.decode(StoredAuditEvent.self, from: document))
        }
        return (events, try await total)
    }

    /// The conditions of a time window on event_timestamp, both bounds included; `bind` binds
    /// a value and returns its placeholder. Times go as RFC 3339 text, rounded to the
    /// microsecond as inserts round them, so that an event compares equal to its own timestamp.
    private static func timeWindow(since: Date?, until: Date?, bind: (String) -> String) -> [String] {
        var conditions: [String] = []
        if let since { conditions.append("event_timestamp >= \(bind(RFC3339.format(since)))::timestamptz") }
        if let until { conditions.append("event_timestamp <= \(bind(RFC3339.format(until)))::timestamptz") }
        return conditions
    }

    private func count(where filter: String, _ bindings: PostgresBindings) async throws -> Int {
        var total = 0
        for try await count in try await client.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM audit_events" + filter, binds: bindings), logger: logger).decode(Int.self) {
            total = count
        }
        return total
    }

    public func ping() async throws {
        try await withinTimeout("ping") { _ = try await self.client.query("SELECT 1", logger: self.logger) }
    }

    // MARK: Chains and checkpoints

    public func chain(correlationID: String, afterIndex: Int64, limit: Int) async throws -> [StoredAuditEvent] {
        try await withinTimeout("chain") {
            try await self.documents(
                Self.selectDocument + " WHERE correlation_id = $1 AND chain_index > $2 ORDER BY chain_index LIMIT $3", [correlationID, afterIndex, limit]
            ).map { try JSONReader.decode(StoredAuditEvent.self, from: $0) }
        }
    }

    public func event(id: UUID) async throws -> StoredAuditEvent? {
        try await withinTimeout("event") {
            try await self.documents(Self.selectDocument + " WHERE event_id = $1", [id]).first.map { try JSONReader.decode(StoredAuditEvent.self, from: $0) }
        }
    }

    public func exportPage(_ selection: AuditExportSelection, after cursor: AuditExportCursor?, limit: Int) async throws -> [StoredAuditEvent] {
        var conditions: [String] = []
        var bound = BoundValues()
        conditions += Self.timeWindow(since: selection.since, until: selection.until) { bound.bind($0) }
        if let correlationIDs = selection.correlationIDs { conditions.append("correlation_id = ANY(\(bound.bind(correlationIDs))::text[])") }
        if let cursor {
            let correlationID = bound.bind(cursor.correlationID)
            conditions.append(
                "(correlation_id COLLATE \"C\" > \(correlationID) OR (correlation_id = \(correlationID) AND (coalesce(chain_index, 0), event_id) > (\(bound.bind(cursor.chainIndex)), \(bound.bind(cursor.eventID)))))")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = Self.selectDocument + filter + " ORDER BY correlation_id COLLATE \"C\", coalesce(chain_index, 0), event_id LIMIT \(bound.bind(limit))"
        let values = bound.values
        return try await withinTimeout("export") {
            try await self.documents(sql, values).map { try JSONReader.decode(StoredAuditEvent.self, from: $0) }
        }
    }

    public func recordCheckpoint(_ sign: @escaping CheckpointSigning) async throws -> Checkpoint? {
        // A session lock taken before the transaction: it then sees the checkpoint a replica
        // committed just before (a lock taken inside would come after the transaction's start).
        try await withSessionLock(Self.checkpointLock) { connection in
            try await self.inTransaction(on: connection) { try await self.recordCheckpoint(sign, on: connection) }
        }
    }

    /// Taken by whoever records checkpoints, and by retention, which records one with its deletions.
    private static let checkpointLock: Int64 = 7_340_342

    /// Runs `body` in a transaction on `connection`: committed when it returns, rolled back when it throws.
    private func inTransaction<T: Sendable>(on connection: PostgresConnection, _ body: () async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let result = try await body()
            try await connection.query("COMMIT", logger: logger)
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Reads the newest checkpoint and every chain's head, signs them with `sign` and stores
    /// the checkpoint with the heads it signed; the caller holds the checkpoint lock and a
    /// transaction.
    private func recordCheckpoint(_ sign: CheckpointSigning, on connection: PostgresConnection) async throws -> Checkpoint? {
        var previous: Checkpoint?
        for try await document in try await connection.query("SELECT document FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1", logger: logger).decode(String.self) {
            previous = try JSONReader.decode(Checkpoint.self, from: document)
        }
        var heads: [ChainHead] = []
        for try await row in try await connection.query(
            "SELECT correlation_id, chain_length, head, purged_length, purged_head FROM audit_chain_heads ORDER BY correlation_id", logger: logger
        ).decode((String, Int64, String, Int64, String?).self) {
            heads.append(Self.chainHead(row))
        }
        guard let checkpoint = try sign(previous, heads) else { return nil }
        let document = String(decoding: try StreamingJSONEncoder().encode(checkpoint), as: UTF8.self)
        try await connection.query("INSERT INTO audit_checkpoints (sequence, document) VALUES (\(checkpoint.sequence), \(document))", logger: logger)
        // The heads just signed, not the table again: a chain may have moved since. Only the
        // chains that moved since the last checkpoint get a row.
        let ids = heads.map(\.correlationID)
        let lengths = heads.map(\.chainLength)
        let hashes = heads.map(\.head)
        let purgedLengths = heads.map { $0.purgedLength ?? 0 }
        let purgedHeads = heads.map { $0.purgedHead ?? "" }
        try await connection.query(
            """
            INSERT INTO audit_checkpoint_chains (correlation_id, chain_length, head, purged_length, purged_head, checkpoint_sequence)
            SELECT id, length, head, purged, NULLIF(purged_head, ''), \(checkpoint.sequence)
            FROM unnest(\(ids)::text[], \(lengths)::bigint[], \(hashes)::text[], \(purgedLengths)::bigint[], \(purgedHeads)::text[]) AS h(id, length, head, purged, purged_head)
            ON CONFLICT DO NOTHING
            """, logger: logger)
        return checkpoint
    }

    /// A row of correlation_id, chain_length, head, purged_length, purged_head.
    private static func chainHead(_ row: (String, Int64, String, Int64, String?)) -> ChainHead {
        ChainHead(correlationID: row.0, chainLength: row.1, head: row.2, purgedLength: row.3 > 0 ? row.3 : nil, purgedHead: row.4)
    }

    public func checkpoints(afterSequence: Int64, limit: Int) async throws -> [Checkpoint] {
        try await withinTimeout("checkpoints") {
            try await self.documents("SELECT document FROM audit_checkpoints WHERE sequence > $1 ORDER BY sequence LIMIT $2", [afterSequence, limit])
                .map { try JSONReader.decode(Checkpoint.self, from: $0) }
        }
    }

    public func latestCheckpoint() async throws -> Checkpoint? {
        try await withinTimeout("checkpoints") {
            try await self.documents("SELECT document FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1", [])
                .first.map { try JSONReader.decode(Checkpoint.self, from: $0) }
        }
    }

    public func checkpointChains(sequence: Int64, afterCorrelationID: String?, limit: Int) async throws -> [ChainHead]? {
        try await withinTimeout("checkpoint chains") {
            guard try await !self.documents("SELECT document FROM audit_checkpoints WHERE sequence = $1", [sequence]).isEmpty else { return nil }
            var heads: [ChainHead] = []
            let after = afterCorrelationID ?? ""
            for try await row in try await self.client.query(
                """
                SELECT DISTINCT ON (correlation_id) correlation_id, chain_length, head, purged_length, purged_head FROM audit_checkpoint_chains
                WHERE checkpoint_sequence <= \(sequence) AND correlation_id > \(after)
                ORDER BY correlation_id, chain_length DESC, purged_length DESC LIMIT \(limit)
                """, logger: self.logger
            ).decode((String, Int64, String, Int64, String?).self) {
                heads.append(Self.chainHead(row))
            }
            return heads
        }
    }

    // MARK: Legal holds

    public func placeLegalHold(_ hold: LegalHold, auditedBy event: StoredAuditEvent) async throws {
        let document = String(decoding: try StreamingJSONEncoder().encode(hold), as: UTF8.self)
        let correlationID = hold.correlationID
        do {
            try await writeChained(try ChainingBatch([event]), .copy) { connection in
                try await connection.query(
                    "INSERT INTO audit_legal_holds (correlation_id, in_force, document) VALUES (\(correlationID), TRUE, \(document))", logger: self.logger)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {  // the unique index of holds in force
            throw LegalHoldInForce(correlationID: correlationID)
        }
    }

    public func releaseLegalHold(
        correlationID: String, release: @escaping @Sendable (LegalHold) -> LegalHold, auditedBy event: StoredAuditEvent
    ) async throws -> LegalHold? {
        do {
            return try await writeChained(try ChainingBatch([event]), .copy) { connection in
                var held: LegalHold?
                for try await document in try await connection.query(
                    "SELECT document FROM audit_legal_holds WHERE correlation_id = \(correlationID) AND in_force FOR UPDATE", logger: self.logger
                ).decode(String.self) {
                    held = try JSONReader.decode(LegalHold.self, from: document)
                }
                guard let held else { throw NoLegalHold() }
                let released = release(held)
                let document = String(decoding: try StreamingJSONEncoder().encode(released), as: UTF8.self)
                try await connection.query(
                    "UPDATE audit_legal_holds SET in_force = FALSE, document = \(document) WHERE correlation_id = \(correlationID) AND in_force", logger: self.logger)
                return released
            }
        } catch is NoLegalHold {
            return nil
        }
    }

    public func legalHolds(afterCorrelationID: String?, limit: Int) async throws -> [LegalHold] {
        try await withinTimeout("legal holds") {
            try await self.documents(
                "SELECT document FROM audit_legal_holds WHERE in_force AND correlation_id > $1 ORDER BY correlation_id LIMIT $2", [afterCorrelationID ?? "", limit]
            ).map { try JSONReader.decode(LegalHold.self, from: $0) }
        }
    }

    /// The first column of each row, as text.
    private func documents(_ sql: String, _ values: [any PostgresEncodable & Sendable]) async throws -> [String] {
        var documents: [String] = []
        for try await document in try await client.query(PostgresQuery(unsafeSQL: sql, binds: BoundValues.bindings(values)), logger: logger).decode(String.self) {
            documents.append(document)
        }
        return documents
    }

    // MARK: Retention

    public func purgeExpired(_ policy: RetentionPolicy, now: Date, limit: Int, checkpoint sign: CheckpointSigning?) async throws -> RetentionPass {
        try await withSessionLock(Self.checkpointLock) { connection in
            try await self.inTransaction(on: connection) {
                // Holds are placed and released in the transactions that store their audit
                // events; SHARE mode makes those wait until this pass commits, so that no
                // event is deleted under a hold placed while the pass looked.
                try await connection.query("LOCK TABLE audit_legal_holds IN SHARE MODE", logger: self.logger)
                var pass = RetentionPass()
                if let dropped = try await self.dropExpiredPartition(policy, now: now, on: connection) {
                    pass.partitionsDropped = [dropped.name]
                    pass.eventsPurged = dropped.events
                } else {
                    pass.eventsPurged = try await self.purgeChainPrefixes(policy, now: now, limit: limit, on: connection)
                    pass.eventsPurged += try await self.purgeUnchained(policy, now: now, limit: limit - pass.eventsPurged, on: connection)
                }
                if pass.eventsPurged > 0 || !pass.partitionsDropped.isEmpty, let sign {
                    pass.checkpoint = try await self.recordCheckpoint(sign, on: connection)
                }
                return pass
            }
        }
    }

    public func oldestEventTimestamp() async throws -> Date? {
        try await withinTimeout("oldest event") {
            var oldest: Date?
            for try await timestamp in try await self.client.query("SELECT min(event_timestamp) FROM audit_events", logger: self.logger).decode(Date?.self) {
                oldest = timestamp
            }
            return oldest
        }
    }

    /// SQL true when event `e` has expired at `now` under `policy`.
    private static func expired(_ policy: RetentionPolicy, now: Date, _ bound: inout BoundValues) -> String {
        let floors = policy.sortedFloors
        let floor = floors.isEmpty ? "0" : """
            COALESCE((SELECT f.days FROM unnest(\(bound.bind(floors.map(\.category)))::text[], \(bound.bind(floors.map(\.days)))::int[]) AS f(category, days) \
            WHERE f.category = e.event_category), 0)
            """
        return "e.event_timestamp < \(bound.bind(RFC3339.format(now)))::timestamptz - make_interval(days => GREATEST(e.retention_days, \(floor)))"
    }

    /// SQL true when a legal hold is in force on event `e`'s correlation_id.
    private static let held = "EXISTS (SELECT 1 FROM audit_legal_holds h WHERE h.correlation_id = e.correlation_id AND h.in_force)"

    /// Deletes, in chains whose first kept event has expired, the expired events up to the
    /// first that has not (at most `limit` in all), and moves those chains' purged ends.
    private func purgeChainPrefixes(_ policy: RetentionPolicy, now: Date, limit: Int, on connection: PostgresConnection) async throws -> Int {
        var bound = BoundValues()
        var chains: [(id: String, length: Int64, purged: Int64)] = []
        for try await chain in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT h.correlation_id, h.chain_length, h.purged_length FROM audit_chain_heads h
            JOIN audit_events e ON e.correlation_id = h.correlation_id AND e.chain_index = h.purged_length + 1
            WHERE \(Self.expired(policy, now: now, &bound)) AND NOT \(Self.held) LIMIT \(bound.bind(limit))
            """, binds: bound.bindings), logger: logger).decode((String, Int64, Int64).self) {
            chains.append(chain)
        }
        guard !chains.isEmpty else { return 0 }
        let ends = try await ChainPurge.ends(of: chains, limit: limit) { chunk, budget in
            var bound = BoundValues()
            let stillKept = "NOT (\(Self.expired(policy, now: now, &bound)))"
            var firstKept: [String: Int64] = [:]
            for try await (id, index) in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT k.id, (SELECT min(e.chain_index) FROM audit_events e
                              WHERE e.correlation_id = k.id AND e.chain_index > k.purged AND e.chain_index <= k.purged + \(bound.bind(budget)) AND \(stillKept))
                FROM unnest(\(bound.bind(chunk.map(\.id)))::text[], \(bound.bind(chunk.map(\.purged)))::bigint[]) AS k(id, purged)
                """, binds: bound.bindings), logger: self.logger).decode((String, Int64?).self) {
                if let index { firstKept[id] = index }
            }
            return firstKept
        }
        bound = BoundValues()
        let ranges = "unnest(\(bound.bind(ends.map(\.correlationID)))::text[], \(bound.bind(ends.map(\.first)))::bigint[], \(bound.bind(ends.map(\.last)))::bigint[]) AS k(id, first, last)"
        // The head takes the hash of the last event deleted; when that one is missing, the
        // check below finds the chain short and the pass rolls back.
        var deleted: [String: Int] = [:]
        for try await (id, count) in try await connection.query(PostgresQuery(unsafeSQL: """
            WITH deleted AS (
              DELETE FROM audit_events e USING \(ranges) WHERE e.correlation_id = k.id AND e.chain_index BETWEEN k.first AND k.last
              RETURNING e.correlation_id, e.chain_index, e.event_hash, k.last),
            moved AS (
              UPDATE audit_chain_heads h SET purged_length = d.chain_index, purged_head = d.event_hash FROM deleted d
              WHERE h.correlation_id = d.correlation_id AND d.chain_index = d.last)
            SELECT correlation_id, count(*)::bigint FROM deleted GROUP BY correlation_id
            """, binds: bound.bindings), logger: logger).decode((String, Int).self) {
            deleted[id] = count
        }
        try ChainPurge.check(ends, deleted: deleted)
        return deleted.values.reduce(0, +)
    }

    /// Deletes up to `limit` expired events stored before chains existed.
    private func purgeUnchained(_ policy: RetentionPolicy, now: Date, limit: Int, on connection: PostgresConnection) async throws -> Int {
        guard limit > 0 else { return 0 }
        var bound = BoundValues()
        var deleted = 0
        for try await count in try await connection.query(PostgresQuery(unsafeSQL: """
            WITH deleted AS (
              DELETE FROM audit_events WHERE (event_id, event_date) IN (
                SELECT e.event_id, e.event_date FROM audit_events e
                WHERE e.chain_index IS NULL AND \(Self.expired(policy, now: now, &bound)) AND NOT \(Self.held) LIMIT \(bound.bind(limit)))
              RETURNING 1)
            SELECT count(*)::bigint FROM deleted
            """, binds: bound.bindings), logger: logger).decode(Int.self) {
            deleted = count
        }
        return deleted
    }

    /// Drops the oldest monthly partition, outside the months kept ready for writes, all of
    /// whose events retention may delete: each expired, none held, and every earlier event of
    /// their chains expired too (those, in other partitions, are deleted with it). Nil when
    /// there is none.
    private func dropExpiredPartition(_ policy: RetentionPolicy, now: Date, on connection: PostgresConnection) async throws -> (name: String, events: Int)? {
        let ready = Set(Self.monthlyPartitions(around: now).map(\.name))
        var names: [String] = []
        for try await name in try await connection.query(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1",
            logger: logger
        ).decode(String.self) {
            names.append(name)
        }
        for name in names where !ready.contains(name) {
            guard let end = Self.partitionEnd(name), end <= now else { continue }
            if let events = try await dropIfExpired(name, policy, now: now, on: connection) { return (name, events) }
        }
        return nil
    }

    /// The first day after a monthly partition's range, from its name; nil for other tables.
    static func partitionEnd(_ name: String) -> Date? {
        let parts = name.split(separator: "_")
        guard parts.count == 4, name.hasPrefix("audit_events_"), parts[2].count == 4, parts[3].count == 2,
            let year = Int(parts[2]), let month = Int(parts[3]), (1...12).contains(month)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1))
    }

    /// Drops partition `name` (a checked partition name, spliced into the SQL) when every
    /// event in it may go, returning how many events went with it and the earlier events of
    /// their chains; nil, and nothing changed, when one may not.
    private func dropIfExpired(_ name: String, _ policy: RetentionPolicy, now: Date, on connection: PostgresConnection) async throws -> Int? {
        // No write reaches it while it is looked at (events this old come only from dead-letter replay).
        try await connection.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(name) IN SHARE MODE"), logger: logger)
        var bound = BoundValues()
        var counts: (events: Int, kept: Int) = (0, 0)
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT count(*)::bigint, (count(*) FILTER (WHERE NOT (\(Self.expired(policy, now: now, &bound))) OR \(Self.held)))::bigint FROM \(name) e
            """, binds: bound.bindings), logger: logger).decode((Int, Int).self) {
            counts = row
        }
        guard counts.kept == 0 else { return nil }
        // Each chain's last event in the partition, and its hash: the chain's new purged end.
        var ends: [(id: String, last: Int64, hash: String)] = []
        for try await end in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT DISTINCT ON (correlation_id) correlation_id, chain_index, event_hash FROM \(name)
            WHERE chain_index IS NOT NULL ORDER BY correlation_id, chain_index DESC
            """), logger: logger).decode((String, Int64, String).self) {
            ends.append(end)
        }
        /// Each chain's last index in the partition, as rows k(id, last).
        func lasts(_ bound: inout BoundValues) -> String {
            "unnest(\(bound.bind(ends.map(\.id)))::text[], \(bound.bind(ends.map(\.last)))::bigint[]) AS k(id, last)"
        }
        bound = BoundValues()
        let lastIndexes = lasts(&bound)
        var earlierKept = 0
        for try await count in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT count(*)::bigint FROM audit_events e JOIN \(lastIndexes) ON e.correlation_id = k.id AND e.chain_index <= k.last
            WHERE e.tableoid <> '\(name)'::regclass AND NOT (\(Self.expired(policy, now: now, &bound)))
            """, binds: bound.bindings), logger: logger).decode(Int.self) {
            earlierKept = count
        }
        guard earlierKept == 0 else { return nil }
        // Writers wait from here to the commit: detaching needs the table to itself.
        try await connection.query("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE", logger: logger)
        bound = BoundValues()
        let lastIndexesAgain = lasts(&bound)
        var earlierDeleted = 0
        for try await count in try await connection.query(PostgresQuery(unsafeSQL: """
            WITH deleted AS (
              DELETE FROM audit_events e USING \(lastIndexesAgain) WHERE e.correlation_id = k.id AND e.chain_index <= k.last AND e.tableoid <> '\(name)'::regclass
              RETURNING 1)
            SELECT count(*)::bigint FROM deleted
            """, binds: bound.bindings), logger: logger).decode(Int.self) {
            earlierDeleted = count
        }
        let ids = ends.map(\.id)
        let lastChainIndexes = ends.map(\.last)
        let hashes = ends.map(\.hash)
        try await connection.query(
            """
            UPDATE audit_chain_heads h SET purged_length = k.last, purged_head = k.hash
            FROM unnest(\(ids)::text[], \(lastChainIndexes)::bigint[], \(hashes)::text[]) AS k(id, last, hash) WHERE h.correlation_id = k.id
            """, logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "ALTER TABLE audit_events DETACH PARTITION \(name)"), logger: logger)
        try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"), logger: logger)
        logger.info("retention dropped an expired partition", metadata: ["partition": "\(name)", "events": "\(counts.events + earlierDeleted)"])
        return counts.events + earlierDeleted
    }
}

/// A statement's parameters as it is built: ``bind(_:)`` adds a value and gives its placeholder.
struct BoundValues {
    private(set) var values: [any PostgresEncodable & Sendable] = []

    mutating func bind(_ value: any PostgresEncodable & Sendable) -> String {
        values.append(value)
        return "$\(values.count)"
    }

    var bindings: PostgresBindings {
        get throws { try Self.bindings(values) }
    }

    static func bindings(_ values: [any PostgresEncodable & Sendable]) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { try bindings.append(value) }
        return bindings
    }
}

/// Why the PostgreSQL repository could not be set up or did not answer.
public enum PostgresRepositoryError: Error, CustomStringConvertible {
    case invalidURL(String)
    case timedOut(operation: String, after: Duration)

    public var description: String {
        switch self {
        case .invalidURL(let url): "'\(url)' is not a postgres://user[:password]@host[:port]/database URL"
        case .timedOut(let operation, let timeout): "PostgreSQL \(operation) did not complete within \(timeout)"
        }
    }
}
