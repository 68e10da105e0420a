import VecCore

/// Construction parameters of an HNSW graph (Malkov & Yashunin, "Efficient and robust approximate nearest
/// neighbor search using Hierarchical Navigable Small World graphs", 2016/2018).
public struct HNSWParameters: Sendable, Equatable {
    /// Links kept per node on levels above 0 — "M" in the paper. Level 0 keeps `2·M`. Higher M: better recall
    /// at high ef and more memory (≈ 8·M bytes per vector on level 0). Default 16; range 2...128.
    public var connectivity: Int
    /// Size of the candidate list while inserting — "efConstruction" in the paper. Higher: better graph,
    /// slower build. Default 200; range 1...10,000 and at least `connectivity`.
    public var efConstruction: Int
    /// Seed of the level draws; the level of a node depends only on the seed and its slot, so a build is
    /// reproducible whatever the thread interleaving.
    public var seed: UInt64

    public init(connectivity: Int = 16, efConstruction: Int = 200, seed: UInt64 = 0x5EED) {
        self.connectivity = connectivity
        self.efConstruction = efConstruction
        self.seed = seed
    }

    /// Links per node on level 0 ("M_max0" in the paper).
    public var connectivityLevel0: Int { 2 * connectivity }

    /// Checks the ranges documented on each property.
    /// - Throws: `VecError.invalidParameter` naming the parameter and its range.
    public func validate() throws(VecError) {
        guard (2...128).contains(connectivity) else {
            throw .invalidParameter("M (connectivity) must be in 2...128, got \(connectivity)")
        }
        guard (1...10_000).contains(efConstruction) else {
            throw .invalidParameter("efConstruction must be in 1...10000, got \(efConstruction)")
        }
        guard efConstruction >= connectivity else {
            throw .invalidParameter("efConstruction (\(efConstruction)) must be at least M (\(connectivity))")
        }
    }
}
