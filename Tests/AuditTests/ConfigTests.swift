@testable import Audit
import Testing

@Suite("AuditConfig")
struct ConfigTests {
    @Test("defaults: buffer 10000, batch 1000, flush 1 s, 3 retries")
    func defaults() {
        let config = AuditConfig.default
        #expect(config.bufferSize == 10_000)
        #expect(config.batchSize == 1000)
        #expect(config.flushInterval == .seconds(1))
        #expect(config.maxRetries == 3)
        #expect(config.closeTimeout == .seconds(30))
        #expect(config.flushTimeout == .seconds(30))
        #expect(throws: Never.self) { try config.validate() }
    }

    @Test("recommended buffer sizes per service", arguments: [
        ("datastorage", 50_000), ("workflowexecution", 50_000), ("gateway", 30_000), ("signalprocessing", 30_000),
        ("remediation-orchestrator", 30_000), ("something-new", 30_000), ("aianalysis", 20_000), ("ai-analysis", 20_000),
        ("notification", 20_000), ("notification-controller", 20_000), ("effectivenessmonitor", 20_000), ("kubernaut-agent", 20_000),
    ])
    func recommended(service: String, bufferSize: Int) {
        let config = AuditConfig.recommended(for: service)
        #expect(config.bufferSize == bufferSize)
        #expect(config.batchSize == (service == "kubernaut-agent" ? 50 : 1000))
        #expect(config.flushInterval == (service == "kubernaut-agent" ? .milliseconds(500) : .seconds(1)))
        #expect(config.maxRetries == 3)
    }

    @Test("each rule, in kubernaut's words, at 0 and -1", arguments: [0, -1])
    func rules(value: Int) {
        func message(_ change: (inout AuditConfig) -> Void) -> String? {
            var config = AuditConfig.default
            change(&config)
            do {
                try config.validate()
                return nil
            } catch {
                guard case .invalid(let text) = error else { return nil }
                return text
            }
        }
        #expect(message { $0.bufferSize = value } == "buffer_size must be positive, got \(value)")
        #expect(message { $0.batchSize = value } == "batch_size must be positive, got \(value)")
        #expect(message { $0.flushInterval = .seconds(value) } == "flush_interval must be positive, got \(Duration.seconds(value))")
        if value < 0 { #expect(message { $0.maxRetries = value } == "max_retries must be non-negative, got \(value)") }
        #expect(message { $0.maxRetries = 0 } == nil, "maxRetries 0 is valid")
        #expect(message { $0.closeTimeout = .seconds(value) } == "close_timeout must be positive, got \(Duration.seconds(value))")
        #expect(message { $0.flushTimeout = .seconds(value) } == "flush_timeout must be positive, got \(Duration.seconds(value))")
        #expect(message { $0.batchSize = 20_000 } == "batch_size (20000) must be <= buffer_size (10000)")
    }

    @Test("an invalid config is a thrown error, not a silent fallback")
    func storeRejectsInvalidConfig() {
        var config = AuditConfig.default
        config.batchSize = 0
        #expect(throws: AuditConfigError.invalid("batch_size must be positive, got 0")) {
            try Harness(config: config)
        }
        #expect(throws: AuditConfigError.invalid("service must not be empty")) {
            try BufferedStore(client: Client(serverURL: URL(string: "http://x")!, transport: FakeDataStorage()), service: "", logger: LogRecorder().logger)
        }
    }
}

import Foundation
