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

    /// For chains whose first kept event has expired: each loses its events up to, not
    /// including, its first that has not (`firstKept`; none: the whole chain), at most
    /// `limit` events in all.
    static func ends(of chains: [(id: String, length: Int64, purged: Int64)], firstKept: [String: Int64], limit: Int) -> [End] {
        var budget = Int64(limit)
        var ends: [End] = []
        for chain in chains where budget > 0 {
            let last = min((firstKept[chain.id] ?? chain.length + 1) - 1, chain.purged + budget)
            guard last > chain.purged else { continue }
            ends.append(End(correlationID: chain.id, first: chain.purged + 1, last: last))
            budget -= last - chain.purged
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
