import Coordinator
import Wire

extension QueryCoord {
    /// The wire routes of every query-coordinator call; serve it with `transport.listen(on:handler:)`.
    public nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(LoadCollection.self) { req, _ in
            try await self.loadCollection(req.collection, replicaNumber: req.replicaNumber)
            return WireEmpty()
        }
        r.on(ReleaseCollection.self) { req, _ in
            try await self.releaseCollection(req.collectionID)
            return WireEmpty()
        }
        r.on(GetCollectionRoutes.self) { req, _ in await self.routes(req.collectionID) }
        r.on(DrainQueryNode.self) { req, _ in
            try await self.drainQueryNode(req.nodeID, wait: .milliseconds(Int64(req.waitMilliseconds)))
        }
        return r
    }
}
