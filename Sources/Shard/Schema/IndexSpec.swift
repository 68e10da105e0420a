/// The index built on one vector field: its kind (FLAT or HNSW with its parameters) and distance metric.
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

        /// The Milvus `index_type` name.
        public var name: String {
            switch self {
            case .flat: "FLAT"
            case .hnsw: "HNSW"
            }
        }
    }

    /// Parameter ranges Milvus accepts for HNSW.
    public enum Limits {
        public static let m = 2...2_048
        public static let efConstruction = 1...Int(Int32.max)
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
        guard case .hnsw(let m, let ef) = kind else { return }
        guard Limits.m.contains(m) else {
            throw .invalid(field: fieldName, reason: "HNSW M \(m) is out of range \(Limits.m.lowerBound)…\(Limits.m.upperBound)")
        }
        guard Limits.efConstruction.contains(ef) else {
            throw .invalid(field: fieldName, reason: "HNSW efConstruction \(ef) is out of range 1…\(Limits.efConstruction.upperBound)")
        }
    }
}
