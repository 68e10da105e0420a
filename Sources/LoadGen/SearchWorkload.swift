import HTTP
import JSON

/// The searches a load run sends, pre-encoded as complete HTTP requests (so the client thread spends no
/// time encoding JSON while the clock runs), and how their replies are checked.
///
/// Two APIs:
/// - `.milvus`: Milvus REST v2 `POST /v2/vectordb/entities/search`
///   `{"collectionName": C, "data": [[v…]], "limit": k, "searchParams": {"params": {"ef": ef}}}`; a reply is a
///   success when it is HTTP 200 with envelope `code` 0; hit ids are read from `data[i][idField]`.
/// - `.seed`: the seed's `POST /search` `{"query": text, "top_k": k, "collection": C}`; a success is HTTP 200;
///   hit ids are `results[i].id`.
///
/// Query `i` of a run is request `i % count`, so a run of any length cycles through the query file in order
/// and recall can be matched against ground-truth row `i % count`.
public struct SearchWorkload: Sendable {
    /// Which request/reply format the server speaks.
    public enum API: String, Sendable { case milvus, seed }

    public let api: API
    /// Hits requested per search (the `k` of recall@k).
    public let topK: Int
    /// Name of the primary-key field in Milvus replies (`id` by default).
    public let idField: String
    private let requests: [[UInt8]]

    /// Number of distinct queries.
    public var count: Int { requests.count }

    /// The request bytes for query `i % count`.
    @inline(__always)
    public func request(_ i: Int) -> [UInt8] { requests[i % requests.count] }

    /// Milvus vector searches, one per row of `vectors` (row-major, `dimension` floats per row).
    /// - Throws: `LoadError.invalidConfiguration` for an empty set, a bad shape, a non-finite value, or
    ///   `topK` / `ef` out of Milvus's ranges.
    public static func milvusVectors(target: LoadTarget, collection: String, vectors: [Float], dimension: Int,
                                     topK: Int, ef: Int?, idField: String = "id") throws(LoadError) -> SearchWorkload {
        try checkCommon(collection: collection, topK: topK)
        guard dimension >= 1, !vectors.isEmpty, vectors.count % dimension == 0 else {
            throw .invalidConfiguration("query vectors: \(vectors.count) floats is not a non-empty multiple of dimension \(dimension)")
        }
        if let ef, !(1...32_768).contains(ef) { throw .invalidConfiguration("--ef must be in 1…32768, got \(ef)") }
        let path = "/v2/vectordb/entities/search"
        var out: [[UInt8]] = []
        out.reserveCapacity(vectors.count / dimension)
        var w = JSONWriter()
        for row in 0..<(vectors.count / dimension) {
            w.bytes.removeAll(keepingCapacity: true)
            w.beginObject()
            w.key("collectionName"); w.write(collection)
            w.key("data")
            w.beginArray()
            w.beginArray()
            for j in 0..<dimension {
                let v = vectors[row * dimension + j]
                guard v.isFinite else { throw .invalidConfiguration("query vector \(row) has a non-finite value at \(j)") }
                try? w.write(v)
            }
            w.endArray()
            w.endArray()
            w.key("limit"); w.write(topK)
            if let ef {
                w.key("searchParams")
                w.beginObject()
                w.key("params")
                w.beginObject()
                w.key("ef"); w.write(ef)
                w.endObject()
                w.endObject()
            }
            w.endObject()
            out.append(target.post(path, json: w.bytes))
        }
        return SearchWorkload(api: .milvus, topK: topK, idField: idField, requests: out)
    }

