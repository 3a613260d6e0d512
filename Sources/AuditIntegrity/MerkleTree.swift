import Crypto

/// The Merkle tree hash of RFC 6962 (Certificate Transparency), section 2.1: leaves hashed
/// as SHA-256(0x00 ‖ leaf), inner nodes as SHA-256(0x01 ‖ left ‖ right), the left subtree
/// holding the largest power of two below the leaf count. The empty tree's hash is SHA-256
/// of no bytes.
public enum MerkleTree {
    /// SHA-256(0x00 ‖ leaf).
    public static func leafHash(_ leaf: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0])
        hasher.update(data: leaf)
        return Array(hasher.finalize())
    }

    /// SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [1])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// The root over leaf hashes, in order.
    public static func root(leafHashes: [[UInt8]]) -> [UInt8] {
        guard !leafHashes.isEmpty else { return Array(SHA256.hash(data: [UInt8]())) }
        return subtreeRoot(leafHashes[...])
    }

    private static func subtreeRoot(_ hashes: ArraySlice<[UInt8]>) -> [UInt8] {
        if hashes.count == 1 { return hashes.first! }
        let split = hashes.startIndex + largestPowerOfTwo(below: hashes.count)
        return nodeHash(subtreeRoot(hashes[..<split]), subtreeRoot(hashes[split...]))
    }

    /// The audit path of leaf `index` (RFC 6962 2.1.1): the sibling hashes from the leaf up.
    public static func auditPath(leafIndex index: Int, leafHashes: [[UInt8]]) -> [[UInt8]] {
        var paths = AuditPaths(leafHashes: leafHashes)
        return paths.auditPath(leafIndex: index)
    }

    /// Audit paths of many leaves of one tree: each subtree's root is computed once, so the
    /// paths of all n leaves cost O(n) hashes rather than O(n) each.
    public struct AuditPaths: Sendable {
        private let leafHashes: [[UInt8]]
        private var subtreeRoots: [Range<Int>: [UInt8]] = [:]

        public init(leafHashes: [[UInt8]]) { self.leafHashes = leafHashes }

        /// The audit path of leaf `index`: the sibling hashes from the leaf up.
        public mutating func auditPath(leafIndex index: Int) -> [[UInt8]] {
            precondition(leafHashes.indices.contains(index), "leaf \(index) is not in a tree of \(leafHashes.count)")
            var siblings: [[UInt8]] = []
            var range = leafHashes.indices
            // Down from the root, the sibling of each subtree holding the leaf; the path lists them upward.
            while range.count > 1 {
                let split = range.lowerBound + largestPowerOfTwo(below: range.count)
                if index < split {
                    siblings.append(root(of: split..<range.upperBound))
                    range = range.lowerBound..<split
                } else {
                    siblings.append(root(of: range.lowerBound..<split))
                    range = split..<range.upperBound
                }
            }
            return siblings.reversed()
        }

        private mutating func root(of range: Range<Int>) -> [UInt8] {
            if range.count == 1 { return leafHashes[range.lowerBound] }
            if let known = subtreeRoots[range] { return known }
            let split = range.lowerBound + largestPowerOfTwo(below: range.count)
            let hash = nodeHash(root(of: range.lowerBound..<split), root(of: split..<range.upperBound))
            subtreeRoots[range] = hash
            return hash
        }
    }

    /// The root that `leafHash` at `index` of a tree of `size` leaves and its audit path
    /// give; nil when the path has the wrong length for that place.
    public static func root(fromLeafHash leafHash: [UInt8], index: Int, size: Int, auditPath: [[UInt8]]) -> [UInt8]? {
        guard index >= 0, index < size else { return nil }
        // RFC 9162 2.1.3.2, the iterative form of the recursion above.
        var fn = index
        var sn = size - 1
        var hash = leafHash
        for sibling in auditPath {
            if sn == 0 { return nil }
            if fn & 1 == 1 || fn == sn {
                hash = nodeHash(sibling, hash)
                if fn & 1 == 0 {
                    while fn & 1 == 0, fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                hash = nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? hash : nil
    }

    /// The largest power of two strictly less than `count` (count > 1).
    private static func largestPowerOfTwo(below count: Int) -> Int {
        var k = 1
        while k << 1 < count { k <<= 1 }
        return k
    }
}
