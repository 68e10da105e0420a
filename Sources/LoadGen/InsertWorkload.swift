import HTTP
import JSON

/// The optional write stream of a load run: Milvus `POST /v2/vectordb/entities/insert` batches
/// `{"collectionName": C, "data": [{"id": n, "vector": [...]}, …]}` whose vectors cycle through the query
/// file, so searches can be measured while the server ingests.
///
/// Ids count up from `firstID` (pick a range the collection does not use); with `autoID` no id is sent.
/// `extraFields` (e.g. `{"bucket": 0}`) are written into every row, for collections with required scalar fields.
public struct InsertWorkload: Sendable {
    public let collection: String
    public let vectorField: String
    public let idField: String
    /// First primary key written; row `n` of the stream gets `firstID + n`.
    public let firstID: Int64
    /// The collection generates primary keys: send no id field.
    public let autoID: Bool
    /// Constant fields added to every row.
    public let extraFields: JSONObject
    private let target: LoadTarget
    private let vectors: [Float]
    private let dimension: Int

    /// - Throws: `LoadError.invalidConfiguration` for empty names or a bad vector shape.
    public init(target: LoadTarget, collection: String, vectors: [Float], dimension: Int, vectorField: String = "vector",
                idField: String = "id", firstID: Int64 = 1_000_000_000, autoID: Bool = false,
                extraFields: JSONObject = JSONObject()) throws(LoadError) {
        guard !collection.isEmpty, !vectorField.isEmpty, !idField.isEmpty else {
            throw .invalidConfiguration("insert stream: collection, vector field and id field must not be empty")
        }
        guard dimension >= 1, !vectors.isEmpty, vectors.count % dimension == 0, vectors.allSatisfy({ $0.isFinite }) else {
            throw .invalidConfiguration("insert stream: vectors must be a non-empty finite multiple of dimension \(dimension)")
        }
        guard firstID >= 0 else { throw .invalidConfiguration("--insert-id-start must be ≥ 0") }
        for m in extraFields where m.key == idField || m.key == vectorField {
            throw .invalidConfiguration("--insert-fields must not set the id or vector field '\(m.key)'")
        }
        self.target = target
        self.collection = collection
        self.vectors = vectors
        self.dimension = dimension
        self.vectorField = vectorField
        self.idField = idField
        self.firstID = firstID
        self.autoID = autoID
        self.extraFields = extraFields
    }

    /// The request inserting stream rows `first ..< first + count`.
    public func request(first: Int, count: Int) -> [UInt8] {
        let rows = vectors.count / dimension
        var w = JSONWriter()
        w.beginObject()
        w.key("collectionName"); w.write(collection)
        w.key("data")
        w.beginArray()
        for n in first..<(first + count) {
            w.beginObject()
            if !autoID { w.key(idField); w.write(firstID &+ Int64(n)) }
            w.key(vectorField)
            w.beginArray()
            let base = (n % rows) * dimension
            for j in 0..<dimension { try? w.write(vectors[base + j]) }
            w.endArray()
            for m in extraFields {
                w.key(m.key)
                try? w.write(m.value)      // parsed JSON: always finite, always writable
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return target.post("/v2/vectordb/entities/insert", json: w.bytes)
    }

    /// nil when the reply is HTTP 200 with envelope code 0.
    public func check(_ reply: HTTPClientReply) -> RequestFailure? {
        guard reply.status == 200 else { return .http(status: reply.status) }
        var none: [Int64] = []
        return SearchWorkload.checkMilvus(reply.body, idField: nil, ids: &none)
    }
}
