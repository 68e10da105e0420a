import Wire

extension DataNode {
    /// The wire routes of every data-node call; serve it with `transport.listen(on:handler:)`.
    public nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(WatchChannel.self) { req, _ in
            try await self.watch(req)
            return WireEmpty()
        }
        r.on(UnwatchChannel.self) { req, _ in
            await self.unwatch(req.ref)
            return WireEmpty()
        }
        r.on(FlushShard.self) { req, _ in try await self.flush(req.ref) }
        r.on(DescribeDataNode.self) { _, _ in await self.describe() }
        return r
    }
}
