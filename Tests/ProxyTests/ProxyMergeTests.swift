import API
import Proxy
import Shard
import TestSupport
import Testing

/// With FLAT indexes, a sharded collection answers exactly as a one-shard collection: search (with
/// filters, offset, limit, several queries, output fields), query, get and count.
@Suite(.serialized) struct ProxyMergeTests {
    @Test(arguments: [false, true]) func shardedEqualsUnsharded(real: Bool) async throws {
        let cluster = try await makeCluster(real: real, queryNodes: 2)
        let proxy = cluster.proxy
        let rows = ProxyFixtures.rows(0..<600)
        for shards in [1, 2, 4, 8] {
            try await ProxyFixtures.create(proxy, name: "c\(shards)", shards: shards)
            _ = try await ProxyFixtures.insert(proxy, "c\(shards)", Array(rows[0..<300]))
            _ = try await ProxyFixtures.insert(proxy, "c\(shards)", Array(rows[300...]))
        }
        let queries = TestData.uniform(count: 3, dimension: ProxyFixtures.dimension, seed: 99)
        let cases: [(filter: String, offset: Int, limit: Int)] = [("", 0, 10), ("tag in [1, 3]", 0, 7), ("", 5, 20), ("tag >= 2 and id < 400", 3, 50), ("id < 0", 0, 5)]
        for c in cases {
            var reference: SearchResult?
            var referenceQuery: [[String: FieldValue]]?
            for shards in [1, 2, 4, 8] {
                let result = try await proxy.search(SearchRequest(
                    db: "default", collection: "c\(shards)", queries: .vectors(values: queries, dimension: ProxyFixtures.dimension),
                    filter: c.filter, limit: c.limit, offset: c.offset, outputFields: ["tag", "color"], consistencyLevel: .strong))
                #expect(result.topks.count == 3)
                if let reference {
                    #expect(result.topks == reference.topks, "\(shards) shards, \(c)")
                    #expect(result.hits.map(\.id) == reference.hits.map(\.id), "\(shards) shards, \(c)")
                    #expect(result.hits.map(\.distance) == reference.hits.map(\.distance))
                    #expect(result.hits.map(\.fields) == reference.hits.map(\.fields))
                } else {
                    reference = result
                    if c.filter == "id < 0" { #expect(result.hits.isEmpty) } else { #expect(result.topks.allSatisfy { $0 == c.limit }) }
                    #expect(result.hits.allSatisfy { $0.fields["color"] != nil && $0.fields["tag"] != nil && $0.fields["id"] == nil })
                }
                // Query: shard order differs, so compare as sets of rows over the whole match.
                let q = try await proxy.query(QueryRequest(db: "default", collection: "c\(shards)", filter: c.filter,
                                                           outputFields: ["*"], limit: 1000, offset: 0, consistencyLevel: .strong))
                let sorted = q.sorted { Self.id($0) < Self.id($1) }
                if let referenceQuery { #expect(sorted == referenceQuery, "\(shards) shards, \(c)") } else { referenceQuery = sorted }
                let n = try await proxy.count(QueryRequest(db: "default", collection: "c\(shards)", filter: c.filter, outputFields: [],
                                                           limit: 1, offset: 0))
                #expect(Int(n) == sorted.count)
            }
        }
        // Query offset/limit pages through every match exactly once.
        var paged: [Int64] = []
        for page in 0..<7 {
            let q = try await proxy.query(QueryRequest(db: "default", collection: "c4", filter: "tag == 3", outputFields: ["id"],
                                                       limit: 10, offset: page * 10))
            paged += q.map(Self.id)
        }
        #expect(paged.sorted() == (0..<600).filter { $0 % 10 == 3 }.map(Int64.init))
        // Get returns rows in request order, skipping unknown keys and repeats.
        let got = try await proxy.get(GetRequest(db: "default", collection: "c8", ids: [.int(42), .int(7), .int(9999), .int(42)],
                                                 outputFields: ["name", "color"], partitionNames: []))
        #expect(got == [["id": .int(42), "name": .string("n42"), "color": .string("red")],
                        ["id": .int(7), "name": .string("n7"), "color": .string("blue")]])
        await cluster.shutdown()
    }

    static func id(_ row: [String: FieldValue]) -> Int64 {
        if case .int(let v)? = row["id"] { return v }
        return -1
    }
}
