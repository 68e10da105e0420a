import Dispatch
import HTTP
import Net
import Synchronization

/// Dedicated OS threads that carry requests to upstreams over blocking keep-alive connections, so socket
/// waits never occupy Swift's cooperative pool (two threads on this machine). Each thread keeps its own
/// connection per upstream; a request waits in a FIFO queue until a thread is free.
///
/// Threads, not an event loop: one thread per concurrent upstream request is simple and holds tens of
/// thousands of requests per second here (../shared/design/swift-on-linux.md); `threads` bounds both the
/// concurrency toward the upstreams and the memory.
final class ForwardingPool: Sendable {
    struct Job: Sendable {
        let upstream: Int
        let request: [UInt8]
        let idempotent: Bool
        let done: @Sendable (Result<HTTPClientReply, HTTPClientFailure>) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var head = 0
        var stopping = false
    }

    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let threads: Mutex<[OSThread]> = Mutex([])
    private let addresses: [SocketAddress]
    private let connectTimeout: Double
    private let requestTimeout: Double

    init(upstreams: [SocketAddress], threads count: Int, connectTimeout: Double, requestTimeout: Double) throws {
        addresses = upstreams
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        var started: [OSThread] = []
        for i in 0..<count {
            started.append(try OSThread(name: "gw-fwd-\(i)") { [self] in self.run() })
        }
        threads.withLock { $0 = started }
    }

    /// Sends `request` (complete HTTP/1.1 request bytes) to upstream `index` and returns its reply.
    func forward(_ request: [UInt8], idempotent: Bool, to index: Int) async -> Result<HTTPClientReply, HTTPClientFailure> {
        await withCheckedContinuation { (c: CheckedContinuation<Result<HTTPClientReply, HTTPClientFailure>, Never>) in
            let accepted = queue.withLock { q -> Bool in
                if q.stopping { return false }
                q.jobs.append(Job(upstream: index, request: request, idempotent: idempotent) { c.resume(returning: $0) })
                return true
            }
            if accepted { wake.signal() } else { c.resume(returning: .failure(.connection)) }
        }
    }

    /// Stops the threads after the queued jobs are done.
    func shutdown() {
        let all = threads.withLock { t -> [OSThread] in
            let copy = t
            t = []
            return copy
        }
        queue.withLock { $0.stopping = true }
        for _ in all { wake.signal() }
        for t in all { t.join() }
    }

    private func next() -> Job? {
        while true {
            wake.wait()
            let job = queue.withLock { q -> Job?? in
                if q.head < q.jobs.count {
                    let j = q.jobs[q.head]
                    q.head += 1
                    if q.head > 1024 && q.head * 2 > q.jobs.count {
                        q.jobs.removeFirst(q.head)
                        q.head = 0
                    }
                    return .some(j)
                }
                return q.stopping ? .some(nil) : .none
            }
            if let job { return job }
        }
    }

    private func run() {
        var connections: [Int: HTTPClientConnection] = [:]
        defer { for c in connections.values { c.close() } }
        while let job = next() {
            let connection: HTTPClientConnection
            if let c = connections[job.upstream] {
                connection = c
            } else {
                connection = HTTPClientConnection(address: addresses[job.upstream], connectTimeout: connectTimeout,
                                                  requestTimeout: requestTimeout)
                connections[job.upstream] = connection
            }
            job.done(connection.exchange(job.request, idempotent: job.idempotent))
        }
    }
}
