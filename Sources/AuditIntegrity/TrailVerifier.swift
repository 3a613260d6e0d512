import Crypto
import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

/// Checks a DataStorage server's audit trail with nothing but its public key: every signed
/// checkpoint, the chain heads the newest one covers, and every event of those chains.
///
/// It trusts nothing the server says about itself. A changed, removed or reordered event, a
/// shortened chain, a checkpoint replaced or removed: each is a ``TrailFinding`` naming it.
public struct TrailVerifier: Sendable {
    /// The server's API.
    public let client: Client
    /// The key the server's checkpoints must be signed with.
    public let publicKey: Curve25519.Signing.PublicKey
    /// Page size for chains and events.
    public var pageSize = 500

    /// A verifier of the server `client` calls, trusting only `publicKey`.
    public init(client: Client, publicKey: Curve25519.Signing.PublicKey) {
        self.client = client
        self.publicKey = publicKey
    }

    /// Walks the whole trail. Findings are in the order met: checkpoints first, then each
    /// chain's first broken link.
    /// - Throws: ``TrailVerificationError`` when the server does not answer as its contract says.
    public func verify() async throws -> TrailReport {
        var report = TrailReport()
        let checkpoints = try await allCheckpoints()
        var previous: Checkpoint?
        for checkpoint in checkpoints {
            let expected = (previous?.sequence ?? 0) + 1
            if checkpoint.sequence != expected {
                report.findings.append(.checkpointMissing(sequence: expected))
            } else if checkpoint.previousRoot != previous?.root {
                report.findings.append(.checkpointLinkBroken(sequence: checkpoint.sequence))
            }
            if try !checkpoint.isSigned(by: publicKey) {
                report.findings.append(.checkpointSignatureInvalid(sequence: checkpoint.sequence))
            }
            previous = checkpoint
        }
        report.checkpointsVerified = checkpoints.count
        guard let latest = checkpoints.last else {
            report.findings.append(.noCheckpoint)
            return report
        }
        let heads = try await chainHeads(of: latest)
        let root = Hex.encode(MerkleTree.root(leafHashes: try heads.map { try $0.leafHash }))
        if root != latest.root || heads.count != latest.chainCount {
            report.findings.append(.checkpointRootMismatch(sequence: latest.sequence))
        }
        for head in heads {
            let (events, finding) = try await verifyChain(head)
            report.chainsVerified += 1
            report.eventsVerified += events
            if let finding { report.findings.append(finding) }
        }
        return report
    }

    /// Walks one chain from its first event; returns how many events it checked and the first
    /// broken link, if any.
    func verifyChain(_ head: ChainHead) async throws -> (events: Int, finding: TrailFinding?) {
        try await Self.verifyChain(head.correlationID, signedHead: head, pageSize: pageSize) { after in
            try await chainPage(head.correlationID, after: after)
        }
    }

    /// Walks a chain from its first event kept, page by page in chain order, recomputing every
    /// hash; returns how many events held and the first broken link, if any.
    /// - Parameters:
    ///   - correlationID: The chain's correlation_id, for the findings.
    ///   - signedHead: The head a checkpoint signed, which the chain must reach, and where
    ///     retention left the chain's start; nil to check only that the events link up from
    ///     the chain's first event.
    ///   - pageSize: How many events a page holds at most; a shorter one is the last.
    ///   - page: The chain's events after a chain_index, at most `pageSize` of them.
    public static func verifyChain(
        _ correlationID: String, signedHead: ChainHead?, pageSize: Int, page: (_ afterIndex: Int64) async throws -> [StoredAuditEvent]
    ) async throws -> (events: Int, finding: TrailFinding?) {
        var expectedIndex: Int64 = 1
        var previous: [UInt8]?
        if let signedHead, signedHead.purgedLength != nil || signedHead.purgedHead != nil {
            guard let purgedLength = signedHead.purgedLength, let purgedHead = signedHead.purgedHead.flatMap(Hex.decode), purgedHead.count == 32,
                purgedLength <= signedHead.chainLength, purgedLength < signedHead.chainLength || signedHead.purgedHead == signedHead.head
            else { return (0, .purgeMalformed(correlationID: correlationID)) }
            expectedIndex = purgedLength + 1
            previous = purgedHead
        }
        let firstIndex = expectedIndex
        while true {
            let events = try await page(expectedIndex - 1)
            for event in events {
                let verified = Int(expectedIndex - firstIndex)
                guard let index = event.chainIndex, let stored = event.eventHash else {
                    return (verified, .eventUnchained(correlationID: correlationID, eventID: event.eventID))
                }
                if index != expectedIndex {
                    return (verified, .eventMissing(correlationID: correlationID, chainIndex: expectedIndex))
                }
                if event.previousEventHash != previous.map(Hex.encode) {
                    return (verified, .linkBroken(correlationID: correlationID, chainIndex: index, eventID: event.eventID))
                }
                let hash = AuditChainHash.link(previous: previous, content: try AuditChainHash.contentDigest(of: event))
                if Hex.encode(hash) != stored {
                    return (verified, .eventAltered(correlationID: correlationID, chainIndex: index, eventID: event.eventID))
                }
                if let signedHead, index == signedHead.chainLength, Hex.encode(hash) != signedHead.head {
                    return (verified, .chainDiffersFromCheckpoint(correlationID: correlationID, chainLength: signedHead.chainLength))
                }
                previous = hash
                expectedIndex += 1
            }
            if events.count < pageSize { break }
        }
        let found = expectedIndex - 1
        let verified = Int(expectedIndex - firstIndex)
        if let signedHead, found < signedHead.chainLength {
            return (verified, .chainTruncated(correlationID: correlationID, checkpointed: signedHead.chainLength, found: found))
        }
        return (verified, nil)
    }

