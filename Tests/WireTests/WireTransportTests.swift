import Foundation
import Testing

@testable import Wire

/// The same call scenarios over the in-memory transport and over TCP on 127.0.0.1.
@Suite struct WireTransportTests {
    @Test(arguments: TransportKind.allCases)
    func smallAndSearchCallsRoundTrip(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let r1 = try await h.client.call(Echo(text: "ping"))
            #expect(r1 == EchoReply(text: "ping"))
            var rng = SeededGenerator(seed: 1)
            let search = Search(vector: (0..<384).map { _ in Float.random(in: -1...1, using: &rng) }, topK: 10, filter: "x > 1")
            let r2 = try await h.client.call(search)
            #expect(r2 == SearchHits.expected(for: search))
            let r3 = try await h.client.call(Echo(text: ""))
            #expect(r3 == EchoReply(text: ""))
        }
    }

    @Test(arguments: TransportKind.allCases)
    func manyConcurrentCallsAreMatchedToTheirReplies(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let client = h.client
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<300 {
                    group.addTask {
                        if i % 3 == 0 {
                            let s = Search(vector: [Float](repeating: Float(i), count: 384), topK: 10, filter: nil)
                            let hits = try await client.call(s)
                            #expect(hits == SearchHits.expected(for: s))
                        } else {
                            let text = "call-\(i)-" + String(repeating: "x", count: i)
                            let r4 = try await client.call(Echo(text: text)).text
                            #expect(r4 == text)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test(arguments: TransportKind.allCases)
    func deadlineEndsTheCallAndCancelsTheHandler(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            _ = try await h.client.call(Echo(text: "connect first, so the deadline covers only the call"))
            let start = ContinuousClock.now
            let error = await wireError { _ = try await h.client.call(Sleep(millis: 30_000), options: CallOptions(timeout: .milliseconds(300))) }
            #expect(error?.code == .deadlineExceeded)
            #expect(error?.retriable == true)
            // Far below the handler's 30 s; generous because parallel debug-mode tests load both cores.
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(await eventually { h.probe.cancelled.load(ordering: .relaxed) == 1 }, "server handler was not cancelled")
            let r5 = try await h.client.call(Echo(text: "still fine")).text
            #expect(r5 == "still fine")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func cancellingTheTaskEndsTheCallAndCancelsTheHandler(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let client = h.client
            let start = ContinuousClock.now
            let task = Task { await wireError { _ = try await client.call(Sleep(millis: 30_000)) } }
            #expect(await eventually { h.probe.started.load(ordering: .relaxed) == 1 })
            task.cancel()
            let error = await task.value
            #expect(error?.code == .cancelled)
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(await eventually { h.probe.cancelled.load(ordering: .relaxed) == 1 }, "server handler was not cancelled")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func aCallFromAnAlreadyCancelledTaskFailsAtOnce(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let client = h.client
            _ = try await client.call(Echo(text: "warm up"))
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return await wireError { _ = try await client.call(Sleep(millis: 5000)) }
            }
            #expect(await task.value?.code == .cancelled)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func handlerErrorsArriveTyped(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let typed = await wireError { _ = try await h.client.call(Fail(code: 1234, retriable: true, message: "boom")) }
            #expect(typed == WireError(WireError.Code(1234), retriable: true, "boom"))
            let plain = await wireError { _ = try await h.client.call(Fail(code: 0, retriable: false, message: "")) }
            #expect(plain?.code == .handlerFailed)
            #expect(plain?.message.contains("plain Swift error") == true)
            let convertible = await wireError { _ = try await h.client.call(Fail(code: 1, retriable: false, message: "convertible")) }
            #expect(convertible == RoleError().wireError)
            let unknown = await wireError { _ = try await h.client.call(Unrouted()) }
            #expect(unknown?.code == .unknownKind)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func malformedRequestBodiesGetMalformedMessage(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            var body = WireWriter()
            body.writeVarUInt(50)  // a string length with no bytes behind it
            let truncated = await wireError { _ = try await h.client.call(kind: Echo.kind, body: body, options: CallOptions()) }
            #expect(truncated?.code == .malformedMessage)
            var extra = WireWriter()
            extra.writeString("ok")
            extra.writeUInt8(9)
            let trailing = await wireError { _ = try await h.client.call(kind: Echo.kind, body: extra, options: CallOptions()) }
            #expect(trailing?.code == .malformedMessage)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func largeBodiesTravelBesideSmallCalls(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let client = h.client
            let big = Search(vector: (0..<(1 << 20)).map { Float($0) }, topK: 5, filter: nil)  // 4 MiB
            async let bigHits = client.call(big)
            for i in 0..<50 { let r6 = try await client.call(Echo(text: "\(i)")).text; #expect(r6 == "\(i)") }
            let r7 = try await bigHits
            #expect(r7 == SearchHits.expected(for: big))
        }
    }

    @Test(arguments: TransportKind.allCases)
    func requestsOverTheFrameLimitFailLocally(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            var body = WireWriter()
            body.writeBytes([UInt8](repeating: 1, count: 17 << 20))
            let error = await wireError { _ = try await h.client.call(kind: Echo.kind, body: body, options: CallOptions()) }
            #expect(error?.code == .frameTooLarge)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func repliesOverTheFrameLimitBecomeErrorsAndTheConnectionSurvives(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let error = await wireError { _ = try await h.client.call(Blob(count: 17 << 20)) }
            #expect(error?.code == .frameTooLarge)
            let ok = try await h.client.call(Blob(count: 1000))
            #expect(ok.bytes.count == 1000)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func nothingListeningIsUnavailable(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let address = h.address
            await h.listener.stop()
            let error = await wireError { _ = try await h.transport.client(for: address).call(Echo(text: "x")) }
            #expect(error?.code == .unavailable || error?.code == .connectionClosed)
            #expect(error?.retriable == true)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func callsReconnectAfterTheServerRestarts(kind: TransportKind) async throws {
        try await Harness.with(kind) { h in
            let client = h.client
            let r8 = try await client.call(Echo(text: "before")).text
            #expect(r8 == "before")
            await h.listener.stop()
            let down = await wireError { _ = try await client.call(Echo(text: "down")) }
            #expect(down?.retriable == true, "\(String(describing: down))")
            let restarted = try await h.transport.listen(on: h.address, handler: makeRouter(Probe()))
            defer { Task { await restarted.stop() } }
            var reply: EchoReply?
            let end = ContinuousClock.now + .seconds(5)
            while reply == nil && ContinuousClock.now < end {
                do {
                    reply = try await client.call(Echo(text: "after"))
                } catch {
                    #expect((error as? WireError)?.retriable == true, "\(error)")
                    try await Task.sleep(for: .milliseconds(25))
                }
            }
            #expect(reply?.text == "after")
            await restarted.stop()
        }
    }
}
