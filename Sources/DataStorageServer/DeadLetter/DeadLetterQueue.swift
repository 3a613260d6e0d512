import DataStorageClient
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import OpenAPICodegenRuntime

/// Why the dead-letter queue could not take or give back events.
public struct DeadLetterQueueError: Error, CustomStringConvertible {
    /// What was being done, and to which file.
    public var operation: String
    public var path: String
    public var reason: String

    public var description: String { "dead-letter queue: \(operation) \(path) failed: \(reason)" }

    init(operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    init(operation: String, path: String, errno code: Int32) {
        self.init(operation: operation, path: path, reason: String(cString: strerror(code)))
    }
}

/// Events the database could not take, kept durably on local disk until it can.
///
/// An append-only journal of segment files (`segment-<n>.dlq`, oldest first) under one
/// directory. ``append(_:)`` returns only after the record is fsynced, so an event answered
/// with 202 survives a crash or restart. Appends that arrive while a sync runs are written
/// and synced together by the next one (group commit), so concurrent requests during an
/// outage are not limited to one fsync each. ``replay(into:)`` inserts segments into the
/// repository oldest first, and deletes a segment only after all its events are committed;
/// inserts are idempotent, so replaying a segment twice (after a crash mid-replay) stores
/// nothing twice. A damaged tail (a crash mid-write) is logged, counted and skipped; the
/// intact records before it are replayed.
///
/// File I/O blocks, so the actor runs on a thread of its own rather than on the shared
/// cooperative pool or an event loop that serves requests.
public actor DeadLetterQueue {
    private struct Segment {
        var id: UInt64
        var eventCount: Int
        /// Records already committed by an earlier, interrupted replay of this segment, and their events.
        var replayedRecords = 0
        var replayedEvents = 0
    }

    private struct ActiveSegment {
        var segment: Segment
        var descriptor: Int32
        var size: Int
    }

    /// A record waiting for the next sync, and the append to answer once it is durable.
    private struct PendingRecord {
        var bytes: [UInt8]
        var eventCount: Int
        var written: CheckedContinuation<Void, any Error>
    }

    public let directory: String
    private let segmentBytes: Int
    private let logger: Logger
    private let metrics: ServerMetrics
    private let thread: MultiThreadedEventLoopGroup
    private let executor: any SerialExecutor
    private var sealed: [Segment] = []
    private var active: ActiveSegment?
    private var nextSegmentID: UInt64 = 1
    private var replaying = false
    /// Records waiting for the sync after the one running now.
    private var pending: [PendingRecord] = []
    private var committing = false
    /// Off: one record per sync, as before group commit (for benchmarks to compare against).
    private let groupCommit: Bool
    /// `fsync`, or a test's stand-in that counts or fails syncs.
    private let syncFile: @Sendable (Int32) -> Int32
    /// Events in the journal, not yet committed to the database.
    public private(set) var depth = 0
    /// The free space a request needs: below it the journal reports itself unwritable.
    private let reserveBytes: Int
    /// Why the last append failed, until an append or a probe succeeds.
    private var lastAppendFailure: String?
    /// The unwritable reason last logged, so that a fault is logged once, not at every probe.
    private var reportedReason: String?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens (creating if needed) the journal in `directory` and counts what it holds from an
    /// earlier run.
    ///
    /// - Parameters:
    ///   - segmentBytes: A segment is sealed once it grows past this size.
    ///   - groupCommit: Whether records waiting for a sync share it.
    ///   - reserveBytes: The free space a request needs (the largest body): with less, the
    ///     journal reports itself unwritable.
    ///   - syncFile: Makes a segment's writes durable: `fsync`, or a test's stand-in.
    /// - Throws: ``DeadLetterQueueError`` when the directory cannot be created or read.
    init(
        directory: String, segmentBytes: Int = 16 * 1024 * 1024, groupCommit: Bool = true, reserveBytes: Int = 0, logger: Logger,
        metrics: ServerMetrics, syncFile: @escaping @Sendable (Int32) -> Int32 = { fsync($0) }
    ) async throws {
        self.directory = directory
        self.reserveBytes = reserveBytes
        self.syncFile = syncFile
        self.groupCommit = groupCommit
        self.segmentBytes = segmentBytes
        self.logger = logger
        self.metrics = metrics
        thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        executor = thread.next().executor
        try recover()
    }

    /// Stops the journal's thread; call once nothing uses the queue any more.
    public nonisolated func shutdown() async throws {
        try await thread.shutdownGracefully()
    }

    private func recover() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DeadLetterQueueError(operation: "create directory", path: directory, reason: "\(error)")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DeadLetterQueueError(operation: "list", path: directory, reason: "\(error)")
        }
        for id in names.compactMap(Self.segmentID).sorted() {
            let (records, _) = readSegment(id)
            let events = records.reduce(0) { $0 + $1.eventCount }
            sealed.append(Segment(id: id, eventCount: events))
            depth += events
            nextSegmentID = id + 1
        }
        metrics.deadLetterDepth.record(depth)
        if depth > 0 {
            logger.warning("dead-letter queue holds events from an earlier run", metadata: [
                "events": "\(depth)", "segments": "\(sealed.count)", "directory": "\(directory)"])
        }
    }

    // MARK: Appending

    /// Writes the events as one record and returns once they are on disk.
    ///
    /// - Throws: ``DeadLetterQueueError`` when the record could not be written and synced;
    ///   the journal is then left as it was before the call.
    public nonisolated func append(_ events: [StoredAuditEvent]) async throws {
        // Encoded by the caller, in parallel with other requests, not on the journal's one thread.
        let payload = try StreamingJSONEncoder().encode(events)
        try await appendRecord(JournalFormat.frame(eventCount: events.count, payload: payload), eventCount: events.count)
    }

    private func appendRecord(_ record: [UInt8], eventCount: Int) async throws {
        try await withCheckedThrowingContinuation { written in
            pending.append(PendingRecord(bytes: record, eventCount: eventCount, written: written))
            if !committing {
                committing = true
                Task { await commitPending() }
            }
        }
    }

    /// Writes and syncs what is pending, group after group, until nothing is: each group is
    /// every append that arrived while the previous sync ran, answered after its own sync.
    private func commitPending() async {
        while !pending.isEmpty {
            let group = groupCommit ? pending : [pending[0]]
            pending.removeFirst(group.count)
            let result = Result { try writeAndSync(group) }
            switch result {
            case .success: lastAppendFailure = nil
            case .failure(let error): lastAppendFailure = "\(error)"
            }
            for record in group { record.written.resume(with: result) }
            // Appends queued on this actor during the sync run now and join the next group.
            await Task.yield()
        }
        committing = false
    }

    /// Writes and syncs the group into the active segment. When that segment was removed from
    /// disk (its directory deleted under the server), its events are gone: they are counted
    /// as lost, and the group goes once more into a new segment, in a directory made again.
    private func writeAndSync(_ group: [PendingRecord]) throws {
        do {
            try writeAndSyncOnce(group)
        } catch is SegmentRemoved {
            loseActiveSegment()
            try writeAndSyncOnce(group)
        }
    }

    /// The active segment's file has no name left: what is written to it is not persisted.
    private struct SegmentRemoved: Error {}

    private func writeAndSyncOnce(_ group: [PendingRecord]) throws {
        var segment = try activeSegment()
        if Self.isUnlinked(segment.descriptor) { throw SegmentRemoved() }
        let bytes = group.flatMap(\.bytes)
        var failure = Self.writeAll(bytes, to: segment.descriptor)
        if failure == 0, syncFile(segment.descriptor) != 0 { failure = errno }
        // Removed while it was written: the bytes went to a file no one can read again.
        if failure == 0, Self.isUnlinked(segment.descriptor) { throw SegmentRemoved() }
        guard failure == 0 else {
            // Cut the partial records off so that later appends stay readable, and start
            // a new segment if even that fails.
            if ftruncate(segment.descriptor, off_t(segment.size)) != 0 { seal() }
            throw DeadLetterQueueError(operation: "append to", path: path(segment.segment.id), errno: failure)
        }
        let events = group.reduce(0) { $0 + $1.eventCount }
        segment.size += bytes.count
        segment.segment.eventCount += events
        active = segment
        depth += events
        metrics.deadLetterEnqueued.increment(by: Int64(events))
        metrics.deadLetterSyncs.increment()
        metrics.deadLetterDepth.record(depth)
        if segment.size >= segmentBytes { seal() }
    }

    private func activeSegment() throws -> ActiveSegment {
        if let active { return active }
        try ensureDirectory()
        let id = nextSegmentID
        let descriptor = open(path(id), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DeadLetterQueueError(operation: "create", path: path(id), errno: errno) }
        do {
            var failure = Self.writeAll(JournalFormat.magic, to: descriptor)
            if failure == 0, fsync(descriptor) != 0 { failure = errno }
            guard failure == 0 else { throw DeadLetterQueueError(operation: "create", path: path(id), errno: failure) }
            // The new file's directory entry must be durable too, or a crash could lose it.
            try syncDirectory()
        } catch {
            close(descriptor)
            unlink(path(id))
            throw error
        }
        nextSegmentID += 1
        let segment = ActiveSegment(segment: Segment(id: id, eventCount: 0), descriptor: descriptor, size: JournalFormat.magic.count)
        active = segment
        return segment
    }

    /// Drops the active segment, whose file was removed, counting its events as lost.
    private func loseActiveSegment() {
        guard let segment = active else { return }
        close(segment.descriptor)
        active = nil
        countLost(segment.segment, file: path(segment.segment.id))
    }

    /// Events that were journalled and answered 202, whose file was then removed: they are
    /// gone, and an operator must know.
    private func countLost(_ segment: Segment, file: String) {
        let lost = segment.eventCount - segment.replayedEvents
        depth -= lost
        metrics.deadLetterDepth.record(depth)
        metrics.deadLetterLost.increment(by: Int64(lost))
        logger.error("dead-letter segment was removed from disk; its events are lost", metadata: [
            "segment": "\(file)", "events": "\(lost)"])
    }

    /// Closes the active segment; the next append starts a new one.
    private func seal() {
        guard let segment = active else { return }
        close(segment.descriptor)
        active = nil
        sealed.append(segment.segment)
    }

    // MARK: Replaying

    /// Inserts the journal's events into `repository`, oldest segment first, deleting each
    /// segment once all its events are committed.
    ///
    /// Stops at the first failed insert and rethrows it; the next call resumes from the
    /// segment that failed. Appends made during a replay go to a new segment.
    ///
    /// - Returns: How many events were committed.
    @discardableResult
    public func replay(into repository: any AuditRepository) async throws -> Int {
        // One replay at a time: a second would insert the same segment alongside the first.
        guard !replaying else { return 0 }
        replaying = true
        defer { replaying = false }
        seal()
        var committed = 0
        while var segment = sealed.first {
            guard access(path(segment.id), F_OK) == 0 else {
                countLost(segment, file: path(segment.id))
                sealed.removeFirst()
                continue
            }
            let (records, damage) = readSegment(segment.id)
            for record in records.dropFirst(segment.replayedRecords) {
                do {
                    let events = try JSONReader.decode([StoredAuditEvent].self, from: record.payload)
                    try await repository.insert(events)
                    committed += events.count
                    metrics.deadLetterReplayed.increment(by: Int64(events.count))
                } catch let error as DecodingError {
                    // The checksum matched, so this server wrote these bytes: an incompatible
                    // contract change since. Retrying cannot help.
                    try quarantine(record, from: segment.id, reason: "does not decode: \(error)")
                } catch let rejection as AuditRepositoryRejection {
                    try quarantine(record, from: segment.id, reason: rejection.reason)
                }
                segment.replayedRecords += 1
                segment.replayedEvents += record.eventCount
                sealed[0] = segment
                depth -= record.eventCount
                metrics.deadLetterDepth.record(depth)
            }
            if let damage {
                // The events counted for the damaged part were never readable: none were counted.
                logger.error("dead-letter segment has a damaged tail; intact records were replayed, the rest is skipped", metadata: [
                    "segment": "\(path(segment.id))", "damage": "\(damage)"])
                metrics.deadLetterDamagedSegments.increment()
            }
            guard unlink(path(segment.id)) == 0 || errno == ENOENT else {
                throw DeadLetterQueueError(operation: "delete", path: path(segment.id), errno: errno)
            }
            try syncDirectory()
            sealed.removeFirst()
            logger.info("dead-letter segment replayed", metadata: [
                "segment": "\(path(segment.id))", "events": "\(segment.eventCount)", "remaining": "\(depth)"])
        }
        return committed
    }

    /// Sets aside a record that can never be stored (replaying it would fail forever and hold
    /// up every later segment): appended, fsynced, to `rejected-<segment>.dlq` for an operator.
    private func quarantine(_ record: JournalFormat.Record, from id: UInt64, reason: String) throws {
        let path = directory + "/rejected-" + Self.segmentName(id).dropFirst("segment-".count)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DeadLetterQueueError(operation: "create", path: path, errno: errno) }
        defer { close(descriptor) }
        let size = lseek(descriptor, 0, SEEK_END)
        var failure = size == 0 ? Self.writeAll(JournalFormat.magic, to: descriptor) : 0
        if failure == 0 { failure = Self.writeAll(JournalFormat.frame(eventCount: record.eventCount, payload: record.payload), to: descriptor) }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        guard failure == 0 else { throw DeadLetterQueueError(operation: "append to", path: path, errno: failure) }
        metrics.deadLetterRejected.increment(by: Int64(record.eventCount))
        logger.error("journalled events cannot be stored; they are set aside, not replayed", metadata: [
            "file": "\(path)", "events": "\(record.eventCount)", "reason": "\(reason)"])
    }

    // MARK: Files

    private func path(_ id: UInt64) -> String {
        directory + "/" + Self.segmentName(id)
    }

    static func segmentName(_ id: UInt64) -> String {
        let digits = String(id)
        return "segment-" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits + ".dlq"
    }

    static func segmentID(_ name: String) -> UInt64? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".dlq") else { return nil }
        return UInt64(name.dropFirst("segment-".count).dropLast(".dlq".count))
    }

    private func readSegment(_ id: UInt64) -> (records: [JournalFormat.Record], damage: JournalFormat.Damage?) {
        guard let data = FileManager.default.contents(atPath: path(id)) else {
            return ([], JournalFormat.Damage(offset: 0, reason: "unreadable file", skippedBytes: 0))
        }
        return JournalFormat.read(data)
    }

    // MARK: Health

    /// Why the journal cannot take a request's events now, or nil when it can: its directory
    /// cannot be made again, its file system is read-only or has less than a request's room,
    /// or the last append failed and a probe write still fails. Readiness reports it, so that
    /// a load balancer sends requests to a replica that can keep them.
    public func unwritableReason() -> String? {
        let reason = findUnwritableReason()
        if reason != reportedReason {
            if let reason {
                logger.error("dead-letter journal cannot take events", metadata: ["reason": "\(reason)"])
            } else {
                logger.info("dead-letter journal takes events again", metadata: ["directory": "\(directory)"])
            }
            reportedReason = reason
        }
        return reason
    }

    private func findUnwritableReason() -> String? {
        do { try ensureDirectory() } catch { return "\(error)" }
        var fileSystem = statvfs()
        if statvfs(directory, &fileSystem) == 0 {
            if fileSystem.f_flag & UInt(ST_RDONLY) != 0 { return "\(directory) is on a read-only file system" }
            let free = Int(fileSystem.f_bavail) * Int(fileSystem.f_frsize)
            if free < reserveBytes { return "\(directory) has \(free) bytes free, less than a request may need (\(reserveBytes))" }
        }
        guard let failure = lastAppendFailure else { return nil }
        // The last append failed: a probe write and sync says whether the cause is gone.
        let probe = directory + "/probe.tmp"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return failure }
        defer {
            close(descriptor)
            unlink(probe)
        }
        guard Self.writeAll(JournalFormat.magic, to: descriptor) == 0, fsync(descriptor) == 0 else { return failure }
        lastAppendFailure = nil
        return nil
    }

    /// Creates the directory when it is missing (removed while the server runs).
    private func ensureDirectory() throws {
        var info = stat()
        guard stat(directory, &info) != 0 else { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DeadLetterQueueError(operation: "create directory", path: directory, reason: "\(error)")
        }
        logger.warning("dead-letter directory was missing; made it again", metadata: ["directory": "\(directory)"])
    }

    private static func isUnlinked(_ descriptor: Int32) -> Bool {
        var info = stat()
        return fstat(descriptor, &info) == 0 && info.st_nlink == 0
    }

    private func syncDirectory() throws {
        try ensureDirectory()
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DeadLetterQueueError(operation: "open", path: directory, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw DeadLetterQueueError(operation: "sync", path: directory, errno: errno) }
    }

    /// Writes every byte; 0, or the errno of the write that failed.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32 {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += result
        }
        return 0
    }
}