    private func allCheckpoints() async throws -> [Checkpoint] {
        var checkpoints: [Checkpoint] = []
        while true {
            let output = try await client.listAuditCheckpoints(afterSequence: checkpoints.last?.sequence ?? 0, limit: pageSize)
            guard case .ok(let page) = output else { throw TrailVerificationError(operation: "listAuditCheckpoints", response: "\(output)") }
            checkpoints += page.data
            if page.data.count < pageSize { return checkpoints }
        }
    }

    private func chainHeads(of checkpoint: Checkpoint) async throws -> [ChainHead] {
        var heads: [ChainHead] = []
        while true {
            let output = try await client.listCheckpointChains(sequence: checkpoint.sequence, afterCorrelationID: heads.last?.correlationID, limit: pageSize)
            guard case .ok(let page) = output else { throw TrailVerificationError(operation: "listCheckpointChains", response: "\(output)") }
            heads += page.data
            if page.data.count < pageSize { return heads }
        }
    }

    private func chainPage(_ correlationID: String, after index: Int64) async throws -> [StoredAuditEvent] {
        let output = try await client.getAuditChain(correlationID: correlationID, afterIndex: index, limit: pageSize)
        guard case .ok(let page) = output else { throw TrailVerificationError(operation: "getAuditChain", response: "\(output)") }
        return page.data
    }
}

/// What a verification found, besides its findings.
public struct TrailReport: Sendable, Equatable {
    /// Checkpoints whose signature and link were checked.
    public var checkpointsVerified = 0
    /// Chains of the newest checkpoint walked.
    public var chainsVerified = 0
    /// Events whose hash was recomputed and found right.
    public var eventsVerified = 0
    /// What is wrong, in the order found; empty when the trail is intact.
    public var findings: [TrailFinding] = []

    /// An empty report.
    public init() {}
}

/// A way the trail differs from what its checkpoints and hashes seal.
public enum TrailFinding: Sendable, Hashable, CustomStringConvertible {
    /// No checkpoint is published: nothing seals the chains' heads.
    case noCheckpoint
    /// The signature does not verify with the public key (the checkpoint was changed or replaced).
    case checkpointSignatureInvalid(sequence: Int64)
    /// The checkpoint of this sequence number is not served (removed).
    case checkpointMissing(sequence: Int64)
    /// The checkpoint's previous_root is not the root of the one before it.
    case checkpointLinkBroken(sequence: Int64)
    /// The chain heads served for the newest checkpoint do not give its signed root.
    case checkpointRootMismatch(sequence: Int64)
    /// The event's content no longer gives its event_hash (changed after writing).
    case eventAltered(correlationID: String, chainIndex: Int64, eventID: UUID)
    /// The event's previous_event_hash is not the hash of the event before it (moved or replaced).
    case linkBroken(correlationID: String, chainIndex: Int64, eventID: UUID)
    /// No event has this place in the chain (removed).
    case eventMissing(correlationID: String, chainIndex: Int64)
    /// The chain ends before the length the checkpoint signed (its last events removed).
    case chainTruncated(correlationID: String, checkpointed: Int64, found: Int64)
    /// The chain's events are consistent among themselves but do not give the head the
    /// checkpoint signed (rewritten with recomputed hashes).
    case chainDiffersFromCheckpoint(correlationID: String, chainLength: Int64)
    /// An event of a checkpointed chain has no chain members.
    case eventUnchained(correlationID: String, eventID: UUID)
    /// The signed head's record of what retention deleted does not fit it (a purged_length
    /// without a purged_head, or past the chain's length, or a wholly deleted chain whose
    /// purged_head is not its head).
    case purgeMalformed(correlationID: String)
    /// In an export: a line out of place (a checkpoint not first, a chain proof not after its
    /// chain's events, a line with no single member).
    case unexpectedLine(Int)
    /// In an export: the event is not the one the signed chain holds at its chain_index.
    case eventNotInSignedChain(correlationID: String, chainIndex: Int64, eventID: UUID)
    /// In an export: the proof's digests do not lead to the head the checkpoint signed.
    case proofDoesNotReachHead(correlationID: String)
    /// In an export: the chain head's audit path does not give the checkpoint's root.
    case proofNotUnderCheckpoint(correlationID: String)
    /// In an export: a proof that does not fit it (no checkpoint line, digests that are not
    /// hex or do not end at the head's length, no exported event at its first_index).
    case proofMalformed(correlationID: String)

