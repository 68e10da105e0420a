import Coordinator
import Wire

extension IndexCoord {
    /// The wire routes of every index-coordinator call; serve it with `transport.listen(on:handler:)`.
    public nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(DescribeIndexBuilds.self) { req, _ in await self.describeBuilds(req.collectionID) }
        return r
    }
}
