import AuditIntegrity
import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

/// One column of kubernaut's `audit_events` table and the event member it holds: everything
/// the repositories need of it, in one row of ``AuditColumn/all``. The PostgreSQL schema,
/// the insert's columns and array types, the values bound, the JSON read back, the SQLite
/// filter columns and the NUL check are all derived from that table.
struct AuditColumn: Sendable {
    /// The column's name.
    let name: String
    /// The member of `StoredAuditEvent` it holds, as the contract spells it.
    let member: String
    /// The column's PostgreSQL type, as declared and as the array an insert binds (`text` for `VARCHAR(n)`).
    let type: String
    let arrayType: String
    /// `NOT NULL`, defaults and checks.
    let constraints: String
    /// The event's value as PostgreSQL text input; nil for NULL.
    let value: @Sendable (StoredAuditEvent) -> String?
    /// The SQL expression that reads the column back as the member's JSON value.
    let readBack: String

    var isNullable: Bool { !constraints.contains("NOT NULL") }

    private init(
        _ name: String, member: String? = nil, _ type: String, array arrayType: String = "text", _ constraints: String = "",
        readBack: String? = nil, value: @escaping @Sendable (StoredAuditEvent) -> String?
    ) {
        self.name = name
        self.member = member ?? name
        self.type = type
        self.arrayType = arrayType
        self.constraints = constraints
        self.value = value
        self.readBack = readBack ?? name
    }

    /// Every column, in the table's order. A member added to the contract without a row here
    /// fails the repository test that reads back every member of a stored event.
    static let all: [AuditColumn] = [
        AuditColumn("event_id", "UUID", array: "uuid", "NOT NULL") { $0.eventID.uuidString },
        AuditColumn("event_version", member: "version", "VARCHAR(10)", "NOT NULL") { $0.version },
        AuditColumn(
            "event_timestamp", "TIMESTAMPTZ", array: "timestamptz", "NOT NULL",
            readBack: #"to_char(event_timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#
        ) { RFC3339.format($0.eventTimestamp) },
        AuditColumn("event_date", "DATE", array: "date", "NOT NULL", readBack: "to_char(event_date, 'YYYY-MM-DD')") {
            StoredTime.utcDate($0.eventTimestamp)
        },
        AuditColumn("event_type", "VARCHAR(100)", "NOT NULL") { $0.eventType },
        AuditColumn("event_category", "VARCHAR(50)", "NOT NULL") { $0.eventCategory.rawValue },
        AuditColumn("event_action", "VARCHAR(50)", "NOT NULL") { $0.eventAction },
        AuditColumn("event_outcome", "VARCHAR(20)", "NOT NULL") { $0.eventOutcome.rawValue },
        AuditColumn("actor_type", "VARCHAR(50)") { $0.actorType },
        AuditColumn("actor_id", "VARCHAR(255)") { $0.actorID },
        AuditColumn("actor_ip", "INET", array: "inet", readBack: "host(actor_ip)") { $0.actorIP },
        AuditColumn("resource_type", "VARCHAR(100)") { $0.resourceType },
        AuditColumn("resource_id", "VARCHAR(255)") { $0.resourceID },
        AuditColumn("correlation_id", "VARCHAR(255)", "NOT NULL") { $0.correlationID },
        AuditColumn("parent_event_id", "UUID", array: "uuid") { $0.parentEventID?.uuidString },
        // kubernaut keeps the parent's partition key, a date; the contract carries it as a date-time at midnight.
        AuditColumn("parent_event_date", "DATE", array: "date", readBack: #"to_char(parent_event_date, 'YYYY-MM-DD"T"00:00:00Z')"#) {
            $0.parentEventDate.map(StoredTime.utcDate)
        },
        AuditColumn("namespace", "VARCHAR(253)") { $0.namespace },
        AuditColumn("cluster_id", "VARCHAR(255)") { $0.clusterID },
        AuditColumn("event_data", "JSONB", array: "jsonb", "NOT NULL") { event in
            (try? StreamingJSONEncoder().encode(event.eventData)).map { String(decoding: $0, as: UTF8.self) }
        },
        AuditColumn("severity", "VARCHAR(20)") { $0.severity },
        AuditColumn("duration_ms", "INTEGER", array: "integer") { $0.durationMs.map(String.init) },
        AuditColumn("error_code", "VARCHAR(50)") { $0.errorCode },
        AuditColumn("error_message", "TEXT") { $0.errorMessage },
        AuditColumn("retention_days", "INTEGER", array: "integer", "NOT NULL DEFAULT 2555 CHECK (retention_days BETWEEN 1 AND 2555)") {
            $0.retentionDays.map(String.init)
        },
        AuditColumn("is_sensitive", "BOOLEAN", array: "boolean", "NOT NULL DEFAULT FALSE") { $0.isSensitive.map { $0 ? "true" : "false" } },
        // The hash chain (kubernaut's column names for the hashes); NULL in rows written before it.
        AuditColumn("chain_index", "BIGINT", array: "bigint") { $0.chainIndex.map(String.init) },
        AuditColumn("previous_event_hash", "VARCHAR(64)") { $0.previousEventHash },
        AuditColumn("event_hash", "VARCHAR(64)") { $0.eventHash },
    ]

    /// The columns in the order inserts write them: the sealed content first, then the chain's
    /// own (``AuditChainHash/unsealedMembers``), so the costly text of a row can be built
    /// before the chain locks and the chain's columns appended under them.
    static let writeOrder = sealedColumns + chainColumns

    /// The columns of the event's hashed content.
    static let sealedColumns = all.filter { !AuditChainHash.unsealedMembers.contains($0.member) }

    /// The columns a chain link fills in: known only under the chain's lock.
    static let chainColumns = all.filter { AuditChainHash.unsealedMembers.contains($0.member) }

    /// The columns of text the event's strings go into as they are (no dates, numbers or JSON):
    /// the ones a NUL character can reach.
    static let textColumns = all.filter { $0.arrayType == "text" && $0.name != serviceJSON }

    /// `event_data` is the service's own JSON: its nulls are data, never stripped.
    static let serviceJSON = "event_data"

    /// The columns an equality filter of ``AuditQuery`` compares, with the value it asks for:
    /// both repositories filter through this one list.
    static let equalityFilters: [(column: AuditColumn, value: @Sendable (AuditQuery) -> String?)] = [
        (named("event_type"), { $0.eventType }),
        (named("event_category"), { $0.eventCategory }),
        (named("event_outcome"), { $0.eventOutcome }),
        (named("severity"), { $0.severity }),
        (named("correlation_id"), { $0.correlationID }),
    ]

    static func named(_ name: String) -> AuditColumn {
        guard let column = all.first(where: { $0.name == name }) else { preconditionFailure("audit_events has no column \(name)") }
        return column
    }
}

extension StoredAuditEvent {
    /// The members PostgreSQL text cannot hold because they contain NUL characters, by their
    /// contract names; event_data, which is JSON, is checked member by member elsewhere.
    var membersWithNULCharacters: [String] {
        AuditColumn.textColumns.filter { $0.value(self)?.utf8.contains(0) == true }.map(\.member)
    }
}
