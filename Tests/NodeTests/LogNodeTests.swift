import Coordinator
import Foundation
import Runtime
import Shard
import Testing
import TestSupport
import Wire

@testable import Node

@Suite struct LogNodeTests {
    static let a = ChannelName(collection: 7, shard: 0)
    static let b = ChannelName(collection: 7, shard: 1)

    static func append(_ client: any WireClient, _ channel: ChannelName, _ text: String, ts: UInt64,
                       kind: LogRecordKind = .insertBatch) async throws -> AppendAck {
        try await client.call(AppendToChannel(channel: channel, recordKind: kind, timestamp: ts, payload: Array(text.utf8)))
    }

    /// Append, read back, describe, and the empty cases — the same on both transports.
    static func roundTrip(_ client: any WireClient) async throws {
        let first = try await append(client, a, "one", ts: 10)
        let second = try await append(client, a, "two", ts: 11, kind: .deleteBatch)
        let third = try await append(client, b, "", ts: 5, kind: .timeTick)
        #expect(first == AppendAck(position: LogPosition(0), timestamp: 10))
        #expect(second == AppendAck(position: LogPosition(1), timestamp: 11))
        #expect(third == AppendAck(position: LogPosition(0), timestamp: 5))

        let all = try await client.call(ReadChannel(channel: a, from: .start))
        #expect(all.end == LogPosition(2))
        #expect(all.records == [
            ChannelRecord(position: LogPosition(0), recordKind: .insertBatch, timestamp: 10, payload: Array("one".utf8)),
            ChannelRecord(position: LogPosition(1), recordKind: .deleteBatch, timestamp: 11, payload: Array("two".utf8)),
        ])
        let tail = try await client.call(ReadChannel(channel: a, from: LogPosition(1), maxRecords: 1))
        #expect(tail.records.map(\.position) == [LogPosition(1)])
        let atEnd = try await client.call(ReadChannel(channel: a, from: LogPosition(2)))
        #expect(atEnd == ChannelRecords(records: [], end: LogPosition(2)))
        let limited = try await client.call(ReadChannel(channel: a, from: .start, maxRecords: 1))
        #expect(limited.records.count == 1 && limited.end == LogPosition(2))

        #expect(try await client.call(DescribeChannel(channel: a)) == ChannelState(first: .start, end: LogPosition(2), lastTimestamp: 11))
        #expect(try await client.call(DescribeChannel(channel: b)) == ChannelState(first: .start, end: LogPosition(1), lastTimestamp: 5))

        let unknown = ChannelName(collection: 99, shard: 3)
        #expect(try await client.call(ReadChannel(channel: unknown, from: .start)) == ChannelRecords(records: [], end: .start))
        #expect(try await client.call(DescribeChannel(channel: unknown)) == ChannelState(first: .start, end: .start, lastTimestamp: 0))
    }

    @Test func roundTripInMemory() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.memory, directory: dir.path)
        try await Self.roundTrip(f.client)
        await f.stop()
    }

    @Test func roundTripOverTCP() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.tcp, directory: dir.path)
        #expect(f.listener.address.port != 0)
        try await Self.roundTrip(f.client)
        await f.stop()
    }

    @Test func longPollWakesOnAppend() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.tcp, directory: dir.path)
        _ = try await Self.append(f.client, Self.a, "first", ts: 1)
        let client = f.client
        let clock = ContinuousClock()
        let start = clock.now
        let poll = Task { try await client.call(ReadChannel(channel: Self.a, from: LogPosition(1), waitMilliseconds: 8_000)) }
        try await Task.sleep(for: .milliseconds(100))
        _ = try await Self.append(f.client, Self.a, "second", ts: 2)
        let got = try await poll.value
        let waited = clock.now - start
        #expect(got.records.map(\.payload) == [Array("second".utf8)])
        #expect(got.end == LogPosition(2))
        #expect(waited >= .milliseconds(100) && waited < .seconds(4), "long poll returned after \(waited)")

        // A poll that times out returns empty after about its wait.
        let t0 = clock.now
        let empty = try await f.client.call(ReadChannel(channel: Self.a, from: LogPosition(2), waitMilliseconds: 150))
        let elapsed = clock.now - t0
        #expect(empty == ChannelRecords(records: [], end: LogPosition(2)))
        #expect(elapsed >= .milliseconds(140) && elapsed < .seconds(3), "timed-out poll took \(elapsed)")

        // A poll on a channel that does not exist yet wakes when the first append creates it.
        let fresh = ChannelName(collection: 8, shard: 2)
        let created = Task { try await client.call(ReadChannel(channel: fresh, from: .start, waitMilliseconds: 8_000)) }
        try await Task.sleep(for: .milliseconds(50))
        _ = try await Self.append(f.client, fresh, "born", ts: 3)
        #expect(try await created.value.records.map(\.payload) == [Array("born".utf8)])
        // …and times out empty after about its wait when nothing creates it.
        let t1 = clock.now
        let none = try await f.client.call(ReadChannel(channel: ChannelName(collection: 8, shard: 3), from: .start, waitMilliseconds: 150))
        let waitedForNothing = clock.now - t1
        #expect(none == ChannelRecords(records: [], end: .start))
        #expect(waitedForNothing >= .milliseconds(140) && waitedForNothing < .seconds(3), "took \(waitedForNothing)")
        await f.stop()
    }

    @Test func stopEndsLongPollsPromptly() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        var configuration = LogNode.Configuration(dataDirectory: dir.path)
        configuration.ioThreads = 1
        let node = try LogNode(configuration: configuration, logger: Logger(role: "lognode", sink: { _ in }))
        _ = try await node.append(AppendToChannel(channel: Self.a, recordKind: .opaque, timestamp: 1, payload: [1]))
        // More long polls than I/O threads, on an existing channel and on one that does not exist yet.
        let polls = (0..<6).map { i in
            Task { () -> LogNodeError? in
                do {
                    let channel = i % 2 == 0 ? Self.a : ChannelName(collection: 50, shard: i)
                    _ = try await node.read(ReadChannel(channel: channel, from: i % 2 == 0 ? LogPosition(1) : .start, waitMilliseconds: 10_000))
                    return nil
                } catch let error as LogNodeError { return error } catch { return .storage(Self.a, "unexpected \(error)") }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        let clock = ContinuousClock()
        let t0 = clock.now
        await node.stop()
        for poll in polls {
            let outcome = await poll.value
            #expect(outcome == nil || outcome == .shuttingDown, "\(String(describing: outcome))")
        }
        #expect(clock.now - t0 < .seconds(3), "stop and the polls took \(clock.now - t0)")
        await #expect(throws: LogNodeError.shuttingDown) {
            try await node.append(AppendToChannel(channel: Self.a, recordKind: .opaque, timestamp: 1, payload: [1]))
        }
    }

    @Test func timestampsAreMadeNonDecreasing() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.memory, directory: dir.path)
        let stored = [
            try await Self.append(f.client, Self.a, "x", ts: 100).timestamp,
            try await Self.append(f.client, Self.a, "x", ts: 50).timestamp,
            try await Self.append(f.client, Self.a, "x", ts: 100).timestamp,
            try await Self.append(f.client, Self.a, "x", ts: 200).timestamp,
            try await Self.append(f.client, Self.a, "x", ts: 0).timestamp,
        ]
        #expect(stored == [100, 100, 100, 200, 200])
        let records = try await f.client.call(ReadChannel(channel: Self.a, from: .start)).records
        #expect(records.map(\.timestamp) == stored)
        // Another channel has its own clock.
        #expect(try await Self.append(f.client, Self.b, "y", ts: 7).timestamp == 7)
        await f.stop()
    }

    @Test func restartRecoversChannelsPositionsAndTimestamps() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        var f = try await LogNodeFixture.start(.memory, directory: dir.path)
        for i in 0..<5 { _ = try await Self.append(f.client, Self.a, "a\(i)", ts: UInt64(100 + i)) }
        _ = try await Self.append(f.client, Self.b, "b0", ts: 900)
        await f.stop()

        // A stray entry in channels/ is ignored, not fatal.
        try FileManager.default.createDirectory(atPath: dir.path + "/channels/not-a-channel", withIntermediateDirectories: true)
        f = try await LogNodeFixture.start(.memory, directory: dir.path)
        #expect(Set(f.node.channelNames) == [Self.a, Self.b])
        #expect(f.node.refusedChannels.isEmpty)
        #expect(try await f.client.call(DescribeChannel(channel: Self.a)) == ChannelState(first: .start, end: LogPosition(5), lastTimestamp: 104))
        #expect(try await f.client.call(DescribeChannel(channel: Self.b)) == ChannelState(first: .start, end: LogPosition(1), lastTimestamp: 900))
        // The recovered last timestamp still bounds new appends from below; positions continue.
        #expect(try await Self.append(f.client, Self.b, "b1", ts: 1) == AppendAck(position: LogPosition(1), timestamp: 900))
        #expect(try await Self.append(f.client, Self.a, "a5", ts: 105) == AppendAck(position: LogPosition(5), timestamp: 105))
        let records = try await f.client.call(ReadChannel(channel: Self.a, from: .start)).records
        #expect(records.map { String(decoding: $0.payload, as: UTF8.self) } == (0..<6).map { "a\($0)" })
        await f.stop()
    }

    @Test func dropDeletesTheChannel() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.memory, directory: dir.path)
        for i in 0..<3 { _ = try await Self.append(f.client, Self.a, "a\(i)", ts: 50) }
        _ = try await Self.append(f.client, Self.b, "keep", ts: 1)
        // A long poll in flight on the dropped channel is told so.
        let client = f.client
        let poll = Task { await wireError { try await client.call(ReadChannel(channel: Self.a, from: LogPosition(3), waitMilliseconds: 8_000)) } }
        try await Task.sleep(for: .milliseconds(50))
        _ = try await f.client.call(DropChannel(channel: Self.a))
        #expect(await poll.value?.code == .channelDropped)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/channels/c7-s0"))
        #expect(try await f.client.call(DescribeChannel(channel: Self.a)) == ChannelState(first: .start, end: .start, lastTimestamp: 0))
        #expect(try await f.client.call(ReadChannel(channel: Self.a, from: .start)).records.isEmpty)
        _ = try await f.client.call(DropChannel(channel: Self.a))  // idempotent
        // A later append starts the channel afresh; the other channel is untouched.
        #expect(try await Self.append(f.client, Self.a, "new", ts: 1) == AppendAck(position: .start, timestamp: 1))
        #expect(try await f.client.call(DescribeChannel(channel: Self.b)).end == LogPosition(1))
        await f.stop()
        // Nothing of the drop survives a restart.
        let g = try await LogNodeFixture.start(.memory, directory: dir.path)
        #expect(try await g.client.call(DescribeChannel(channel: Self.a)).end == LogPosition(1))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/channels").filter { $0.contains(".dropped-") }
        #expect(leftovers.isEmpty)
        await g.stop()
    }

    @Test func interruptedDropIsFinishedAtStartUp() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.memory, directory: dir.path)
        _ = try await Self.append(f.client, Self.a, "a", ts: 1)
        await f.stop()
        // What a crash between the rename and the deletion leaves behind.
        try FileManager.default.moveItem(atPath: dir.path + "/channels/c7-s0", toPath: dir.path + "/channels/c7-s0.dropped-X")
        let g = try await LogNodeFixture.start(.memory, directory: dir.path)
        #expect(g.node.channelNames.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/channels").isEmpty)
        await g.stop()
    }

    @Test func concurrentAppendersShareFsyncsAndKeepOrder() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.tcp, directory: dir.path)
        let client = f.client
        let appenders = 8, each = 40
        let acks = try await withThrowingTaskGroup(of: [(String, AppendAck)].self) { group in
            for t in 0..<appenders {
                group.addTask {
                    var rng = SplitMix64(seed: 0xA11CE + UInt64(t))
                    var out: [(String, AppendAck)] = []
                    for i in 0..<each {
                        let text = "t\(t)-\(i)"
                        out.append((text, try await Self.append(client, Self.a, text, ts: rng.next() % 1_000)))
                    }
                    return out
                }
            }
            var all: [(String, AppendAck)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(Set(acks.map(\.1.position.rawValue)) == Set(0..<UInt64(appenders * each)))
        let read = try await f.client.call(ReadChannel(channel: Self.a, from: .start))
        #expect(read.records.count == appenders * each)
        for (text, ack) in acks {
            let record = read.records[Int(ack.position.rawValue)]
            #expect(String(decoding: record.payload, as: UTF8.self) == text)
            #expect(record.timestamp == ack.timestamp)
        }
        #expect(zip(read.records, read.records.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        let stats = try #require(f.node.statistics(of: Self.a))
        #expect(stats.appendedRecords == appenders * each)
        #expect(stats.groupCommits < stats.appendedRecords, "no append shared an fsync: \(stats)")
        await f.stop()
    }

    @Test func badRequestsGetTypedErrors() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.tcp, directory: dir.path) {
            $0.maxChannels = 2
            $0.channelOptions.maxRecordBytes = 1024
        }
        _ = try await Self.append(f.client, Self.a, "x", ts: 1)

        // maxRecords 0 (the encoder does not check; the node's decoder does).
        var body = WireWriter()
        ReadChannel(channel: Self.a, from: .start, maxRecords: 0).encode(into: &body)
        #expect(await wireError { try await f.client.call(kind: ReadChannel.kind, body: body, options: CallOptions()) }?.code == .malformedMessage)
        // A wait over the 10 s bound.
        body = WireWriter()
        ReadChannel(channel: Self.a, from: .start, waitMilliseconds: 60_000).encode(into: &body)
        #expect(await wireError { try await f.client.call(kind: ReadChannel.kind, body: body, options: CallOptions()) }?.code == .malformedMessage)
        // An undefined record kind byte.
        body = WireWriter()
        Self.a.encode(into: &body)
        body.writeUInt8(0)
        body.writeUInt64(1)
        body.writeBytes([1, 2, 3])
        #expect(await wireError { try await f.client.call(kind: AppendToChannel.kind, body: body, options: CallOptions()) }?.code == .malformedMessage)
        // A shard number out of range, trailing bytes, an empty body.
        body = WireWriter()
        body.writeInt64(7)
        body.writeUInt32(5000)
        #expect(await wireError { try await f.client.call(kind: DescribeChannel.kind, body: body, options: CallOptions()) }?.code == .malformedMessage)
        body = WireWriter()
        DescribeChannel(channel: Self.a).encode(into: &body)
        body.writeUInt8(1)
        #expect(await wireError { try await f.client.call(kind: DescribeChannel.kind, body: body, options: CallOptions()) }?.code == .malformedMessage)
        #expect(await wireError { try await f.client.call(kind: DropChannel.kind, body: WireWriter(), options: CallOptions()) }?.code == .malformedMessage)

        // A payload over the channel's record limit.
        let big = String(repeating: "z", count: 2048)
        #expect(await wireError { try await Self.append(f.client, Self.a, big, ts: 1) }?.code == .invalidArgument)
        // Positions past the end, also of an unknown channel.
        #expect(await wireError { try await f.client.call(ReadChannel(channel: Self.a, from: LogPosition(5))) }?.code == .invalidArgument)
        #expect(await wireError { try await f.client.call(ReadChannel(channel: Self.b, from: LogPosition(1))) }?.code == .invalidArgument)
        // The channel cap.
        _ = try await Self.append(f.client, Self.b, "x", ts: 1)
        let third = await wireError { try await Self.append(f.client, ChannelName(collection: 9, shard: 0), "x", ts: 1) }
        #expect(third?.code == .limitExceeded)
        #expect(third?.message.contains("2 channels") == true)
        // In-process callers bypass the decoders; the node checks the same ranges.
        for bad in [ReadChannel(channel: Self.a, from: .start, maxRecords: 0), ReadChannel(channel: Self.a, from: .start, maxBytes: 0),
                    ReadChannel(channel: Self.a, from: .start, waitMilliseconds: -1), ReadChannel(channel: ChannelName(collection: 7, shard: -1), from: .start)] {
            await #expect(throws: LogNodeError.self) { try await f.node.read(bad) }
        }
        await #expect(throws: LogNodeError.self) {
            try await f.node.append(AppendToChannel(channel: ChannelName(collection: 7, shard: 1024), recordKind: .opaque, timestamp: 0, payload: []))
        }
        // The node still serves.
        #expect(try await f.client.call(DescribeChannel(channel: Self.a)).end == LogPosition(1))
        await f.stop()
        // A stopped node refuses calls with a retriable error.
        #expect(throws: LogNodeError.shuttingDown) { try f.node.describe(Self.a) }
    }

    @Test func corruptChannelIsRefusedNotFatal() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.memory, directory: dir.path)
        _ = try await Self.append(f.client, Self.a, "a", ts: 1)
        _ = try await Self.append(f.client, Self.b, "b", ts: 1)
        await f.stop()
        // Damage channel a's segment header (its magic).
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/channels/c7-s0").filter { $0.hasSuffix(".seg") }
        let segment = dir.path + "/channels/c7-s0/" + segments[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[0] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: segment))

        let g = try await LogNodeFixture.start(.memory, directory: dir.path)
        #expect(g.node.channelNames == [Self.b])
        #expect(g.node.refusedChannels.keys.sorted(by: { $0.shard < $1.shard }) == [Self.a])
        #expect(await wireError { try await Self.append(g.client, Self.a, "a", ts: 2) }?.code == .channelCorrupt)
        #expect(await wireError { try await g.client.call(ReadChannel(channel: Self.a, from: .start)) }?.code == .channelCorrupt)
        #expect(try await Self.append(g.client, Self.b, "b2", ts: 2).position == LogPosition(1))
        // Dropping it (the collection is gone) clears the refusal and the files.
        _ = try await g.client.call(DropChannel(channel: Self.a))
        #expect(try await Self.append(g.client, Self.a, "fresh", ts: 3).position == .start)
        await g.stop()
    }

    @Test func oneNodePerDataDirectory() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let f = try await LogNodeFixture.start(.memory, directory: dir.path)
        _ = try await Self.append(f.client, Self.a, "a", ts: 1)
        let clock = ContinuousClock()
        let t0 = clock.now
        do {
            _ = try LogNode(configuration: LogNode.Configuration(dataDirectory: dir.path), logger: Logger(role: "lognode", sink: { _ in }))
            Issue.record("a second log node opened the same data directory")
        } catch {
            guard case .dataDirectory(_, let message) = error else { throw error }
            #expect(message.contains("another log node"))
        }
        #expect(clock.now - t0 < .seconds(4))
        await f.stop()
        // Released by stop.
        let g = try await LogNodeFixture.start(.memory, directory: dir.path)
        #expect(try await g.client.call(DescribeChannel(channel: Self.a)).end == LogPosition(1))
        await g.stop()
    }

    @Test func invalidConfigurationIsRejected() {
        var configuration = LogNode.Configuration(dataDirectory: "/tmp/unused")
        configuration.maxChannels = 0
        #expect(throws: LogNodeError.self) { try LogNode(configuration: configuration) }
        configuration.maxChannels = 1
        configuration.ioThreads = 0
        #expect(throws: LogNodeError.self) { try LogNode(configuration: configuration) }
    }

    @Test func channelDirectoryNamesRoundTrip() {
        for name in [ChannelName(collection: 0, shard: 0), ChannelName(collection: 449_000_000_001, shard: 1023),
                     ChannelName(collection: -5, shard: 3)] {
            #expect(ChannelName(directoryName: name.directoryName) == name)
        }
        for bad in ["", "c", "c1", "c1-s", "c1-s1024", "cx-s1", "c01-s1", "c1-s01", "d1-s1", "c1-s1.dropped-X"] {
            #expect(ChannelName(directoryName: bad) == nil, "\(bad)")
        }
    }
}
