import Foundation

/// The caller's table of calls in flight on one connection: request id → waiting continuation.
///
/// Each call completes exactly once, by whichever comes first: its reply, its deadline (on
/// `DeadlineTimer`'s thread), its task's cancellation, or the connection closing. The loser finds the
/// entry gone and does nothing. When a call is abandoned (deadline or cancellation) `abandon` runs so the
/// transport can tell the server to stop working on it.
final class PendingCalls: @unchecked Sendable {
    private struct Entry {
        var continuation: CheckedContinuation<WireReader, any Error>
        var timer: UInt64?
    }

    private let lock = NSLock()
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 1
    private var closedError: WireError?

    /// A request id not used by any call in flight.
    func makeRequestID() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        let id = nextID
        nextID &+= 1
        if nextID == 0 { nextID = 1 }
        return id
    }

    /// Number of calls in flight.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    /// Registers call `id`, runs `send` (which puts the request on its way) and waits for the outcome.
    ///
    /// - Parameters:
    ///   - deadline: when to give up with `deadlineExceeded`.
    ///   - send: starts the request; returning an error fails the call with it.
    ///   - abandon: runs (once) if the call ends by deadline or cancellation.
    func call(
        id: UInt64, deadline: ContinuousClock.Instant, send: () -> WireError?,
        abandon: @escaping @Sendable (UInt64) -> Void
    ) async throws(WireError) -> WireReader {
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WireReader, any Error>) in
                    lock.lock()
                    if let error = closedError {
                        lock.unlock()
                        continuation.resume(throwing: error)
                        return
                    }
                    entries[id] = Entry(continuation: continuation, timer: nil)
                    lock.unlock()
                    let token = DeadlineTimer.shared.schedule(at: deadline) { [weak self] in
                        guard let self else { return }
                        if self.fail(id, WireError(.deadlineExceeded, retriable: true, "call timed out")) {
                            abandon(id)
                        }
                    }
                    lock.lock()
                    if entries[id] != nil {
                        entries[id]!.timer = token
                        lock.unlock()
                    } else {
                        lock.unlock()
                        DeadlineTimer.shared.cancel(token)
                    }
                    if Task.isCancelled {
                        if fail(id, WireError(.cancelled, "the calling task was cancelled")) { abandon(id) }
                        return
                    }
                    if let error = send() { fail(id, error) }
                }
            } onCancel: {
                if fail(id, WireError(.cancelled, "the calling task was cancelled")) { abandon(id) }
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.handlerFailed, "unexpected error: \(error)")
        }
    }

    /// Completes call `id` with a reply; returns false if it had already ended (late reply, ignored).
    @discardableResult
    func complete(_ id: UInt64, with result: Result<WireReader, WireError>) -> Bool {
        lock.lock()
        guard let entry = entries.removeValue(forKey: id) else {
            lock.unlock()
            return false
        }
        lock.unlock()
        if let timer = entry.timer { DeadlineTimer.shared.cancel(timer) }
        switch result {
        case .success(let reader): entry.continuation.resume(returning: reader)
        case .failure(let error): entry.continuation.resume(throwing: error)
        }
        return true
    }

    /// Fails call `id`; returns whether it was still pending.
    @discardableResult
    func fail(_ id: UInt64, _ error: WireError) -> Bool {
        complete(id, with: .failure(error))
    }

    /// Fails every call in flight and every later call with `error` (the connection is gone).
    func close(_ error: WireError) {
        lock.lock()
        if closedError == nil { closedError = error }
        let all = entries
        entries.removeAll()
        lock.unlock()
        for (_, entry) in all {
            if let timer = entry.timer { DeadlineTimer.shared.cancel(timer) }
            entry.continuation.resume(throwing: error)
        }
    }
}
