/// One search result: an external id and its distance (smaller is closer; see `Metric`).
///
/// Results are ordered closest first, ties broken by the smaller id, everywhere in vecnode — so that shards,
/// replicas and repeated runs agree exactly.
public struct SearchHit: Sendable, Equatable, Hashable {
    public var id: Int64
    public var distance: Float

    @inlinable
    public init(id: Int64, distance: Float) {
        self.id = id
        self.distance = distance
    }

    /// The deterministic result order: by distance, then by id.
    @inlinable
    public static func precedes(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.distance < b.distance || (a.distance == b.distance && a.id < b.id)
    }
}
