import Wire

extension QueryNode {
    /// The wire routes of every query-node call; serve it with `transport.listen(on:handler:)`.
    public nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(LoadShardReplica.self) { req, _ in try await self.load(req) }
        r.on(ReleaseShardReplica.self) { req, _ in
            await self.release(req.ref)
            return WireEmpty()
        }
        r.on(SearchShard.self) { req, _ in try await self.countingSearch { () throws(QueryNodeError) in try await self.search(req) } }
        r.on(QueryShard.self) { req, _ in try await self.countingRead { () throws(QueryNodeError) in try await self.query(req) } }
        r.on(GetFromShard.self) { req, _ in try await self.countingRead { () throws(QueryNodeError) in try await self.get(req) } }
        r.on(CountShard.self) { req, _ in try await self.countingRead { () throws(QueryNodeError) in try await self.count(req) } }
        r.on(SealShard.self) { req, _ in try await self.seal(req) }
        r.on(CompactShard.self) { req, _ in try await self.compact(req) }
        r.on(DescribeQueryNode.self) { _, _ in await self.describe() }
        r.on(DescribeQueryNodeMetrics.self) { _, _ in await self.metrics() }
        return r
    }
}
