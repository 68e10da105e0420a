import Glibc
import Testing
@testable import Runtime

@Suite(.serialized) struct SignalHandlerTests {
    /// The first element of `stream`, or nil if none arrives within `seconds`.
    func first(_ stream: AsyncStream<Int32>, within seconds: Int) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await s in stream { return s }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let r = await group.next()!
            group.cancelAll()
            return r
        }
    }

    @Test func deliversSignalsToTheStreamInsteadOfTerminating() async throws {
        let handler = try SignalHandler(signals: [SIGUSR1, SIGTERM])
        defer { handler.cancel() }
        // Watchdog: a lost signal finishes the stream (next() → nil, a failure) instead of hanging the test.
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(10))
            handler.cancel()
        }
        defer { watchdog.cancel() }
        var iterator = handler.stream.makeAsyncIterator()
        for round in 0..<20 {  // right after install, and repeatedly
            let sig = round % 2 == 0 ? SIGTERM : SIGUSR1
            kill(getpid(), sig)  // SIGTERM would end the test process without the handler
            #expect(await iterator.next() == sig)
        }
    }

    @Test func signalsSentRightAfterInstallAreNotLost() async throws {
        for _ in 0..<20 {
            let handler = try SignalHandler(signals: [SIGUSR2])
            kill(getpid(), SIGUSR2)
            #expect(await first(handler.stream, within: 5) == SIGUSR2)
            handler.cancel()
        }
    }

    @Test func oneObserverPerSignal() throws {
        let a = try SignalHandler(signals: [SIGUSR1])
        #expect(throws: RuntimeError.self) { _ = try SignalHandler(signals: [SIGUSR1]) }
        #expect(throws: RuntimeError.self) { _ = try SignalHandler(signals: [SIGKILL]) }
        a.cancel()
        let b = try SignalHandler(signals: [SIGUSR1])  // free again
        b.cancel()
    }

    @Test func cancelFinishesTheStream() async throws {
        let handler = try SignalHandler(signals: [SIGUSR2])
        handler.cancel()
        handler.cancel()  // idempotent
        var count = 0
        for await _ in handler.stream { count += 1 }
        #expect(count == 0)
    }

    @Test func brokenPipeBecomesAnError() {
        SignalHandler.ignoreBrokenPipe()
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        var byte: UInt8 = 1
        let n = write(fds[1], &byte, 1)  // would kill the process with SIGPIPE's default action
        #expect(n == -1 && errno == EPIPE)
        close(fds[1])
        #expect(SignalHandler.name(of: SIGTERM) == "SIGTERM")
    }
}
