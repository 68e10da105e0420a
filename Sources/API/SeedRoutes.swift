import HTTP
import JSON
import Shard

/// The seed's own API, with ordinary HTTP statuses (400 with `{"error": …}` for bad input):
///
/// - `GET /health` → 200 `{"status":"ok","role":…,"node_id":…,"uptime_seconds":…,"cluster_state":…}`,
///   or 503 with `"status":"unavailable"` when the backend is not serving.
/// - `POST /search` `{"query": "text" | "vector": [floats], "top_k": 5, "collection"?: …, "filter"?: …,
///   "output_fields"?: […]}` → `{"collection":…, "results":[{"id":…, "score":…, "fields":{…}}]}`.
///   Without `collection`, ``defaultCollection`` or else the backend's default is used.
///
/// Every response should carry `X-Upstream-Server`: set ``upstreamHeaders(node:)`` as the server's
/// `extraResponseHeaders`.
public struct SeedRoutes: Sendable {
    /// Default `top_k` when the body has none.
    public static let defaultTopK = 10

    public let backend: any APIBackend
    public let auth: APIAuth
    /// The `--default-collection` option: used when a search names no collection.
    public let defaultCollection: String?
    /// Database searched (the seed API has no database parameter).
    public let database: String

    public init(backend: any APIBackend, auth: APIAuth = .disabled, defaultCollection: String? = nil, database: String = "default") {
        self.backend = backend
        self.auth = auth
        self.defaultCollection = defaultCollection
        self.database = database
    }

    /// The header naming the serving node, for `HTTPServerConfiguration.extraResponseHeaders`.
    public static func upstreamHeaders(node: String) -> HTTPHeaders {
        var h = HTTPHeaders()
        h.add(name: "X-Upstream-Server", value: node)
        return h
    }

    public func register(on router: inout HTTPRouter) {
        let routes = self
        router.get("/health") { _ in await routes.health() }
        router.post("/search") { request in await routes.search(request) }
    }

    func health() async -> HTTPResponse {
        let h = await backend.health()
        let body: JSONValue = [
            "status": .string(h.serving ? "ok" : "unavailable"), "role": .string(h.role), "node_id": .string(h.nodeID),
            "uptime_seconds": .double(h.uptimeSeconds.isFinite ? h.uptimeSeconds : 0), "cluster_state": .string(h.clusterState),
        ]
        return .json(body, status: h.serving ? .ok : .serviceUnavailable)
    }

    /// A parsed `/search` body.
    struct SearchBody {
        var query: String?
        var vector: [Float]?
        var topK = SeedRoutes.defaultTopK
        var collection: String?
        var filter = ""
        var outputFields = ["*"]
        /// Whether the body named its output fields (else vectors are left out of the reply's fields).
        var outputFieldsGiven = false
    }

    static func parseSearch(_ bytes: [UInt8]) throws(APIError) -> SearchBody {
        func bad(_ m: String) -> APIError { APIError(code: APIError.Code.invalidParameter, message: m) }
        do {
            return try JSONReader.read(bytes) { r throws -> SearchBody in
                guard try r.peekKind() == .object else { throw bad("the body must be a JSON object") }
                var b = SearchBody()
                var seen = Set<String>()
                try r.beginObject()
                while let rawKey = try r.nextKey() {
                    let key = rawKey.lowercased()
                    guard seen.insert(key).inserted else { throw bad("duplicate key \"\(rawKey)\"") }
                    if try r.readNullIfPresent() { continue }
                    switch key {
                    case "query":
                        guard try r.peekKind() == .string else { throw bad("\"query\" must be a string") }
                        b.query = try r.readString()
                    case "vector":
                        guard try r.peekKind() == .array else { throw bad("\"vector\" must be an array of numbers") }
                        var v: [Float] = []
                        do { try r.readFloatArray(into: &v) } catch let e as JSONError {
                            if case .typeMismatch = e.kind { throw bad("\"vector\" must be an array of numbers") }
                            throw e
                        }
                        b.vector = v
                    case "top_k", "topk", "limit":
                        let v = try r.readValue()
                        guard let k = v.int64Value else { throw bad("\"top_k\" must be an integer") }
                        guard k >= 1, k <= Int64(MilvusRESTRoutes.Limits.maxTopK) else {
                            throw bad("\"top_k\" must be between 1 and \(MilvusRESTRoutes.Limits.maxTopK)")
                        }
                        b.topK = Int(k)
                    case "collection":
                        guard try r.peekKind() == .string else { throw bad("\"collection\" must be a string") }
                        b.collection = try r.readString()
                    case "filter":
                        guard try r.peekKind() == .string else { throw bad("\"filter\" must be a string") }
                        b.filter = try r.readString()
                    case "output_fields":
                        guard case .array(let a) = try r.readValue() else { throw bad("\"output_fields\" must be an array of strings") }
                        b.outputFieldsGiven = true
                        b.outputFields = try a.map { v throws -> String in
                            guard let s = v.stringValue else { throw bad("\"output_fields\" must be an array of strings") }
                            return s
                        }
                    default:
                        throw bad("unknown key \"\(rawKey)\" (expected query, vector, top_k, collection, filter, output_fields)")
                    }
                }
                return b
            }
        } catch let e as APIError {
            throw e
        } catch {
            throw bad("invalid JSON body: \(error)")
        }
    }

