import HTTP
import JSON

/// The OpenAPI 3 description of the HTTP API, generated from the route tables (``MilvusRESTRoutes``'s
/// endpoints and the seed routes) so it cannot drift from what is served. It is kept in the repository as
/// `docs/openapi.json`; `OpenAPIDocumentTests` fails when that file differs from ``text`` (regenerate
/// with `VECNODE_WRITE_OPENAPI=1 swift test --filter OpenAPIDocumentTests`).
public enum OpenAPIDocument {
    /// The document, pretty-printed with two-space indentation and a final newline.
    public static let text: String = pretty(document()) + "\n"

    /// Adds `GET /openapi.json`.
    public static func register(on router: inout HTTPRouter) {
        let bytes = Array(text.utf8)
        router.get("/openapi.json") { _ in .json(bytes: bytes) }
    }

    static func document() -> JSONValue {
        var paths = JSONObject()
        for e in MilvusRESTRoutes.endpoints {
            var properties = JSONObject()
            for p in e.required + e.optional {
                let parts = p.split(separator: ":")
                properties.append(String(parts[0]), ["type": .string(String(parts[1]))])
            }
            var schema: JSONObject = ["type": "object", "properties": .object(properties)]
            if !e.required.isEmpty {
                schema.append("required", .array(e.required.map { .string(String($0.split(separator: ":")[0])) }))
            }
            let op: JSONValue = [
                "summary": .string(e.summary),
                "operationId": .string(String(e.path.dropFirst("/v2/vectordb/".count)).replacing("/", with: "_")),
                "tags": [.string(String(e.path.split(separator: "/")[2]))],
                "requestBody": ["required": true, "content": ["application/json": ["schema": .object(schema)]]],
                "responses": ["200": [
                    "description": "Milvus envelope: {\"code\":0,\"data\":…} on success, {\"code\":N,\"message\":…} on failure (always HTTP 200)",
                    "content": ["application/json": ["schema": ["$ref": "#/components/schemas/MilvusEnvelope"]]],
                ]],
            ]
            paths.append(e.path, ["post": op])
        }
        paths.append("/health", ["get": [
            "summary": "Node health: role, node id, uptime, cluster state",
            "operationId": "health", "tags": ["seed"], "security": [],
            "responses": [
                "200": ["description": "serving", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Health"]]]],
                "503": ["description": "not serving", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Health"]]]],
            ],
        ]])
        paths.append("/search", ["post": [
            "summary": "Search by text (embedded by the built-in model) or by vector",
            "operationId": "seedSearch", "tags": ["seed"],
            "requestBody": ["required": true, "content": ["application/json": ["schema": [
                "type": "object",
                "properties": [
                    "query": ["type": "string"], "vector": ["type": "array", "items": ["type": "number"]],
                    "top_k": ["type": "integer", "minimum": 1, "maximum": .int(Int64(MilvusRESTRoutes.Limits.maxTopK)), "default": .int(Int64(SeedRoutes.defaultTopK))],
                    "collection": ["type": "string"], "filter": ["type": "string"],
                    "output_fields": ["type": "array", "items": ["type": "string"]],
                ],
            ]]]],
            "responses": [
                "200": ["description": "results", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/SeedSearchResult"]]]],
                "400": ["description": "bad input", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
                "401": ["description": "not authenticated (auth enabled)", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
                "404": ["description": "unknown collection", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
            ],
        ]])
        paths.append("/metrics", ["get": [
            "summary": "Prometheus metrics (text exposition format 0.0.4)", "operationId": "metrics", "tags": ["seed"], "security": [],
            "responses": ["200": ["description": "metrics", "content": ["text/plain": ["schema": ["type": "string"]]]]],
        ]])
        for (path, id) in [("/console", "console"), ("/console/", "consoleSlash")] {
            paths.append(path, ["get": [
                "summary": "The built-in web console (one self-contained HTML page; see docs/console.md)", "operationId": .string(id),
                "tags": ["seed"], "security": [],
                "responses": ["200": ["description": "HTML page", "content": ["text/html": ["schema": ["type": "string"]]]]],
            ]])
        }
        paths.append("/openapi.json", ["get": [
            "summary": "This document", "operationId": "openapi", "tags": ["seed"], "security": [],
            "responses": ["200": ["description": "OpenAPI 3 document", "content": ["application/json": ["schema": ["type": "object"]]]]],
        ]])
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "vecnode HTTP API",
                "version": "1",
                "description": "Milvus RESTful API v2 (POST /v2/vectordb/<category>/<action>) and the seed's /health and /search. See docs/api.md.",
            ],
            "servers": [["url": "http://localhost:19530"]],
            "security": [["bearer": []]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearer": [
                    "type": "http", "scheme": "bearer",
                    "description": "user:password or an API key; only required when authentication is enabled",
                ]],
                "schemas": [
                    "MilvusEnvelope": ["type": "object", "required": ["code"], "properties": [
                        "code": ["type": "integer", "description": "0 on success, else a Milvus error code (docs/api.md)"],
                        "message": ["type": "string"], "data": [:], "cost": ["type": "integer"],
                        "topks": ["type": "array", "items": ["type": "integer"]],
                    ]],
                    "Health": ["type": "object", "properties": [
                        "status": ["type": "string", "enum": ["ok", "unavailable"]], "role": ["type": "string"],
                        "node_id": ["type": "string"], "uptime_seconds": ["type": "number"], "cluster_state": ["type": "string"],
                    ]],
                    "SeedSearchResult": ["type": "object", "properties": [
                        "collection": ["type": "string"],
                        "results": ["type": "array", "items": ["type": "object", "properties": [
                            "id": ["oneOf": [["type": "integer", "format": "int64"], ["type": "string"]]],
                            "score": ["type": "number"], "fields": ["type": "object"],
                        ]]],
                    ]],
                    "Error": ["type": "object", "properties": ["error": ["type": "string"], "code": ["type": "integer"]]],
                ],
            ],
        ]
    }

    /// Indented JSON (objects keep their member order).
    static func pretty(_ v: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch v {
        case .array(let a) where !a.isEmpty:
            return "[\n" + a.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let o) where !o.isEmpty:
            return "{\n" + o.map { m in
                inner + ((try? JSONValue.string(m.key).serializedString()) ?? "\"\"") + ": " + pretty(m.value, indent: inner)
            }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return (try? v.serializedString()) ?? "null"
        }
    }
}
