import Coordinator
import Foundation
import Node
import Runtime
import Shard
import Testing
import Wire

/// The index node over an in-memory network: builds a flushed segment's index objects, which a reopened
/// shard then loads; idempotent and joined repeats; bounded concurrency with a retriable refusal; bad
/// requests get typed errors.
@Suite struct IndexNodeTests {
    static let address = WireAddress(host: "indexnode", port: 1)

    struct Harness {
        let root: String
        let scratch: String
        let node: IndexNode
        let client: any WireClient
        let listener: any WireListener

        init(maxConcurrent: Int = 1, maxQueued: Int = 4) async throws {
            root = FlushedShards.temporaryDirectory("objects")
            scratch = FlushedShards.temporaryDirectory("scratch")
            var c = IndexNode.Configuration(objectStore: root)
            c.maxConcurrentBuilds = maxConcurrent
            c.maxQueuedBuilds = maxQueued
            c.threadsPerBuild = 1
            c.niceness = 0
            node = try IndexNode(configuration: c, logger: Logger(role: "indexnode", sink: { _ in }))
            let network = InMemoryNetwork()
            listener = try await network.listen(on: IndexNodeTests.address, handler: node.router())
            client = network.client(for: IndexNodeTests.address)
        }

        func close() async {
            await listener.stop()
            await node.close()
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }

    @Test func buildsASegmentsIndexThatTheShardThenLoads() async throws {
        let h = try await Harness()
        defer { Task { await h.close() } }
        let c = CollectionID(7)
        try FlushedShards.write(root: h.root, scratch: h.scratch, collection: c, shard: 1, segments: 2, rows: 400)
        let reply = try await h.client.call(BuildSegmentIndex(collectionID: c, shard: 1, segmentID: 1))
        #expect(reply.rows == 400 && reply.objects == ["segments/0000000000000001/built-index-1"] && reply.bytes > 0)
        #expect(reply.buildMilliseconds >= 0)
        let again = try await h.client.call(BuildSegmentIndex(collectionID: c, shard: 1, segmentID: 1))
        #expect(again.objects.isEmpty && again.rows == 400, "nothing left to build")
        let status = try await h.client.call(DescribeIndexNode())
        #expect(status.done == 2 && status.running == 0 && status.queued == 0 && status.failed == 0)

        let shard = try FlushedShards.reopen(root: h.root, scratch: h.scratch, collection: c, shard: 1)
        defer { shard.close() }
        #expect(shard.statistics.indexObjectsLoaded == 1, "segment 1 loads the built object")
        #expect(shard.statistics.indexesBuiltOnLoad == 1, "segment 2 has none yet and is built in memory")
    }

    @Test func missingSegmentsAndShardsAreTypedErrors() async throws {
        let h = try await Harness()
        defer { Task { await h.close() } }
        let c = CollectionID(8)
        try FlushedShards.write(root: h.root, scratch: h.scratch, collection: c, shard: 0, segments: 1, rows: 50)
        for request in [BuildSegmentIndex(collectionID: c, shard: 0, segmentID: 9),
                        BuildSegmentIndex(collectionID: c, shard: 3, segmentID: 1),
                        BuildSegmentIndex(collectionID: CollectionID(99), shard: 0, segmentID: 1)] {
            do {
                _ = try await h.client.call(request)
                Issue.record("\(request) succeeded")
            } catch {
                #expect(error.code == .segmentNotFound, "\(error)")
            }
        }
        #expect(try await h.client.call(DescribeIndexNode()).failed == 3)
        // A malformed body is refused by the decoder (shard over 65535), never reaching the node.
        var body = WireWriter()
        c.encode(into: &body)
        body.writeUInt32(70_000)
        body.writeUInt64(1)
        await #expect(throws: WireError.self) { _ = try await h.client.call(kind: BuildSegmentIndex.kind, body: body, options: CallOptions()) }
    }

    @Test func buildsBeyondTheLimitsAreRefusedRetriablyAndRepeatsJoin() async throws {
        let h = try await Harness(maxConcurrent: 1, maxQueued: 0)
        defer { Task { await h.close() } }
        let c = CollectionID(9)
        try FlushedShards.write(root: h.root, scratch: h.scratch, collection: c, shard: 0, segments: 2, rows: 4_000)
        let first = Task { try await h.client.call(BuildSegmentIndex(collectionID: c, shard: 0, segmentID: 1)) }
        while try await h.client.call(DescribeIndexNode()).running == 0 { try await Task.sleep(for: .milliseconds(2)) }
        // One build at a time and none queued: another segment is refused (retriable), a repeat joins.
        do {
            _ = try await h.client.call(BuildSegmentIndex(collectionID: c, shard: 0, segmentID: 2))
            Issue.record("a second build was accepted beyond the limits")
        } catch {
            #expect(error.code == .indexNodeBusy && error.retriable, "\(error)")
        }
        let repeated = try await h.client.call(BuildSegmentIndex(collectionID: c, shard: 0, segmentID: 1))
        let original = try await first.value
        #expect(original.objects.count == 1 && repeated == original, "the repeat joined the running build")
        let status = try await h.client.call(DescribeIndexNode())
        #expect(status.running == 0 && status.queued == 0 && status.done == 1 && status.maxConcurrentBuilds == 1, "\(status)")
        // Free again: segment 2 builds now.
        #expect(try await h.client.call(BuildSegmentIndex(collectionID: c, shard: 0, segmentID: 2)).objects.count == 1)
    }
}
