import Hummingbird
import Metrics
import NIOCore
import Prometheus
import Synchronization

/// The server's metrics, in a Prometheus registry of its own, exposed at `/metrics`. The
/// server never bootstraps the process-wide `MetricsSystem`: that is the application's choice.
final class ServerMetrics: Sendable {
    static let writeDurationName = "datastorage_write_duration_seconds"
    static let eventsWrittenName = "datastorage_events_written_total"
    static let validationFailuresName = "datastorage_validation_failures_total"
    static let httpRequestsName = "datastorage_http_requests_total"
    static let deadLetterDepthName = "datastorage_dlq_depth"
    static let deadLetterEnqueuedName = "datastorage_dlq_enqueued_total"
    static let deadLetterReplayedName = "datastorage_dlq_replayed_total"
    static let deadLetterDamagedSegmentsName = "datastorage_dlq_damaged_segments_total"
    static let deadLetterRejectedName = "datastorage_dlq_rejected_total"
    static let deadLetterSyncsName = "datastorage_dlq_syncs_total"
    static let deadLetterLostName = "datastorage_dlq_lost_total"
    static let retentionPurgedName = "datastorage_retention_purged_total"
    static let retentionPartitionsDroppedName = "datastorage_retention_partitions_dropped_total"
    static let retentionOldestEventName = "datastorage_retention_oldest_event_timestamp_seconds"
    /// Every metric the server exposes, for documentation checks.
    static let allNames = [
        writeDurationName, eventsWrittenName, validationFailuresName, httpRequestsName, deadLetterDepthName,
        deadLetterEnqueuedName, deadLetterReplayedName, deadLetterDamagedSegmentsName, deadLetterRejectedName, deadLetterSyncsName,
        deadLetterLostName, retentionPurgedName, retentionPartitionsDroppedName, retentionOldestEventName,
    ]

    let registry = PrometheusCollectorRegistry()
    let writeDuration: Metrics.Timer
    let eventsWritten: Metrics.Counter
    let validationFailures: Metrics.Counter
    /// Events in the dead-letter journal, not yet in the database.
    let deadLetterDepth: Metrics.Gauge
    let deadLetterEnqueued: Metrics.Counter
    let deadLetterReplayed: Metrics.Counter
    /// Segments whose tail was torn or corrupt and skipped.
    let deadLetterDamagedSegments: Metrics.Counter
    /// Journalled events the database refuses outright, set aside in `rejected-*.dlq` files.
    let deadLetterRejected: Metrics.Counter
    /// Syncs of the journal: each makes every append that waited for it durable at once.
    let deadLetterSyncs: Metrics.Counter
    /// Journalled events whose segment was removed from disk before they were replayed.
    let deadLetterLost: Metrics.Counter
    /// Events retention deleted, row by row or with their partition.
    let retentionPurged: Metrics.Counter
    /// Partitions retention dropped whole.
    let retentionPartitionsDropped: Metrics.Counter
    /// The event_timestamp of the oldest event kept, in seconds since 1970, as of the last
    /// retention run; 0 when none is stored.
    let retentionOldestEvent: Metrics.Gauge
    /// One counter per status code, made on first use.
    private let requestsByStatus = Mutex<[Int: Metrics.Counter]>([:])
    private let factory: PrometheusMetricsFactory

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
        writeDuration = Metrics.Timer(label: Self.writeDurationName, preferredDisplayUnit: .seconds, factory: factory)
        eventsWritten = Metrics.Counter(label: Self.eventsWrittenName, factory: factory)
        validationFailures = Metrics.Counter(label: Self.validationFailuresName, factory: factory)
        deadLetterDepth = Metrics.Gauge(label: Self.deadLetterDepthName, factory: factory)
        deadLetterEnqueued = Metrics.Counter(label: Self.deadLetterEnqueuedName, factory: factory)
        deadLetterReplayed = Metrics.Counter(label: Self.deadLetterReplayedName, factory: factory)
        deadLetterDamagedSegments = Metrics.Counter(label: Self.deadLetterDamagedSegmentsName, factory: factory)
        deadLetterRejected = Metrics.Counter(label: Self.deadLetterRejectedName, factory: factory)
        deadLetterSyncs = Metrics.Counter(label: Self.deadLetterSyncsName, factory: factory)
        deadLetterLost = Metrics.Counter(label: Self.deadLetterLostName, factory: factory)
        retentionPurged = Metrics.Counter(label: Self.retentionPurgedName, factory: factory)
        retentionPartitionsDropped = Metrics.Counter(label: Self.retentionPartitionsDroppedName, factory: factory)
        retentionOldestEvent = Metrics.Gauge(label: Self.retentionOldestEventName, factory: factory)
    }

    func countRequest(status: Int) {
        let counter = requestsByStatus.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = Metrics.Counter(label: Self.httpRequestsName, dimensions: [("status", String(status))], factory: factory)
            counters[status] = counter
            return counter
        }
        counter.increment()
    }

    /// The Prometheus text exposition.
    var exposition: String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Counts every response by status code.
struct RequestCounting<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.countRequest(status: Int(response.status.code))
            return response
        } catch let error as any HTTPResponseError {
            metrics.countRequest(status: Int(error.status.code))
            throw error
        } catch {
            metrics.countRequest(status: 500)
            throw error
        }
    }
}
