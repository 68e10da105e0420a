import Foundation
import Shard
import Testing
import Wire

@testable import Node

/// `TruncateChannel`: whole segments below the position go, reads below the new start get the typed
/// `channelTruncated`, the rest reads as before, a restart keeps the truncation.
@Suite struct LogNodeTruncationTests {
    static let channel = ChannelName(collection: 9, shard: 1)

    static func fill(_ client: any WireClient, count: Int) async throws {
        for i in 0..<count {
            _ = try await client.call(AppendToChannel(channel: channel, recordKind: .insertBatch, timestamp: UInt64(i + 1),
                                                      payload: [UInt8](repeating: UInt8(i % 251), count: 1500)))
        }
    }

    @Test func truncationDeletesWholeSegmentsAndReadsBelowAreTyped() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        var f = try await LogNodeFixture.start(.memory, directory: dir.path) { $0.channelOptions.segmentBytes = 4096 }
        try await Self.fill(f.client, count: 20)
        // An unknown channel is left alone; past the end is refused.
        let unknown = try await f.client.call(TruncateChannel(channel: ChannelName(collection: 9, shard: 2), below: LogPosition(5)))
        #expect(unknown == ChannelState(first: .start, end: .start, lastTimestamp: 0))
        #expect(await wireError { try await f.client.call(TruncateChannel(channel: Self.channel, below: LogPosition(21))) }?.code
                == .invalidArgument)

        let state = try await f.client.call(TruncateChannel(channel: Self.channel, below: LogPosition(10)))
        #expect(state.first > .start && state.first <= LogPosition(10) && state.end == LogPosition(20))
        let below = await wireError { try await f.client.call(ReadChannel(channel: Self.channel, from: LogPosition(0))) }
        #expect(below?.code == .channelTruncated && below?.message.contains("oldest is") == true)
        let kept = try await f.client.call(ReadChannel(channel: Self.channel, from: state.first, maxRecords: 100))
        #expect(kept.records.first?.position == state.first && kept.records.last?.position == LogPosition(19))
        #expect(try await f.client.call(TruncateChannel(channel: Self.channel, below: LogPosition(3))) == state, "never moves back")

        await f.stop()
        f = try await LogNodeFixture.start(.memory, directory: dir.path) { $0.channelOptions.segmentBytes = 4096 }
        #expect(try await f.client.call(DescribeChannel(channel: Self.channel)) == state)
        await f.stop()
    }
}
