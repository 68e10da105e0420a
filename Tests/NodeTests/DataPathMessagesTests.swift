import Coordinator
import Node
import Shard
import Testing
import Wire

/// The messages the data and index roles (and drain, truncation) added to the protocol: each decodes what it
/// encodes, and a body cut short anywhere or carrying a stray byte is a `WireDecodingError`, never a crash or a
/// silently different value.
@Suite struct DataPathMessagesTests {
    func check<M: WireCodable & Equatable>(_ m: M, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var w = WireWriter()
        m.encode(into: &w)
        let bytes = w.bytes
        var r = WireReader(bytes)
        #expect(try M(from: &r) == m, sourceLocation: sourceLocation)
        try r.finish()
        for cut in 0..<bytes.count {
            #expect(throws: WireDecodingError.self, "\(M.self) cut at \(cut) of \(bytes.count)", sourceLocation: sourceLocation) {
                var short = WireReader(Array(bytes.prefix(cut)))
                _ = try M(from: &short)
                try short.finish()
            }
        }
        #expect(throws: WireDecodingError.self, "\(M.self) with a trailing byte", sourceLocation: sourceLocation) {
            var long = WireReader(bytes + [0])
            _ = try M(from: &long)
            try long.finish()
        }
    }

    @Test func requestsAndRepliesRefuseCutAndPaddedBodies() throws {
        let ref = ShardRef(collection: 12, shard: 3)
        try check(UnwatchChannel(ref: ref))
        try check(FlushShard(ref: ref))
        try check(ShardFlushed(ref: ref, channelCheckpoint: LogPosition(77), liveRows: 1000, sealedSegments: 2))
        try check(FlushCollection(collectionID: CollectionID(12)))
        try check(CollectionFlushed(collectionID: CollectionID(12), checkpoints: [LogPosition(5), LogPosition(9)]))
        try check(ChannelAssignments(entries: [
            .init(collectionID: CollectionID(12), shard: 0, node: NodeID(4), watched: true, flushedCheckpoint: LogPosition(3)),
            .init(collectionID: CollectionID(12), shard: 1, node: nil, watched: false, flushedCheckpoint: nil)]))
        try check(BuildSegmentIndex(collectionID: CollectionID(12), shard: 3, segmentID: 8))
        try check(SegmentIndexBuildReply(rows: 500, objects: ["segments/8/built-index-1"], bytes: 82_000, buildMilliseconds: 37))
        try check(IndexNodeStatus(running: 1, queued: 2, done: 3, failed: 0, maxConcurrentBuilds: 1, maxQueuedBuilds: 4))
        try check(DescribeIndexBuilds(collectionID: CollectionID(12)))
        try check(IndexBuildsReply(segments: [
            SegmentIndexBuildStatus(shard: 3, segmentID: 8, rows: 500, state: .finished, node: NodeID(6), attempts: 1,
                                    buildMilliseconds: 37, lastError: ""),
            SegmentIndexBuildStatus(shard: 0, segmentID: 2, rows: 10, state: .pending, node: nil, attempts: 2,
                                    buildMilliseconds: 0, lastError: "node 5 died")]))
        try check(TruncateChannel(channel: ChannelName(collection: 12, shard: 3), below: LogPosition(40)))
        try check(DrainQueryNode(nodeID: NodeID(3), waitMilliseconds: 1000))
    }
}
