import Foundation

/// Writes whole frames to a socket for any number of concurrent senders, without ever blocking them.
///
/// Frames are never interleaved: one writer at a time, whole frames, in the order `send` was called.
/// Fast path: when nothing is queued and nobody is writing, the caller writes the frame itself with a
/// non-blocking `send` — no thread hand-off, which is what keeps a small call near one syscall. Whatever
/// does not fit in the socket buffer (a large frame, a slow peer) is queued with its offset, and the
/// connection's writer thread finishes it with blocking sends bounded by SO_SNDTIMEO. So a Swift task never
/// blocks in a socket call, and the socket's reader thread is independent of writes (large bodies being
/// written never stop replies from being read).
///
/// Head-of-line blocking: a small frame queued behind a large one waits for it on the same connection;
/// that is why the TCP pool keeps a separate connection for the `.bulk` lane.
final class FrameWriter: @unchecked Sendable {
    private struct Pending {
        var frame: [UInt8]
        var offset: Int
    }

    private let fd: Int32
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var queuedBytes = 0
    private var busy = false
    private var closed = false
    private var flushThenStop = false
    private var threadRunning = false
    private let onFailure: @Sendable (SocketError) -> Void

    /// - Parameter onFailure: called once if a write fails (the connection is then unusable).
    init(fd: Int32, onFailure: @escaping @Sendable (SocketError) -> Void) {
        self.fd = fd
        self.onFailure = onFailure
    }

    /// Starts the writer thread.
    func start(name: String) {
        condition.lock()
        threadRunning = true
        condition.unlock()
        spawnThread(name: name) { self.run() }
    }

    /// Queues `frame` (or writes it at once); false if the writer is closed.
    @discardableResult
    func send(_ frame: [UInt8]) -> Bool {
        condition.lock()
        if closed || flushThenStop {
            condition.unlock()
            return false
        }
        if busy || !queue.isEmpty || !threadRunning {
            queue.append(Pending(frame: frame, offset: 0))
            queuedBytes += frame.count
            condition.signal()
            condition.unlock()
            return true
        }
        busy = true
        condition.unlock()
        var written = 0
        var failure: SocketError?
        let result = frame.withUnsafeBytes { raw in
            Result { () throws(SocketError) in try Socket.send(fd, raw, nonBlocking: true) }
        }
        switch result {
        case .success(let n): written = n
        case .failure(let error): failure = error
        }
        condition.lock()
        busy = false
        if let failure {
            closed = true
            condition.broadcast()
            condition.unlock()
            onFailure(failure)
            return false
        }
        if written < frame.count {
            queue.insert(Pending(frame: frame, offset: written), at: 0)
            queuedBytes += frame.count - written
        }
        // Wake the writer thread: frames were queued while we wrote, or it waits to stop once not busy.
        if !queue.isEmpty || flushThenStop || closed { condition.broadcast() }
        condition.unlock()
        return true
    }

    /// Blocks the calling (reader) thread while more than `limit` bytes wait to be written, so a peer that
    /// stops reading cannot make this side queue replies without bound.
    func waitForRoom(_ limit: Int) {
        condition.lock()
        while queuedBytes > limit && !closed { condition.wait() }
        condition.unlock()
    }

    /// Stops the writer. With `flush`, frames already queued are written first (an error reply before a
    /// close); without, they are dropped.
    func close(flush: Bool) {
        condition.lock()
        if flush { flushThenStop = true } else { closed = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the writer thread has exited (immediately if it never started).
    func waitUntilStopped() {
        condition.lock()
        while threadRunning { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while true {
            while !closed && (busy || queue.isEmpty) && !(flushThenStop && queue.isEmpty && !busy) {
                condition.wait()
            }
            if closed || (flushThenStop && queue.isEmpty && !busy) { break }
            busy = true
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            var failure: SocketError?
            var written = 0
            for item in batch {
                let result = item.frame.withUnsafeBytes { raw in
                    Result { () throws(SocketError) in
                        try Socket.sendAll(fd, UnsafeRawBufferPointer(rebasing: raw[item.offset...]))
                    }
                }
                if case .failure(let error) = result {
                    failure = error
                    break
                }
                written += item.frame.count - item.offset
            }
            condition.lock()
            busy = false
            queuedBytes -= written
            condition.broadcast()
            if let failure {
                closed = true
                condition.unlock()
                onFailure(failure)
                condition.lock()
                break
            }
        }
        closed = true
        // An inline sender may still be inside `send(2)`: the owner closes the descriptor once this thread
        // has stopped, so stop only after that sender is done with it.
        while busy { condition.wait() }
        threadRunning = false
        queue.removeAll()
        queuedBytes = 0
        condition.broadcast()
        condition.unlock()
    }
}

/// Starts a detached OS thread with a small stack (connections cost two threads each).
func spawnThread(name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.name = name
    thread.stackSize = 512 << 10
    thread.start()
}
