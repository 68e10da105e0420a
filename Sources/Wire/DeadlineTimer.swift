import Foundation

/// Runs actions at deadlines on one dedicated thread, so call deadlines fire even when Swift's cooperative
/// pool is saturated (`Task.sleep` there starves behind CPU-bound work; see swift-on-linux.md).
///
/// A min-heap of (deadline, token); cancelling removes the action and leaves the heap entry to be skipped.
/// When stale entries outnumber live ones the heap is rebuilt, so memory stays proportional to the live
/// timers even with a long default timeout and millions of calls that finish early.
final class DeadlineTimer: @unchecked Sendable {
    static let shared = DeadlineTimer()

    private struct Entry {
        var deadline: ContinuousClock.Instant
        var token: UInt64
    }

    private let condition = NSCondition()
    private var heap: [Entry] = []
    private var actions: [UInt64: @Sendable () -> Void] = [:]
    private var nextToken: UInt64 = 1
    private var started = false

    /// Schedules `action` at `deadline`; returns a token for `cancel`.
    func schedule(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            let thread = Thread { [unowned self] in self.run() }
            thread.name = "wire-deadlines"
            thread.stackSize = 256 << 10
            thread.start()
        }
        let token = nextToken
        nextToken += 1
        actions[token] = action
        push(Entry(deadline: deadline, token: token))
        if heap[0].token == token { condition.signal() }
        return token
    }

    /// Cancels a scheduled action; no effect if it already ran.
    func cancel(_ token: UInt64) {
        condition.lock()
        actions.removeValue(forKey: token)
        if heap.count > 64 && heap.count > 2 * actions.count {
            heap.removeAll { actions[$0.token] == nil }
            for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            while let top = heap.first, actions[top.token] == nil { popTop() }
            guard let top = heap.first else {
                condition.wait()
                continue
            }
            let now = ContinuousClock.now
            if top.deadline <= now {
                popTop()
                if let action = actions.removeValue(forKey: top.token) {
                    condition.unlock()
                    action()
                    condition.lock()
                }
            } else {
                let wait = now.duration(to: top.deadline)
                let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18
                _ = condition.wait(until: Date(timeIntervalSinceNow: seconds))
            }
        }
    }

    private func push(_ entry: Entry) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].deadline <= heap[i].deadline { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    private func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && heap[l].deadline < heap[m].deadline { m = l }
            if r < heap.count && heap[r].deadline < heap[m].deadline { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
