/// How a ``BufferedStore`` buffers, batches and retries.
public struct AuditConfig: Sendable, Hashable {
    /// Events held in memory before `store` starts dropping (and counting) them.
    ///
    /// The store allocates and commits the whole buffer when it is created,
    /// `bufferSize × MemoryLayout<AuditEvent>.stride` bytes (the events' own strings
    /// aside), so that neither `store` nor a long outage meets an allocation.
    public var bufferSize: Int
    /// Events per write; a full batch is written at once.
    public var batchSize: Int
    /// A partial batch waits at most this long.
    public var flushInterval: Duration
    /// Retries after the first attempt (0: one attempt only).
    public var maxRetries: Int
    /// The wait before retry *n* is `retryBaseDelay × n²` (1 s, 4 s, 9 s by default).
    public var retryBaseDelay: Duration
    /// Spread each wait by up to ± this fraction, so many clients do not retry in step.
    public var retryJitter: Double
    /// One attempt is abandoned (and may be retried) after this long; nil leaves it to the transport.
    public var attemptTimeout: Duration?
    /// Batches written at the same time, so that one batch being retried does not stop the buffer draining.
    public var maxConcurrentBatches: Int
    /// `close()` gives up waiting for the last writes after this long.
    public var closeTimeout: Duration
    /// `flush()` gives up after this long (``BufferedStore/flush(timeout:)`` takes another deadline).
    public var flushTimeout: Duration
    /// Writes slower than this are logged.
    public var slowWriteThreshold: Duration

    public init(
        bufferSize: Int = 10_000,
        batchSize: Int = 1000,
        flushInterval: Duration = .seconds(1),
        maxRetries: Int = 3,
        retryBaseDelay: Duration = .seconds(1),
        retryJitter: Double = 0.1,
        attemptTimeout: Duration? = .seconds(30),
        maxConcurrentBatches: Int = 4,
        closeTimeout: Duration = .seconds(30),
        flushTimeout: Duration = .seconds(30),
        slowWriteThreshold: Duration = .seconds(2)
    ) {
        self.bufferSize = bufferSize
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.maxRetries = maxRetries
        self.retryBaseDelay = retryBaseDelay
        self.retryJitter = retryJitter
        self.attemptTimeout = attemptTimeout
        self.maxConcurrentBatches = maxConcurrentBatches
        self.closeTimeout = closeTimeout
        self.flushTimeout = flushTimeout
        self.slowWriteThreshold = slowWriteThreshold
    }

    /// bufferSize 10000, batchSize 1000, flushInterval 1 s, maxRetries 3.
    public static let `default` = AuditConfig()

    /// The buffer sizes kubernaut recommends per service; unknown services get 30000.
    public static func recommended(for service: String) -> AuditConfig {
        var config = AuditConfig.default
        switch service {
        case "datastorage", "workflowexecution":
            config.bufferSize = 50_000
        case "aianalysis", "ai-analysis", "notification", "notification-controller", "effectivenessmonitor":
            config.bufferSize = 20_000
        case "kubernaut-agent":
            config.bufferSize = 20_000
            config.batchSize = 50
            config.flushInterval = .milliseconds(500)
        default:
            // gateway, signalprocessing, remediation-orchestrator and any other service.
            config.bufferSize = 30_000
        }
        return config
    }

    /// Checks the settings in kubernaut's order and words, stopping at the first problem.
    public func validate() throws(AuditConfigError) {
        guard bufferSize > 0 else { throw .invalid("buffer_size must be positive, got \(bufferSize)") }
        guard batchSize > 0 else { throw .invalid("batch_size must be positive, got \(batchSize)") }
        guard batchSize <= bufferSize else { throw .invalid("batch_size (\(batchSize)) must be <= buffer_size (\(bufferSize))") }
        guard flushInterval > .zero else { throw .invalid("flush_interval must be positive, got \(flushInterval)") }
        guard maxRetries >= 0 else { throw .invalid("max_retries must be non-negative, got \(maxRetries)") }
        guard retryBaseDelay >= .zero else { throw .invalid("retry_base_delay must be non-negative, got \(retryBaseDelay)") }
        guard (0...1).contains(retryJitter) else { throw .invalid("retry_jitter must be between 0 and 1, got \(retryJitter)") }
        guard maxConcurrentBatches > 0 else { throw .invalid("max_concurrent_batches must be positive, got \(maxConcurrentBatches)") }
        guard closeTimeout > .zero else { throw .invalid("close_timeout must be positive, got \(closeTimeout)") }
        guard flushTimeout > .zero else { throw .invalid("flush_timeout must be positive, got \(flushTimeout)") }
        if let attemptTimeout, attemptTimeout <= .zero { throw .invalid("attempt_timeout must be positive, got \(attemptTimeout)") }
    }
}

/// An ``AuditConfig`` that cannot work; the message names the setting.
public enum AuditConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): "invalid audit config: \(message)"
        }
    }
}