    func search(_ request: HTTPRequest) async -> HTTPResponse {
        do {
            if case .rejected = await auth.check(request, backend: backend) { throw APIError.notAuthenticated }
            let b = try SeedRoutes.parseSearch(request.body)
            let queries: SearchRequest.Queries
            switch (b.query, b.vector) {
            case (let q?, nil):
                guard !q.isEmpty else { throw APIError.invalidParameter("\"query\" must not be empty") }
                queries = .texts([q])
            case (nil, let v?):
                guard (1...MilvusRESTRoutes.Limits.maxDimension).contains(v.count) else {
                    throw APIError.invalidParameter("\"vector\" must have 1 to \(MilvusRESTRoutes.Limits.maxDimension) numbers")
                }
                queries = .vectors(values: v, dimension: v.count)
            case (nil, nil): throw APIError.invalidParameter("give \"query\" (text) or \"vector\"")
            default: throw APIError.invalidParameter("give either \"query\" or \"vector\", not both")
            }
            var collection = b.collection ?? defaultCollection
            if collection == nil { collection = try await backend.defaultSearchCollection() }
            guard let collection else {
                throw APIError.invalidParameter("no \"collection\" given and the server has no default collection (start it with --default-collection NAME)")
            }
            let result = try await backend.search(SearchRequest(
                db: database, collection: collection, queries: queries, filter: b.filter, limit: b.topK, outputFields: b.outputFields))
            var w = JSONWriter()
            w.beginObject()
            w.key("collection")
            w.write(collection)
            if !result.truncatedQueries.isEmpty {
                // The query was longer than the model's 256-token limit: only its beginning was embedded.
                w.key("truncated")
                w.write(true)
            }
            w.key("results")
            w.beginArray()
            for hit in result.hits {
                w.beginObject()
                w.key("id")
                w.write(key: hit.id)
                w.key("score")
                try w.write(hit.distance)
                w.key("fields")
                w.beginObject()
                // Without "output_fields", stored fields minus vectors (a hit's 384 floats are noise to a reader).
                try w.writeMembers(hit.fields.filter {
                    guard $0.key != result.primaryFieldName else { return false }
                    if b.outputFieldsGiven { return true }
                    if case .floatVector = $0.value { return false }
                    return true
                })
                w.endObject()
                w.endObject()
            }
            w.endArray()
            w.endObject()
            return .json(bytes: w.bytes)
        } catch {
            let e = MilvusRESTRoutes.apiError(error)
            var w = JSONWriter()
            w.beginObject()
            w.key("error")
            w.write(e.message)
            w.key("code")
            w.write(e.code)
            w.endObject()
            var response = HTTPResponse.json(bytes: w.bytes, status: HTTPStatus(code: e.httpStatusCode))
            if e.code == APIError.Code.notAuthenticated { response.headers.add(name: "www-authenticate", value: "Bearer") }
            return response
        }
    }
}
