import Crypto
import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

/// Checks an export (`GET /api/v1/audit/export`, JSON Lines of `AuditExportLine`) offline,
/// with nothing but the server's public key: the checkpoint's signature; every event's
/// event_hash from its content; and, chain by chain, that the `ChainProof` places each
/// exported event at its chain_index in the chain the checkpoint signed.
///
/// It proves what the export holds is in the signed trail, unaltered; not that the export
/// holds every event its filter matched (the server chose those). Events the checkpoint does
/// not cover (written after it, or before hash chains) are counted, not proven.
public struct ExportVerifier: Sendable {
    public let publicKey: Curve25519.Signing.PublicKey

    public init(publicKey: Curve25519.Signing.PublicKey) { self.publicKey = publicKey }

    /// Reads the export's lines in order, holding one chain's hashes at a time.
    public func verify<Lines: AsyncSequence>(_ lines: Lines) async throws -> ExportReport where Lines.Element == AuditExportLine {
        var state = State(publicKey: publicKey)
        var number = 0
        for try await line in lines {
            number += 1
            try state.read(line, number: number)
        }
        state.closeChain()
        return state.report
    }

    /// Reads the export in the file at `path`, a chunk at a time.
    /// - Throws: ``ExportFileError`` when the file cannot be read; a decoding error naming
    ///   the line's problem when a line is not an `AuditExportLine`.
    public func verify(exportAt path: String) async throws -> ExportReport {
        guard let file = FileHandle(forReadingAtPath: path) else { throw ExportFileError(path: path) }
        defer { try? file.close() }
        let chunks = AsyncThrowingStream<Data, any Error>(unfolding: {
            let chunk = try file.read(upToCount: 1 << 16) ?? Data()
            return chunk.isEmpty ? nil : chunk
        })
        return try await verify(JSONLines(body: HTTPBodyStream(chunks)) { try JSONReader.decode(AuditExportLine.self, from: $0) })
    }

    /// An event as the chain check needs it.
    private struct ExportedEvent {
        let eventID: UUID
        let chainIndex: Int64
        let previousHash: [UInt8]?
        let hash: [UInt8]
        let contentDigest: [UInt8]
    }

    private struct State {
        let publicKey: Curve25519.Signing.PublicKey
        var report = ExportReport()
        var checkpoint: Checkpoint?
        var openChain: String?
        var events: [ExportedEvent] = []

        init(publicKey: Curve25519.Signing.PublicKey) { self.publicKey = publicKey }

        mutating func read(_ line: AuditExportLine, number: Int) throws {
            switch (line.checkpoint, line.event, line.chainProof) {
            case (let checkpoint?, nil, nil) where number == 1:
                self.checkpoint = checkpoint
                if try !checkpoint.isSigned(by: publicKey) { report.findings.append(.checkpointSignatureInvalid(sequence: checkpoint.sequence)) }
            case (nil, let event?, nil):
                try read(event)
            case (nil, nil, let proof?) where proof.chainHead.correlationID == openChain:
                try check(proof)
                events = []
                openChain = nil
            default:
                report.findings.append(.unexpectedLine(number))
            }
        }

        private mutating func read(_ event: StoredAuditEvent) throws {
            if event.correlationID != openChain { closeChain() }
            openChain = event.correlationID
            guard let index = event.chainIndex, let stored = event.eventHash.flatMap(Hex.decode) else {
                report.eventsNotCovered += 1
                return
            }
            let previous = event.previousEventHash.flatMap(Hex.decode)
            let digest = try AuditChainHash.contentDigest(of: event)
            guard AuditChainHash.link(previous: previous, content: digest) == stored else {
                report.findings.append(.eventAltered(correlationID: event.correlationID, chainIndex: index, eventID: event.eventID))
                return
            }
            events.append(ExportedEvent(eventID: event.eventID, chainIndex: index, previousHash: previous, hash: stored, contentDigest: digest))
        }

        /// The open chain had no proof: the checkpoint covers none of its events.
        mutating func closeChain() {
            report.eventsNotCovered += events.count
            events = []
            openChain = nil
        }

        private mutating func check(_ proof: ChainProof) throws {
            let correlationID = proof.chainHead.correlationID
            let digests = proof.contentDigests.compactMap(Hex.decode)
            let lastIndex = proof.firstIndex + Int64(digests.count) - 1
            let byIndex = Dictionary(events.map { ($0.chainIndex, $0) }, uniquingKeysWith: { first, _ in first })
            guard let checkpoint, digests.count == proof.contentDigests.count, lastIndex == proof.chainHead.chainLength,
                let first = byIndex[proof.firstIndex]
            else {
                report.findings.append(.proofMalformed(correlationID: correlationID))
                return
            }
            // Fold the signed chain from the first covered event; every exported event must be on it.
            var hash = first.previousHash
            for (offset, digest) in digests.enumerated() {
                let link = AuditChainHash.link(previous: hash, content: digest)
                if let event = byIndex[proof.firstIndex + Int64(offset)], event.contentDigest != digest || event.hash != link {
                    report.findings.append(.eventNotInSignedChain(correlationID: correlationID, chainIndex: event.chainIndex, eventID: event.eventID))
                }
                hash = link
            }
            guard hash == Hex.decode(proof.chainHead.head) else {
                report.findings.append(.proofDoesNotReachHead(correlationID: correlationID))
                return
            }
            let path = proof.auditPath.compactMap(Hex.decode)
            guard path.count == proof.auditPath.count,
                let root = MerkleTree.root(
                    fromLeafHash: try proof.chainHead.leafHash, index: Int(proof.leafIndex), size: Int(checkpoint.chainCount), auditPath: path),
                Hex.encode(root) == checkpoint.root
            else {
                report.findings.append(.proofNotUnderCheckpoint(correlationID: correlationID))
                return
            }
            let covered = events.filter { (proof.firstIndex...lastIndex).contains($0.chainIndex) }.count
            report.eventsVerified += covered
            report.eventsNotCovered += events.count - covered
            report.chainsVerified += 1
        }
    }
}

/// What ``ExportVerifier`` found.
public struct ExportReport: Sendable, Equatable {
    /// Events proven to be in the checkpoint's chains, unaltered.
    public var eventsVerified = 0
    /// Events the export's checkpoint does not cover: their own hashes held, nothing more is shown.
    public var eventsNotCovered = 0
    /// Chains whose proof held.
    public var chainsVerified = 0
    public var findings: [TrailFinding] = []

    public init(eventsVerified: Int = 0, eventsNotCovered: Int = 0, chainsVerified: Int = 0, findings: [TrailFinding] = []) {
        self.eventsVerified = eventsVerified
        self.eventsNotCovered = eventsNotCovered
        self.chainsVerified = chainsVerified
        self.findings = findings
    }
}

/// An export file that cannot be opened.
public struct ExportFileError: Error, CustomStringConvertible {
    public var path: String

    public var description: String { "cannot read the export \(path)" }
}
