import Shard

// Primary keys are `Shard.PrimaryKey` (`.int(Int64)` / `.string(String)`).

/// `entities/insert` and `entities/upsert`: rows as field name → value, vectors as `.floatVector`.
public struct InsertRequest: Sendable, Equatable {
    public var db: String
    public var collection: String
    public var partition: String?
    public var rows: [[String: FieldValue]]
    public init(db: String, collection: String, partition: String?, rows: [[String: FieldValue]]) {
        self.db = db
        self.collection = collection
        self.partition = partition
        self.rows = rows
    }
}

/// Rows written and their primary keys, in request order.
public struct WriteResult: Sendable, Equatable {
    public var count: Int
    public var ids: [PrimaryKey]
    public init(count: Int, ids: [PrimaryKey]) {
        self.count = count
        self.ids = ids
    }
}

/// `entities/delete`: by filter expression or (vecnode extension) by ids; exactly one is set.
public struct DeleteRequest: Sendable, Equatable {
    public var db: String
    public var collection: String
    public var partition: String?
    public var filter: String?
    public var ids: [PrimaryKey]?
    /// Values for `{name}` templates in the filter (Milvus's `exprParams`).
    public var exprParams: [String: FieldValue]
    public init(db: String, collection: String, partition: String?, filter: String?, ids: [PrimaryKey]?,
                exprParams: [String: FieldValue] = [:]) {
        self.db = db
        self.collection = collection
        self.partition = partition
        self.filter = filter
        self.ids = ids
        self.exprParams = exprParams
    }
}

/// `entities/get`.
public struct GetRequest: Sendable, Equatable {
    public var db: String
    public var collection: String
    public var ids: [PrimaryKey]
    /// Fields to return; `["*"]` (the default) means all. The primary key is always returned.
    public var outputFields: [String]
    public var partitionNames: [String]
    public init(db: String, collection: String, ids: [PrimaryKey], outputFields: [String], partitionNames: [String]) {
        self.db = db
        self.collection = collection
        self.ids = ids
        self.outputFields = outputFields
        self.partitionNames = partitionNames
    }
}

/// `entities/query` (and `count(*)`).
public struct QueryRequest: Sendable, Equatable {
    public var db: String
    public var collection: String
    /// Milvus filter expression; empty means all rows.
    public var filter: String
    public var exprParams: [String: FieldValue]
    public var outputFields: [String]
    public var partitionNames: [String]
    public var limit: Int
    public var offset: Int
    public var consistencyLevel: APIConsistencyLevel?
    public init(db: String, collection: String, filter: String, exprParams: [String: FieldValue] = [:],
                outputFields: [String], partitionNames: [String] = [], limit: Int, offset: Int,
                consistencyLevel: APIConsistencyLevel? = nil) {
        self.db = db
        self.collection = collection
        self.filter = filter
        self.exprParams = exprParams
        self.outputFields = outputFields
        self.partitionNames = partitionNames
        self.limit = limit
        self.offset = offset
        self.consistencyLevel = consistencyLevel
    }
}
