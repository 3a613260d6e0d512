import Metrics

/// The store's six metrics, labelled with `service`. Names are the Prometheus ones.
struct AuditMetrics: Sendable {
    static let bufferedName = "audit_events_buffered_total"
    static let droppedName = "audit_events_dropped_total"
    static let writtenName = "audit_events_written_total"
    static let batchesFailedName = "audit_batches_failed_total"
    static let bufferSizeName = "audit_buffer_size"
    static let writeDurationName = "audit_write_duration_seconds"

    /// Every metric name the store emits, for documentation checks.
    static let allNames = [bufferedName, droppedName, writtenName, batchesFailedName, bufferSizeName, writeDurationName]

    let buffered: Counter
    let dropped: Counter
    let written: Counter
    let batchesFailed: Counter
    let bufferSize: Gauge
    let writeDuration: Metrics.Timer

    init(service: String, factory: any MetricsFactory) {
        let dimensions = [("service", service)]
        buffered = Counter(label: Self.bufferedName, dimensions: dimensions, factory: factory)
        dropped = Counter(label: Self.droppedName, dimensions: dimensions, factory: factory)
        written = Counter(label: Self.writtenName, dimensions: dimensions, factory: factory)
        batchesFailed = Counter(label: Self.batchesFailedName, dimensions: dimensions, factory: factory)
        bufferSize = Gauge(label: Self.bufferSizeName, dimensions: dimensions, factory: factory)
        writeDuration = Metrics.Timer(label: Self.writeDurationName, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
    }
}

/// The metric names ``BufferedStore`` emits, for dashboards and alerts.
public enum AuditMetricNames {
    public static let all: [String] = AuditMetrics.allNames
}
