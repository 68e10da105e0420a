/// The index built on one vector field: its kind (FLAT, HNSW, HNSW_SQ8, IVF_FLAT or IVF_SQ8 with their
/// parameters) and distance metric.
public struct IndexSpec: Sendable, Equatable {
    /// Distance metric, as Milvus names it (`"L2"`, `"IP"`, `"COSINE"`). Raw values are stable on disk.
    public enum Metric: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case l2 = 1
        case innerProduct = 2
        case cosine = 3

        /// The Milvus name.
        public var name: String {
            switch self {
            case .l2: "L2"
            case .innerProduct: "IP"
            case .cosine: "COSINE"
            }
        }
        /// Parses a Milvus metric name (case-insensitive, as Milvus accepts).
        public init?(name: String) {
            guard let m = Metric.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
            self = m
        }
        public var description: String { name }
    }

    /// The index algorithm.
    public enum Kind: Sendable, Equatable {
        /// Exact brute-force scan.
        case flat
        /// HNSW graph. `m` is the paper's M (max links per node, Milvus range 2…2048); `efConstruction`
        /// the candidate list size while building (Milvus range 1…2³¹−1, and at least M in practice).
        case hnsw(m: Int, efConstruction: Int)
        /// HNSW walked on 8-bit scalar-quantised vectors, re-ranking the best candidates on the float vectors
        /// (same parameters as HNSW; a quarter of the vector memory).
        case hnswSQ8(m: Int, efConstruction: Int)
        /// Inverted file over `nlist` k-means clusters with float vectors; searches scan `nprobe` lists.
        case ivfFlat(nlist: Int)
        /// Inverted file with 8-bit scalar-quantised vectors.
        case ivfSQ8(nlist: Int)

        /// The Milvus `index_type` name.
        public var name: String {
            switch self {
            case .flat: "FLAT"
            case .hnsw: "HNSW"
            case .hnswSQ8: "HNSW_SQ8"
            case .ivfFlat: "IVF_FLAT"
            case .ivfSQ8: "IVF_SQ8"
            }
        }
    }

    /// Parameter ranges Milvus accepts for HNSW and IVF.
    public enum Limits {
        public static let m = 2...2_048
        public static let efConstruction = 1...Int(Int32.max)
        /// `nlist` (Milvus: 1…65,536).
        public static let nlist = 1...65_536
        /// Search-time `nprobe` (Milvus: 1…65,536).
        public static let nprobe = 1...65_536
    }

    public var fieldName: String
    public var kind: Kind
    public var metric: Metric

    public init(fieldName: String, kind: Kind, metric: Metric) {
        self.fieldName = fieldName
        self.kind = kind
        self.metric = metric
    }

    /// Checks the parameters on their own; ``CollectionSchema/validate(indexes:)`` also checks the field.
    public func validate() throws(SchemaError) {
        switch kind {
        case .flat: return
        case .hnsw(let m, let ef), .hnswSQ8(let m, let ef):
            guard Limits.m.contains(m) else {
                throw .invalid(field: fieldName, reason: "\(kind.name) M \(m) is out of range \(Limits.m.lowerBound)…\(Limits.m.upperBound)")
            }
            guard Limits.efConstruction.contains(ef) else {
                throw .invalid(field: fieldName, reason: "\(kind.name) efConstruction \(ef) is out of range 1…\(Limits.efConstruction.upperBound)")
            }
        case .ivfFlat(let nlist), .ivfSQ8(let nlist):
            guard Limits.nlist.contains(nlist) else {
                throw .invalid(field: fieldName, reason: "\(kind.name) nlist \(nlist) is out of range 1…\(Limits.nlist.upperBound)")
            }
        }
    }
}