    /// Seed text searches, one per text.
    /// - Throws: `LoadError.invalidConfiguration` for no texts, an empty text, or `topK` out of range.
    public static func seedTexts(target: LoadTarget, collection: String, texts: [String], topK: Int) throws(LoadError) -> SearchWorkload {
        try checkCommon(collection: collection, topK: topK)
        guard !texts.isEmpty else { throw .invalidConfiguration("no query texts") }
        var out: [[UInt8]] = []
        out.reserveCapacity(texts.count)
        for (i, t) in texts.enumerated() {
            guard !t.isEmpty else { throw .invalidConfiguration("query text \(i) is empty") }
            var w = JSONWriter()
            w.beginObject()
            w.key("query"); w.write(t)
            w.key("top_k"); w.write(topK)
            w.key("collection"); w.write(collection)
            w.endObject()
            out.append(target.post("/search", json: w.bytes))
        }
        return SearchWorkload(api: .seed, topK: topK, idField: "id", requests: out)
    }

    private static func checkCommon(collection: String, topK: Int) throws(LoadError) {
        guard !collection.isEmpty else { throw .invalidConfiguration("--collection must not be empty") }
        guard (1...16_384).contains(topK) else { throw .invalidConfiguration("--top-k must be in 1…16384, got \(topK)") }
    }

    /// Checks a reply and collects the hit ids it carries (integer primary keys only; string keys are
    /// skipped, so recall is not measured for them).
    /// - Returns: nil for a success, else the failure kind.
    public func check(_ reply: HTTPClientReply, ids: inout [Int64]) -> RequestFailure? {
        ids.removeAll(keepingCapacity: true)
        guard reply.status == 200 else { return .http(status: reply.status) }
        switch api {
        case .milvus: return SearchWorkload.checkMilvus(reply.body, idField: idField, ids: &ids)
        case .seed: return SearchWorkload.checkSeed(reply.body, ids: &ids)
        }
    }

    /// Parses a Milvus envelope `{"code": 0, "data": [...]}`; with `idField`, collects `data[i][idField]`
    /// (nq = 1 replies are a flat list of hits; nested lists are walked too).
    static func checkMilvus(_ body: [UInt8], idField: String?, ids: inout [Int64]) -> RequestFailure? {
        do {
            var code: Int64?
            try JSONReader.read(body) { r in
                guard try r.peekKind() == .object else { throw HTTPClientFailure.malformed("not an object") }
                try r.beginObject()
                while let key = try r.nextKey() {
                    switch key {
                    case "code":
                        guard try r.peekKind() == .number else { throw HTTPClientFailure.malformed("code is not a number") }
                        code = try r.readInt64()
                    case "data" where idField != nil:
                        try readHits(&r, idField: idField!, ids: &ids, depth: 0)
                    default:
                        try r.skipValue()
                    }
                }
            }
            guard let code else { return .malformed }
            return code == 0 ? nil : .envelope(code: code)
        } catch {
            return .malformed
        }
    }

    private static func readHits(_ r: inout JSONReader, idField: String, ids: inout [Int64], depth: Int) throws {
        guard try r.peekKind() == .array else { try r.skipValue(); return }
        try r.beginArray()
        while try r.nextElement() {
            switch try r.peekKind() {
            case .array where depth == 0:
                try readHits(&r, idField: idField, ids: &ids, depth: 1)
            case .object:
                try r.beginObject()
                while let k = try r.nextKey() {
                    if k == idField {
                        if let v = try r.readValue().int64Value { ids.append(v) }
                    } else {
                        try r.skipValue()
                    }
                }
            default:
                try r.skipValue()
            }
        }
    }

    /// Parses the seed's `{"collection": …, "results": [{"id": …, …}]}`.
    static func checkSeed(_ body: [UInt8], ids: inout [Int64]) -> RequestFailure? {
        do {
            var sawResults = false
            try JSONReader.read(body) { r in
                guard try r.peekKind() == .object else { throw HTTPClientFailure.malformed("not an object") }
                try r.beginObject()
                while let key = try r.nextKey() {
                    guard key == "results", try r.peekKind() == .array else { try r.skipValue(); continue }
                    sawResults = true
                    try readHits(&r, idField: "id", ids: &ids, depth: 1)
                }
            }
            return sawResults ? nil : .malformed
        } catch {
            return .malformed
        }
    }
}
