import DataStorageClient
import Foundation

/// How long events are kept: each its own `retention_days`, or its category's floor when
/// that is longer (a floor keeps, say, every `authentication` event a year whatever its
/// sender asked for).
public struct RetentionPolicy: Sendable, Hashable {
    /// The fewest days an event of a category is kept, by event_category.
    public var categoryFloors: [String: Int]

    public init(categoryFloors: [String: Int] = [:]) {
        self.categoryFloors = categoryFloors
    }

    /// The floors sorted by category, as both repositories bind them.
    var sortedFloors: [(category: String, days: Int)] {
        categoryFloors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// What one pass of retention did.
public struct RetentionPass: Sendable, Equatable {
    /// Events deleted, row by row or with their partition.
    public var eventsPurged = 0
    /// Partitions dropped whole.
    public var partitionsDropped: [String] = []
    /// The checkpoint recorded with the deletion.
    public var checkpoint: Checkpoint?

    public init() {}
}

/// A chain retention found with a hole in the prefix it was deleting: an event removed by
/// something other than retention. The pass is rolled back, so that the evidence stays for
/// `datastorage verify` to name.
public struct RetentionFoundChainGap: Error, CustomStringConvertible {
    public var correlationID: String
    /// The chain indexes the pass was deleting, of which some were missing.
    public var indexes: ClosedRange<Int64>

    public var description: String {
        "retention found chain '\(correlationID)' missing events among \(indexes.lowerBound)...\(indexes.upperBound), which it was about to delete; "
            + "nothing was deleted (datastorage verify names what is missing)"
    }
}

/// How a pass of retention moves chains' purged ends: the one rule both repositories follow.
enum ChainPurge {
    /// Chain `correlationID` loses its events `first` through `last`.
    struct End {
        var correlationID: String
        var first: Int64
        var last: Int64
    }

    /// A chain whose first kept event has expired, where it ends and how much it lost before.
    typealias Candidate = (id: String, length: Int64, purged: Int64)

    /// For chains whose first kept event has expired: each loses its events up to, not
    /// including, its first that has not (none: the whole chain), at most `limit` events in
    /// all. `firstKept` finds, for some chains, their first event not expired among the next
    /// `budget` (a bound that keeps the search no longer than the pass): it is asked for a
    /// few chains at a time, only until the pass's budget is spent.
    static func ends(
        of chains: [Candidate], limit: Int, isolation: isolated (any Actor)? = #isolation,
        firstKept: (_ chains: ArraySlice<Candidate>, _ budget: Int64) async throws -> [String: Int64]
    ) async throws -> [End] {
        var budget = Int64(limit)
        var ends: [End] = []
        var next = chains.startIndex
        while budget > 0, next < chains.endIndex {
            let chunk = chains[next..<min(next + 16, chains.endIndex)]
            next = chunk.endIndex
            let kept = try await firstKept(chunk, budget)
            for chain in chunk where budget > 0 {
                let last = min((kept[chain.id] ?? chain.length + 1) - 1, chain.purged + budget)
                guard last > chain.purged else { continue }
                ends.append(End(correlationID: chain.id, first: chain.purged + 1, last: last))
                budget -= last - chain.purged
            }
        }
        return ends
    }

    /// Throws unless every event of `ends` was deleted: `deleted` counts them by correlation_id.
    static func check(_ ends: [End], deleted: [String: Int]) throws {
        for end in ends where deleted[end.correlationID] != Int(end.last - end.first + 1) {
            throw RetentionFoundChainGap(correlationID: end.correlationID, indexes: end.first...end.last)
        }
    }
}
