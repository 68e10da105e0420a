import Synchronization
import Wire

/// Asks the log node for a channel's current end on behalf of Strong readers, sharing one `DescribeChannel`
/// among every reader waiting at the time it is sent.
///
/// A reader may only use an answer to a request sent after it arrived (an older request could have been
/// served before a write the reader must see). So at most one request is in flight; readers arriving
/// meanwhile join the next round, which is sent as soon as the current one returns. Under any number of
/// concurrent readers the log node sees at most one request per round trip per channel.
final class ChannelEndProbe: Sendable {
    private struct State {
        var inFlight = false
        var waiting: [CheckedContinuation<Result<ChannelState, WireError>, Never>] = []
    }

    private let client: any WireClient
    private let channel: ChannelName
    private let timeout: Duration
    private let state = Mutex(State())

    init(client: any WireClient, channel: ChannelName, timeout: Duration) {
        self.client = client
        self.channel = channel
        self.timeout = timeout
    }

    /// The channel's state as of a moment after this call began.
    func fetch() async throws(WireError) -> ChannelState {
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<ChannelState, WireError>, Never>) in
            let start = state.withLock { s -> Bool in
                s.waiting.append(c)
                if s.inFlight { return false }
                s.inFlight = true
                return true
            }
            if start { Task { await self.runRounds() } }
        }
        return try result.get()
    }

    /// Sends rounds until nobody waits.
    private func runRounds() async {
        while true {
            let batch = state.withLock { s -> [CheckedContinuation<Result<ChannelState, WireError>, Never>] in
                let b = s.waiting
                s.waiting = []
                if b.isEmpty { s.inFlight = false }
                return b
            }
            if batch.isEmpty { return }
            let result: Result<ChannelState, WireError>
            do {
                result = .success(try await client.call(DescribeChannel(channel: channel), options: CallOptions(timeout: timeout)))
            } catch {
                result = .failure(error)
            }
            for c in batch { c.resume(returning: result) }
        }
    }
}
