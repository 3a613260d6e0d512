import Crypto
import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

/// The hash chain of a correlation_id, as `openapi/datastorage.yaml` defines it on
/// `StoredAuditEvent.event_hash`: each event's hash covers its content and the hash of the
/// event before it, so changing, removing or reordering a stored event breaks every later link.
public enum AuditChainHash {
    /// The members outside the sealed content: the chain's own, and `legal_hold`, which
    /// changes after writing.
    public static let unsealedMembers: Set<String> = ["chain_index", "previous_event_hash", "event_hash", "legal_hold"]

    /// SHA-256 of the event's canonical JSON (RFC 8785) without ``unsealedMembers``.
    public static func contentDigest(of event: StoredAuditEvent) throws -> [UInt8] {
        guard case .object(var members) = try JSONReader.decode(JSONValue.self, from: StreamingJSONEncoder().encode(event)) else {
            preconditionFailure("a StoredAuditEvent encodes as a JSON object")
        }
        for member in unsealedMembers { members[member] = nil }
        return Array(SHA256.hash(data: CanonicalJSON.bytes(.object(members))))
    }

    /// The hash of an event whose content digest is `content`, after the event whose hash is
    /// `previous` (nil for the first of a chain: 32 zero bytes).
    public static func link(previous: [UInt8]?, content: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous ?? Self.noPrevious)
        hasher.update(data: content)
        return Array(hasher.finalize())
    }

    private static let noPrevious = [UInt8](repeating: 0, count: 32)
}
