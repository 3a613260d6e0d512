import AuditIntegrity
import DataStorageClient
import Foundation
import OpenAPICodegenRuntime

/// Writes an export (`GET /api/v1/audit/export`) as JSON Lines, one page of events each time
/// the response body asks for more: what waits in memory is a page, the checkpoint's chain
/// heads and one chain's proof, never the whole result.
///
/// The lines: the newest checkpoint, when there is one; then chain by chain the chain's
/// events, and its ``ChainProof`` when the checkpoint covers any of them.
actor AuditExporter {
    private let repository: any AuditRepository
    private let selection: AuditExportSelection
    private let pageSize: Int
    private var position: Position = .start
    /// The checkpoint the proofs are against, its heads by correlation_id with their leaf
    /// indexes, and its tree.
    private var checkpointHeads: [String: (leafIndex: Int, head: ChainHead)] = [:]
    private var tree = MerkleTree.AuditPaths(leafHashes: [])
    /// The chain whose events are being written, and the content digests of its exported
    /// events that the checkpoint covers, by chain_index in order: the proof takes them from
    /// here and reads from the repository only the events between and after them.
    private var openChain: (correlationID: String, covered: [(index: Int64, digest: SHA256Hex)])?

    private enum Position {
        case start
        case events(after: AuditExportCursor?)
        case finished
    }

    init(repository: any AuditRepository, selection: AuditExportSelection, pageSize: Int = 500) {
        self.repository = repository
        self.selection = selection
        self.pageSize = pageSize
    }

    /// The body, read from the repository as it is sent.
    nonisolated func body() -> HTTPBodyStream {
        HTTPBodyStream(AsyncThrowingStream(unfolding: { try await self.nextChunk() }))
    }

    /// The next lines; nil at the end.
    func nextChunk() async throws -> Data? {
        switch position {
        case .start:
            position = .events(after: nil)
            guard let checkpoint = try await repository.latestCheckpoint() else { return try await nextChunk() }
            let heads = try await repository.checkpointChains(sequence: checkpoint.sequence, afterCorrelationID: nil, limit: .max) ?? []
            checkpointHeads = Dictionary(uniqueKeysWithValues: heads.enumerated().map { ($0.element.correlationID, ($0.offset, $0.element)) })
            tree = MerkleTree.AuditPaths(leafHashes: try heads.map { try $0.leafHash })
            return try Self.line(AuditExportLine(checkpoint: checkpoint))
        case .events(let cursor):
            let page = try await repository.exportPage(selection, after: cursor, limit: pageSize)
            var lines = Data()
            for event in page {
                if event.correlationID != openChain?.correlationID {
                    lines += try await closeChain()
                    openChain = (event.correlationID, [])
                }
                if let index = event.chainIndex, let covered = checkpointHeads[event.correlationID], index <= covered.head.chainLength {
                    openChain?.covered.append((index, Hex.encode(try AuditChainHash.contentDigest(of: event))))
                }
                lines += try Self.line(AuditExportLine(event: event))
            }
            if page.count < pageSize {
                lines += try await closeChain()
                position = .finished
                return lines.isEmpty ? nil : lines
            }
            position = .events(after: page.last.map(AuditExportCursor.init(after:)))
            return lines
        case .finished:
            return nil
        }
    }

    /// The open chain's proof line, when the checkpoint covers any of its exported events.
    private func closeChain() async throws -> Data {
        defer { openChain = nil }
        guard let (correlationID, covered) = openChain, let firstIndex = covered.first?.index,
            let (leafIndex, head) = checkpointHeads[correlationID]
        else { return Data() }
        // The digests of every event from the first covered one to the head the checkpoint
        // signed: the exported ones as computed when written, the others read.
        var digests: [SHA256Hex] = []
        var exported = covered[...]
        var next = firstIndex
        while next <= head.chainLength {
            if let known = exported.first, known.index == next {
                digests.append(known.digest)
                exported.removeFirst()
                next += 1
                continue
            }
            let gapEnd = exported.first?.index ?? head.chainLength + 1
            let events = try await repository.chain(correlationID: correlationID, afterIndex: next - 1, limit: Int(min(gapEnd - next, 1000)))
                .filter { ($0.chainIndex ?? gapEnd) < gapEnd }
            guard let last = events.last?.chainIndex else { break }  // events gone: the verifier will say so
            digests += try events.map { Hex.encode(try AuditChainHash.contentDigest(of: $0)) }
            next = last + 1
        }
        return try Self.line(AuditExportLine(chainProof: ChainProof(
            firstIndex: firstIndex, contentDigests: digests, chainHead: head, leafIndex: Int64(leafIndex),
            auditPath: tree.auditPath(leafIndex: leafIndex).map(Hex.encode))))
    }

    private static func line(_ line: AuditExportLine) throws -> Data {
        var data = try StreamingJSONEncoder().encode(line)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}
