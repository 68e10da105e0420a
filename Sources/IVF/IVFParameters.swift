import VecCore

/// Construction parameters of an inverted-file index (IVF_FLAT / IVF_SQ8).
public struct IVFParameters: Sendable, Equatable {
    /// How an IVF index stores the vectors of its lists.
    public enum Storage: UInt8, Sendable, CaseIterable {
        /// Full-precision `Float` vectors (IVF_FLAT): exact distances inside the probed lists.
        case flat = 0
        /// One byte per component (IVF_SQ8, `SQ8Quantizer`): a quarter of the memory, approximate distances.
        case sq8 = 1
    }

    /// Number of k-means clusters (inverted lists). Milvus's range 1...65,536; about `4·√n` is typical.
    public var nlist: Int
    public var storage: Storage
    /// Lloyd iterations of the k-means training (bounded; training stops earlier once no point moves).
    /// Range 1...1,000, default 10 (FAISS's IVF default).
    public var iterations: Int
    /// Training sample size per list: k-means runs on at most `nlist × samplesPerList` vectors drawn at random
    /// (FAISS caps at 256 and warns below 39). Range 1...1,024, default 64.
    public var samplesPerList: Int
    /// Seed of the sample and of k-means++ seeding, so a build is reproducible.
    public var seed: UInt64

    public static let nlistRange = 1...65_536

    public init(nlist: Int = 1024, storage: Storage = .flat, iterations: Int = 10, samplesPerList: Int = 64,
                seed: UInt64 = 0x1F5EED) {
        self.nlist = nlist
        self.storage = storage
        self.iterations = iterations
        self.samplesPerList = samplesPerList
        self.seed = seed
    }

    /// Checks the ranges documented on each property.
    /// - Throws: `VecError.invalidParameter` naming the parameter and its range.
    public func validate() throws(VecError) {
        guard Self.nlistRange.contains(nlist) else {
            throw .invalidParameter("nlist must be in 1...65536, got \(nlist)")
        }
        guard (1...1_000).contains(iterations) else {
            throw .invalidParameter("k-means iterations must be in 1...1000, got \(iterations)")
        }
        guard (1...1_024).contains(samplesPerList) else {
            throw .invalidParameter("k-means samples per list must be in 1...1024, got \(samplesPerList)")
        }
    }
}
