@testable import Audit
import Testing

@Suite("RingBuffer")
struct RingBufferTests {
    @Test("elements come out oldest first, across the end of the ring's memory")
    func fifoAcrossTheWrap() {
        var ring = RingBuffer<Int>(capacity: 5)
        for value in 0..<4 { ring.append(value) }
        #expect(ring.take(3) == [0, 1, 2])
        // Slots 3, 4, 0, 1 and 2 now: the last three wrap round to the start of the memory.
        for value in 4..<8 { ring.append(value) }
        // #expect cannot take a noncopyable value apart, so its properties are read first.
        let (full, count) = (ring.isFull, ring.count)
        #expect(full && count == 5)
        #expect(ring.take(2) == [3, 4])
        #expect(ring.take(3) == [5, 6, 7])
        let empty = ring.isEmpty
        #expect(empty)
        #expect(ring.take(0).isEmpty)
    }

    @Test("an event comes out equal to what went in")
    func eventsKeepEveryField() {
        var ring = RingBuffer<AuditEvent>(capacity: 2)
        let event = makeEvent(42, correlationID: "rr-ring")
        ring.append(event)
        #expect(ring.take(1) == [event])
    }

    @Test("a buffered event takes about 470 bytes, as the README's buffer sizing says")
    func slotSize() {
        #expect((440...500).contains(MemoryLayout<AuditEvent>.stride), "\(MemoryLayout<AuditEvent>.stride) bytes")
    }

    /// Counts how many of its instances are alive.
    final class Tracked {
        let alive: Tally
        init(_ alive: Tally) {
            self.alive = alive
            alive.increment()
        }
        deinit { alive.decrement() }
    }

    @Test("elements are moved, neither copied nor lost: taken ones live on, the rest die with the ring")
    func ownershipAcrossTheWrap() {
        let alive = Tally()
        var taken: [Tracked] = []
        do {
            var ring = RingBuffer<Tracked>(capacity: 3)
            for _ in 0..<3 { ring.append(Tracked(alive)) }
            taken = ring.take(2)
            ring.append(Tracked(alive))
            ring.append(Tracked(alive))
            #expect(alive.value == 5)
            taken += ring.take(1)
            #expect(alive.value == 5)
            // Two remain, in slots 0 and 1 after the wrap; the ring's end destroys them.
        }
        #expect(alive.value == 3)
        taken.removeAll()
        #expect(alive.value == 0)
    }
}
