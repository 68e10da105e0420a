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
        /// The request has been handed to the transport, so abandoning it must notify the server.
        var sent = false
    }

    private let lock = NSLock()
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 1
    private var closedError: WireError?
    /// Calls ended early (cancelled) while their `send` was still running: the sender abandons them.
    private var endedWhileSending: Set<UInt64> = []

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
    /// The deadline timer starts only after `send` has queued the request, and `abandon` runs only for a
    /// request that was sent — so a CANCEL frame can never overtake its request on the connection.
    ///
    /// - Parameters:
    ///   - deadline: when to give up with `deadlineExceeded`; already past → fails without sending.
    ///   - send: starts the request; returning an error fails the call with it.
    ///   - abandon: runs (once) if a sent call ends by deadline or cancellation.
    func call(
        id: UInt64, deadline: ContinuousClock.Instant, send: () -> WireError?,
        abandon: @escaping @Sendable (UInt64) -> Void
    ) async throws(WireError) -> WireReader {
        guard ContinuousClock.now < deadline else {
            throw WireError(.deadlineExceeded, retriable: true, "the call's deadline passed before it was sent")
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WireReader, any Error>) in
                    lock.lock()
                    if let error = closedError {
                        lock.unlock()
                        continuation.resume(throwing: error)
                        return
                    }
                    entries[id] = Entry(continuation: continuation)
                    lock.unlock()
                    if Task.isCancelled {
                        end(id, WireError(.cancelled, "the calling task was cancelled"), abandon: abandon)
                        lock.withLock { _ = endedWhileSending.remove(id) }
                        return
                    }
                    if let error = send() {
                        end(id, error, abandon: abandon)
                        lock.withLock { _ = endedWhileSending.remove(id) }
                        return
                    }
                    lock.lock()
                    guard entries[id] != nil else {
                        // Ended while sending. If it was cancelled (not answered), the canceller saw
                        // `sent == false` and left abandoning to us.
                        let cancelled = endedWhileSending.remove(id) != nil
                        lock.unlock()
                        if cancelled { abandon(id) }
                        return
                    }
                    entries[id]!.sent = true
                    entries[id]!.timer = DeadlineTimer.shared.schedule(at: deadline) { [weak self] in
                        self?.end(id, WireError(.deadlineExceeded, retriable: true, "call timed out"), abandon: abandon)
                    }
                    lock.unlock()
                }
            } onCancel: {
                end(id, WireError(.cancelled, "the calling task was cancelled"), abandon: abandon)
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.handlerFailed, "unexpected error: \(error)")
        }
    }

    /// Ends call `id` early with `error`, abandoning it at the server if it was sent.
    private func end(_ id: UInt64, _ error: WireError, abandon: @Sendable (UInt64) -> Void) {
        lock.lock()
        guard let entry = entries.removeValue(forKey: id) else {
            lock.unlock()
            return
        }
        if !entry.sent { endedWhileSending.insert(id) }
        lock.unlock()
        if let timer = entry.timer { DeadlineTimer.shared.cancel(timer) }
        entry.continuation.resume(throwing: error)
        if entry.sent { abandon(id) }
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

    /// Fails call `id` (a reply carried an error, or the send failed); returns whether it was pending.
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