    public var description: String {
        switch self {
        case .noCheckpoint: "no checkpoint is published"
        case .checkpointSignatureInvalid(let sequence): "checkpoint \(sequence): the signature does not verify with the public key"
        case .checkpointMissing(let sequence): "checkpoint \(sequence) is missing"
        case .checkpointLinkBroken(let sequence): "checkpoint \(sequence): previous_root is not the root of checkpoint \(sequence - 1)"
        case .checkpointRootMismatch(let sequence): "checkpoint \(sequence): the chain heads served do not give its signed root"
        case .eventAltered(let id, let index, let event): "chain '\(id)' event \(index) (\(event)): changed after it was written (content does not give its event_hash)"
        case .linkBroken(let id, let index, let event): "chain '\(id)' event \(index) (\(event)): broken link (previous_event_hash is not the hash of event \(index - 1))"
        case .eventMissing(let id, let index): "chain '\(id)' event \(index) is missing (deleted)"
        case .chainTruncated(let id, let checkpointed, let found): "chain '\(id)' is truncated: the checkpoint signed \(checkpointed) events, \(found) remain"
        case .chainDiffersFromCheckpoint(let id, let length): "chain '\(id)': its first \(length) events do not give the head the checkpoint signed (rewritten)"
        case .eventUnchained(let id, let event): "chain '\(id)': event \(event) has no chain_index or event_hash"
        case .purgeMalformed(let id): "chain '\(id)': the signed record of its deleted events does not fit the chain"
        case .unexpectedLine(let number): "line \(number) is out of place"
        case .eventNotInSignedChain(let id, let index, let event): "chain '\(id)' event \(index) (\(event)): not the event the signed chain holds there"
        case .proofDoesNotReachHead(let id): "chain '\(id)': the proof does not lead to the head the checkpoint signed"
        case .proofNotUnderCheckpoint(let id): "chain '\(id)': the chain head is not under the checkpoint's root"
        case .proofMalformed(let id): "chain '\(id)': the proof does not fit the export"
        }
    }
}

/// The server answered a verifier's request with something other than its page.
public struct TrailVerificationError: Error, CustomStringConvertible {
    /// The contract's operation ID.
    public var operation: String
    /// What the server answered instead.
    public var response: String

    public var description: String { "\(operation) answered \(response)" }
}

extension InclusionProof {
    /// Checks the proof with nothing but the public key: the event's hash from its content,
    /// the chain from it to the signed head, the head's place under the checkpoint's root,
    /// and the checkpoint's signature. Returns what fails, or nil when the proof holds.
    public func failure(publicKey: Curve25519.Signing.PublicKey) throws -> String? {
        guard let index = event.chainIndex, let eventHash = event.eventHash else { return "the event has no chain members" }
        var hash = AuditChainHash.link(previous: event.previousEventHash.flatMap(Hex.decode), content: try AuditChainHash.contentDigest(of: event))
        guard Hex.encode(hash) == eventHash else { return "the event's content does not give its event_hash" }
        guard chainHead.correlationID == event.correlationID, chainHead.chainLength - index == Int64(laterContentDigests.count) else {
            return "the chain head is not the event's chain at a later length"
        }
        for digest in laterContentDigests {
            guard let content = Hex.decode(digest) else { return "a later content digest is not hex" }
            hash = AuditChainHash.link(previous: hash, content: content)
        }
        guard Hex.encode(hash) == chainHead.head else { return "the later events do not lead to the signed chain head" }
        let path = auditPath.compactMap(Hex.decode)
        guard path.count == auditPath.count,
            let root = MerkleTree.root(fromLeafHash: try chainHead.leafHash, index: Int(leafIndex), size: Int(checkpoint.chainCount), auditPath: path),
            Hex.encode(root) == checkpoint.root
        else { return "the audit path does not lead to the checkpoint's root" }
        guard try checkpoint.isSigned(by: publicKey) else { return "the checkpoint's signature does not verify with the public key" }
        return nil
    }
}
