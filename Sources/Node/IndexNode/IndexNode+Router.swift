import Wire

extension IndexNode {
    /// The wire routes of every index-node call; serve it with `transport.listen(on:handler:)`.
    public nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(BuildSegmentIndex.self) { req, _ in try await self.build(req) }
        r.on(DescribeIndexNode.self) { _, _ in await self.describe() }
        return r
    }
}
