import HTTP
import JSON
import Shard

/// Milvus's RESTful API v2: `POST /v2/vectordb/<category>/<action>` for every endpoint in
/// ``endpoints``, answering Milvus's envelope with HTTP 200 — `{"code":0,"data":…}` on success,
/// `{"code":N,"message":…}` on failure.
///
/// Each handler parses the body (``MilvusBody``), validates it against Milvus's rules and the limits in
/// ``Limits``, calls the ``APIBackend`` and encodes the result. See docs/api.md.
///
/// ```swift
/// var router = HTTPRouter()
/// MilvusRESTRoutes(backend: proxy, auth: auth, metrics: metrics).register(on: &router)
/// ```
public struct MilvusRESTRoutes: Sendable {
    /// Request limits (Milvus's defaults).
    public enum Limits {
        /// `limit` (topK) and `limit + offset`, for search and query (`quotaAndLimits.limits.topK`).
        public static let maxTopK = 16_384
        /// Query vectors per search (`quotaAndLimits.limits.maxNq`).
        public static let maxQueries = 16_384
        /// Request body bytes (also the HTTP server's `maxBodyBytes` default).
        public static let maxBodyBytes = 64 << 20
        /// Vector dimension (`proxy.maxDimension`).
        public static let maxDimension = 32_768
    }

    public let backend: any APIBackend
    public let auth: APIAuth
    public let metrics: APIMetrics?

    public init(backend: any APIBackend, auth: APIAuth = .disabled, metrics: APIMetrics? = nil) {
        self.backend = backend
        self.auth = auth
        self.metrics = metrics
    }

    /// Adds every endpoint to `router`.
    public func register(on router: inout HTTPRouter) {
        for endpoint in MilvusRESTRoutes.endpoints {
            let routes = self
            router.post(endpoint.path) { request in await routes.handle(request, endpoint) }
        }
    }

    /// Runs one endpoint: auth, parse, handler, envelope. Never throws: every failure is an envelope.
    func handle(_ request: HTTPRequest, _ endpoint: MilvusEndpoint) async -> HTTPResponse {
        let reply: MilvusReply
        do {
            if case .rejected = await auth.check(request, backend: backend) { throw APIError.notAuthenticated }
            guard request.body.count <= Limits.maxBodyBytes else {
                throw APIError(code: APIError.Code.parameterTooLarge,
                               message: "request body of \(request.body.count) bytes exceeds \(Limits.maxBodyBytes)")
            }
            let body = try MilvusBody(request.body, vectorKey: endpoint.vectorKey)
            reply = try await endpoint.handler(body, self)
        } catch {
            let e = MilvusRESTRoutes.apiError(error)
            metrics?.recordMilvusReply(endpoint: endpoint.path, code: e.code)
            return MilvusRESTRoutes.errorResponse(e)
        }
        do {
            var w = JSONWriter()
            w.beginObject()
            w.key("code")
            w.write(0)
            if reply.includesCost {
                w.key("cost")
                w.write(0)
            }
            try reply.writeMembers(&w)
            w.endObject()
            metrics?.recordMilvusReply(endpoint: endpoint.path, code: 0)
            return .json(bytes: w.bytes)
        } catch {
            let e = APIError(code: APIError.Code.unexpected, message: "response could not be encoded: \(error)")
            metrics?.recordMilvusReply(endpoint: endpoint.path, code: e.code)
            return MilvusRESTRoutes.errorResponse(e)
        }
    }

    /// `{"code":N,"message":…}` with HTTP 200, as Milvus answers errors.
    static func errorResponse(_ e: APIError) -> HTTPResponse {
        var w = JSONWriter()
        w.beginObject()
        w.key("code")
        w.write(e.code)
        w.key("message")
        w.write(e.message)
        w.endObject()
        return .json(bytes: w.bytes)
    }

    /// Maps any error to Milvus's codes (see ``APIBackend``).
    static func apiError(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: e
        case let e as SchemaError: .invalidParameter("\(e)")
        case let e as FilterError: .invalidParameter("invalid filter expression: \(e.message) at \(e.position): \(e.expression)")
        case let e as RowBatchError: APIError(code: APIError.Code.insertDataInvalid, message: "fail to deal the insert data, error: \(e)")
        default: APIError(code: APIError.Code.unexpected, message: "\(error)")
        }
    }
}

/// What a Milvus handler answers on success: the members after `"code":0` (usually just `data`).
struct MilvusReply {
    /// Whether to add `"cost":0` (query, search, delete, as Milvus does).
    var includesCost = false
    var writeMembers: (inout JSONWriter) throws -> Void

    /// `"data": {}`.
    static var empty: MilvusReply {
        MilvusReply { w in
            w.key("data")
            w.beginObject()
            w.endObject()
        }
    }

    /// `"data": value`.
    static func data(_ value: JSONValue, cost: Bool = false) -> MilvusReply {
        MilvusReply(includesCost: cost) { w in
            w.key("data")
            try w.write(value)
        }
    }

    /// `"data": [rows…]`.
    static func rows(_ rows: [[String: FieldValue]], cost: Bool = true) -> MilvusReply {
        MilvusReply(includesCost: cost) { w in
            w.key("data")
            w.beginArray()
            for row in rows {
                w.beginObject()
                try w.writeMembers(row)
                w.endObject()
            }
            w.endArray()
        }
    }

    init(includesCost: Bool = false, writeMembers: @escaping (inout JSONWriter) throws -> Void) {
        self.includesCost = includesCost
        self.writeMembers = writeMembers
    }
}

/// One Milvus endpoint: its path, documentation for the OpenAPI document, and its handler.
struct MilvusEndpoint: Sendable {
    let path: String
    let summary: String
    /// Body parameters as `name:type` (`type` is an OpenAPI type); required ones are listed first.
    let required: [String]
    let optional: [String]
    /// Top-level key whose vectors take the fast float path (search's `data`).
    var vectorKey: String? = nil
    let handler: @Sendable (MilvusBody, MilvusRESTRoutes) async throws -> MilvusReply

    init(_ category: String, _ action: String, _ summary: String, required: [String], optional: [String] = [],
         vectorKey: String? = nil, handler: @escaping @Sendable (MilvusBody, MilvusRESTRoutes) async throws -> MilvusReply) {
        self.path = "/v2/vectordb/\(category)/\(action)"
        self.summary = summary
        self.required = required
        self.optional = optional
        self.vectorKey = vectorKey
        self.handler = handler
    }
}

extension MilvusRESTRoutes {
    /// Every Milvus endpoint vecnode serves.
    static let endpoints: [MilvusEndpoint] = collectionEndpoints + entityEndpoints + indexEndpoints
        + partitionEndpoints + aliasEndpoints + userEndpoints + clusterEndpoints

    /// The paths of every endpoint (for documentation and tests).
    public static var paths: [String] { endpoints.map(\.path) }
}
