/// The store's buffer: a first-in, first-out ring of a fixed number of elements that moves
/// them in and out instead of copying them.
///
/// A copy of an event retains every one of its strings and the later destroy releases
/// them again; `Deque.append` copies its argument (it appends inside a closure), and taking
/// a batch as `Array(prefix)` then `removeFirst` copies and destroys each event once more.
/// Here `append` and `take` move, so an event's reference counts are not touched between
/// `store` and the writer.
///
/// The capacity never changes (it is the store's `bufferSize`), and the memory is written
/// once when the ring is made, so that the operating system commits it then: otherwise the
/// first lap would take a page fault every few events, on the producers' path under the lock.
struct RingBuffer<Element>: ~Copyable {
    private let slots: UnsafeMutablePointer<Element>
    let capacity: Int
    /// The slot of the oldest element.
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a ring buffer needs room for one element")
        self.capacity = capacity
        let bytes = capacity * MemoryLayout<Element>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: MemoryLayout<Element>.alignment)
        // Zeros written as bytes (a trivial type), so the memory may then be bound to elements.
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        slots = raw.bindMemory(to: Element.self, capacity: capacity)
    }

    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == capacity }

    /// Appends `element` behind the newest; the ring must not be full.
    mutating func append(_ element: consuming Element) {
        precondition(!isFull, "appending to a full ring buffer")
        (slots + slot(count)).initialize(to: element)
        count += 1
    }

    /// Removes and returns the `n` oldest elements, oldest first.
    mutating func take(_ n: Int) -> [Element] {
        precondition(n >= 0 && n <= count, "taking more elements than the ring holds")
        let (first, second) = ranges(of: n)
        let elements = [Element](unsafeUninitializedCapacity: n) { output, initialized in
            output.baseAddress!.moveInitialize(from: slots + first.lowerBound, count: first.count)
            (output.baseAddress! + first.count).moveInitialize(from: slots + second.lowerBound, count: second.count)
            initialized = n
        }
        head = slot(n)
        count -= n
        return elements
    }

    deinit {
        let (first, second) = ranges(of: count)
        (slots + first.lowerBound).deinitialize(count: first.count)
        (slots + second.lowerBound).deinitialize(count: second.count)
        slots.deallocate()
    }

    /// The slot `offset` places after the oldest.
    private func slot(_ offset: Int) -> Int {
        let index = head + offset
        return index < capacity ? index : index - capacity
    }

    /// The slots of the `n` oldest elements: up to the end of the memory, then from its start.
    private func ranges(of n: Int) -> (Range<Int>, Range<Int>) {
        let untilEnd = min(n, capacity - head)
        return (head..<head + untilEnd, 0..<n - untilEnd)
    }
}
