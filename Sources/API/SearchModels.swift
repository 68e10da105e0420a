import Shard

/// `entities/search`, validated: limits checked, vectors flat.
public struct SearchRequest: Sendable, Equatable {
    /// The query vectors, or texts for a collection with a text-embedding function.
    public enum Queries: Sendable, Equatable {
        /// `count × dimension` floats, row-major (never `[[Float]]`).
        case vectors(values: [Float], dimension: Int)
        case texts([String])

        /// Number of queries (nq).
        public var count: Int {
            switch self {
            case .vectors(let v, let d): d == 0 ? 0 : v.count / d
            case .texts(let t): t.count
            }
        }
    }

    public var db: String
    public var collection: String
    public var queries: Queries
    /// The vector field to search; nil when the collection has exactly one (the backend resolves it).
    public var annsField: String?
    public var filter: String
    public var exprParams: [String: FieldValue]
    /// Hits per query (Milvus's `limit`, topK), 1…16,384 with `limit + offset` ≤ 16,384.
    public var limit: Int
    public var offset: Int
    public var outputFields: [String]
    public var partitionNames: [String]
    /// `searchParams.metricType`; must match the index's metric when given.
    public var metric: IndexSpec.Metric?
    /// HNSW `ef` (`searchParams.params.ef`).
    public var ef: Int?
    /// IVF `nprobe` (`searchParams.params.nprobe`), 1…65,536: lists scanned by IVF_FLAT / IVF_SQ8.
    public var nprobe: Int?
    /// Range search: the outer bound (`radius`) and optional inner bound (`range_filter`).
    public var radius: Double?
    public var rangeFilter: Double?
    public var consistencyLevel: APIConsistencyLevel?
    /// Grouping search: at most `groupSize` hits per distinct value of this scalar field.
    public var groupingField: String?
    public var groupSize: Int
    public var strictGroupSize: Bool

    public init(db: String, collection: String, queries: Queries, annsField: String? = nil, filter: String = "",
                exprParams: [String: FieldValue] = [:], limit: Int, offset: Int = 0, outputFields: [String] = [],
                partitionNames: [String] = [], metric: IndexSpec.Metric? = nil, ef: Int? = nil, nprobe: Int? = nil,
                radius: Double? = nil, rangeFilter: Double? = nil, consistencyLevel: APIConsistencyLevel? = nil,
                groupingField: String? = nil, groupSize: Int = 1, strictGroupSize: Bool = false) {
        self.db = db
        self.collection = collection
        self.queries = queries
        self.annsField = annsField
        self.filter = filter
        self.exprParams = exprParams
        self.limit = limit
        self.offset = offset
        self.outputFields = outputFields
        self.partitionNames = partitionNames
        self.metric = metric
        self.ef = ef
        self.nprobe = nprobe
        self.radius = radius
        self.rangeFilter = rangeFilter
        self.consistencyLevel = consistencyLevel
        self.groupingField = groupingField
        self.groupSize = groupSize
        self.strictGroupSize = strictGroupSize
    }
}

/// Search results for all queries, flat: `hits` holds `topks[0]` hits of query 0, then query 1's, …
public struct SearchResult: Sendable, Equatable {
    /// One hit: its key, Milvus's distance (squared L2, or IP/cosine similarity) and requested fields.
    public struct Hit: Sendable, Equatable {
        public var id: PrimaryKey
        public var distance: Float
        public var fields: [String: FieldValue]
        public init(id: PrimaryKey, distance: Float, fields: [String: FieldValue] = [:]) {
            self.id = id
            self.distance = distance
            self.fields = fields
        }
    }

    /// The collection's primary-key field name (hits carry the id under it, as Milvus does).
    public var primaryFieldName: String
    public var topks: [Int]
    public var hits: [Hit]
    /// Indexes of text queries longer than the embedding model's token limit, embedded from their beginning
    /// only (the seed's `/search` says so in its reply).
    public var truncatedQueries: [Int]
    public init(primaryFieldName: String, topks: [Int], hits: [Hit], truncatedQueries: [Int] = []) {
        self.primaryFieldName = primaryFieldName
        self.topks = topks
        self.hits = hits
        self.truncatedQueries = truncatedQueries
    }
}
