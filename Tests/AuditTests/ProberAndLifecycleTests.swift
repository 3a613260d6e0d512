@testable import Audit
import Foundation
import Logging
import ServiceLifecycle
import Testing
import TestSupport

private func prober(_ reply: @escaping @Sendable () async throws -> HTTPResponse, clock: ManualClock = ManualClock()) -> DataStorageProber {
    let transport = InMemoryTransport { request, _ in
        #expect(request.path == "/readyz")
        return try await reply()
    }
    return DataStorageProber(client: Client(serverURL: URL(string: "http://datastorage.test")!, transport: transport), timeout: .seconds(2), clock: clock)
}

private func json(_ status: Int, _ body: String) -> HTTPResponse {
    HTTPResponse(statusCode: status, headers: ["Content-Type": "application/json"], body: Data(body.utf8))
}

@Suite("DataStorageProber")
struct ProberTests {
    @Test("200 and 204 pass", arguments: [200, 204])
    func ready(status: Int) async throws {
        try await prober { status == 200 ? json(200, #"{"status":"ready"}"#) : HTTPResponse(statusCode: 204) }.probe()
    }

    @Test("503 and 500 fail, with the code in the error", arguments: [503, 500])
    func notReady(status: Int) async {
        await #expect {
            try await prober { json(status, #"{"status":"not_ready","reason":"database_unreachable"}"#) }.probe()
        } throws: { error in
            guard case ProbeError.notReady(status, let reason) = error else { return false }
            return "\(error)".contains("returned \(status)") && (status == 500 || reason == "database_unreachable")
        }
    }

    @Test("connection refused fails as unreachable")
    func refused() async {
        struct Refused: Error {}
        await #expect {
            try await prober { throw Refused() }.probe()
        } throws: { error in
            guard case ProbeError.unreachable(.transport(_, let underlying)) = error else { return false }
            return underlying is Refused && "\(error)".contains("unreachable")
        }
    }

    @Test("a server that never answers fails after the timeout")
    func hanging() async {
        let clock = ManualClock()
        let probe = Task {
            try await prober({
                try await clock.sleep(for: .seconds(3600))
                return HTTPResponse(statusCode: 200)
            }, clock: clock).probe()
        }
        await clock.waitForSleepers(count: 2)  // the server and the probe's timeout
        clock.advance(by: .seconds(2))
        await #expect(throws: ProbeError.self) { try await probe.value }
    }

    @Test("the readiness gate probes every interval until ready")
    func gate() async throws {
        let clock = ManualClock()
        let attempts = Tally()
        let gate = Task {
            try await prober({
                attempts.increment()
                return attempts.value < 3 ? json(503, #"{"status":"not_ready"}"#) : json(200, #"{"status":"ready"}"#)
            }, clock: clock).waitUntilReady(every: .seconds(15))
        }
        for round in 1...2 {
            await clock.waitForSleeper(until: ManualClock.Instant(offset: .seconds(15 * round)))
            clock.advance(by: .seconds(15))
        }
        try await gate.value
        #expect(attempts.value == 3)
        #expect(clock.requestedSleeps.filter { $0 == .seconds(15) }.count == 2)
    }
}

@Suite("DataStorageReadinessGate")
struct ReadinessGateTests {
    @Test("the gate keeps probing: ready → not ready (503, then unreachable) → ready, logging each change of readiness once; graceful shutdown ends it")
    func followsReadiness() async throws {
        struct Refused: Error {}
        let clock = ManualClock()
        let probes = Tally()
        let logs = LogRecorder()
        let gate = DataStorageReadinessGate(prober: prober({
            probes.increment()
            switch probes.value {
            case 2: return json(503, #"{"status":"not_ready","reason":"database_unreachable"}"#)
            case 3: throw Refused()
            default: return json(200, #"{"status":"ready"}"#)
            }
        }, clock: clock), logger: logs.logger)
        #expect(!gate.isReady)
        guard case .unknown = gate.status else { Issue.record("before the first probe: \(gate.status)"); return }
        let group = ServiceGroup(services: [gate], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var readiness: [Bool] = []
            var reasons: [String] = []
            for probe in 1...4 {
                // The gate sleeps its interval once the probe is done.
                await clock.waitForSleeper(until: ManualClock.Instant(offset: .seconds(15 * probe)))
                readiness.append(gate.isReady)
                if case .notReady(let error) = gate.status { reasons.append("\(error)") }
                clock.advance(by: .seconds(15))
            }
            #expect(readiness == [true, false, false, true])
            #expect(reasons.count == 2 && reasons[0].contains("returned 503: database_unreachable") && reasons[1].contains("unreachable"))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(logs.all.map(\.message) == ["Data Storage ready", "Data Storage not ready", "Data Storage ready"])
        #expect(logs.all.map(\.level) == [.info, .warning, .info])
    }
}

@Suite("ServiceLifecycle")
struct LifecycleTests {
    @Test("graceful shutdown of a ServiceGroup ends run() after writing everything buffered")
    func gracefulShutdown() async throws {
        let harness = try Harness()
        let group = ServiceGroup(services: [harness.store], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0..<5 { try harness.store.store(makeEvent(index)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(harness.fake.writtenEvents.count == 5)
        #expect(throws: AuditStoreError.closed) { try harness.store.store(makeEvent()) }
    }
}
