import Coordinator
import Wire

extension DataCoord {
    /// The wire routes of every data-coordinator call; serve it with `transport.listen(on:handler:)`.
    public nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(FlushCollection.self) { req, _ in
            do { return try await self.flushCollection(req.collectionID) } catch let e as DataCoordError {
                throw e.wireError
            } catch let e as WireError {
                throw e
            } catch {
                throw WireError(.handlerFailed, "\(error)")
            }
        }
        r.on(GetChannelAssignments.self) { _, _ in await self.assignments() }
        return r
    }
}
