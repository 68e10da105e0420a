import JSON
import Shard

extension MilvusRESTRoutes {
    static let entityEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("entities", "insert", "Insert rows", required: ["collectionName:string", "data:array"],
                       optional: ["dbName:string", "partitionName:string"]) { body, routes in
            let r = try await routes.backend.insert(try insertRequest(body))
            return MilvusReply { w in
                w.key("data")
                w.beginObject()
                w.key("insertCount")
                w.write(r.count)
                w.key("insertIds")
                w.beginArray()
                for id in r.ids { w.write(key: id) }
                w.endArray()
                w.endObject()
            }
        },
        MilvusEndpoint("entities", "upsert", "Insert or replace rows by primary key", required: ["collectionName:string", "data:array"],
                       optional: ["dbName:string", "partitionName:string"]) { body, routes in
            let r = try await routes.backend.upsert(try insertRequest(body))
            return MilvusReply { w in
                w.key("data")
                w.beginObject()
                w.key("upsertCount")
                w.write(r.count)
                w.key("upsertIds")
                w.beginArray()
                for id in r.ids { w.write(key: id) }
                w.endArray()
                w.endObject()
            }
        },
        MilvusEndpoint("entities", "delete", "Delete rows matching a filter (or, as a vecnode extension, by ids)",
                       required: ["collectionName:string", "filter:string"],
                       optional: ["dbName:string", "partitionName:string", "exprParams:object", "ids:array"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            let filter = try body.string("filter").flatMap { $0.isEmpty ? nil : $0 }
            let ids = try body.value("ids").map { v throws(APIError) in try MilvusBody.primaryKeys(v, name: "ids") }
            guard (filter == nil) != (ids == nil) else {
                if filter == nil { throw APIError.missingParameter("filter") }
                throw APIError.invalidParameter("give either filter or ids, not both")
            }
            let n = try await routes.backend.delete(DeleteRequest(
                db: try body.database(), collection: collection, partition: try body.string("partitionName").flatMap { $0.isEmpty ? nil : $0 },
                filter: filter, ids: ids, exprParams: try body.exprParams()))
            return .data(["deleteCount": .int(n)], cost: true)
        },
        MilvusEndpoint("entities", "get", "Rows by primary key", required: ["collectionName:string", "id:array"],
                       optional: ["dbName:string", "outputFields:array", "partitionNames:array"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            let ids = try MilvusBody.primaryKeys(try body.require("id"), name: "id")
            guard ids.count <= Limits.maxTopK else { throw APIError.invalidParameter("at most \(Limits.maxTopK) ids per get") }
            let rows = try await routes.backend.get(GetRequest(
                db: try body.database(), collection: collection, ids: ids,
                outputFields: try body.stringArray("outputFields") ?? ["*"], partitionNames: try body.stringArray("partitionNames") ?? []))
            return .rows(rows)
        },
        MilvusEndpoint("entities", "query", "Rows matching a filter; outputFields [\"count(*)\"] counts them",
                       required: ["collectionName:string"],
                       optional: ["dbName:string", "filter:string", "outputFields:array", "partitionNames:array", "limit:integer",
                                  "offset:integer", "exprParams:object", "consistencyLevel:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            let outputs = try body.stringArray("outputFields") ?? ["*"]
            let (limit, offset) = try pagination(body, defaultLimit: 100)
            let request = QueryRequest(
                db: try body.database(), collection: collection, filter: try body.string("filter") ?? "",
                exprParams: try body.exprParams(), outputFields: outputs, partitionNames: try body.stringArray("partitionNames") ?? [],
                limit: limit, offset: offset, consistencyLevel: try consistency(body))
            if outputs.contains(where: { $0.lowercased().replacingSpaces() == "count(*)" }) {
                guard outputs.count == 1 else { throw APIError.invalidParameter("count(*) cannot be combined with other output fields") }
                let n = try await routes.backend.count(request)
                return .rows([["count(*)": .int(n)]])
            }
            return .rows(try await routes.backend.query(request))
        },
        MilvusEndpoint("entities", "search", "Vector (or text) similarity search, with filter, range and grouping",
                       required: ["collectionName:string", "data:array"],
                       optional: ["dbName:string", "annsField:string", "filter:string", "limit:integer", "offset:integer",
                                  "outputFields:array", "partitionNames:array", "searchParams:object", "consistencyLevel:string",
                                  "groupingField:string", "groupSize:integer", "strictGroupSize:boolean", "exprParams:object"],
                       vectorKey: "data") { body, routes in
            let result = try await routes.backend.search(try searchRequest(body))
            return searchReply(result)
        },
    ]

    static func insertRequest(_ body: MilvusBody) throws(APIError) -> InsertRequest {
        let collection = try body.requiredString("collectionName")
        let data = try body.require("data")
        let items: [JSONValue]
        switch data {
        case .array(let a): items = a
        case .object: items = [data]
        default: throw APIError.invalidParameter("data must be an array of row objects")
        }
        guard !items.isEmpty else { throw APIError.missingParameter("data") }
        var rows: [[String: FieldValue]] = []
        rows.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let o = item.objectValue else { throw APIError.invalidParameter("data[\(i)] must be an object, got \(item.kindName)") }
            var row: [String: FieldValue] = [:]
            row.reserveCapacity(o.count)
            for m in o { row[m.key] = FieldValue(json: m.value) }
            rows.append(row)
        }
        return InsertRequest(db: try body.database(), collection: collection,
                             partition: try body.string("partitionName").flatMap { $0.isEmpty ? nil : $0 }, rows: rows)
    }

    static func pagination(_ body: MilvusBody, defaultLimit: Int) throws(APIError) -> (limit: Int, offset: Int) {
        let limit = try body.int("limit") ?? defaultLimit
        let offset = try body.int("offset") ?? 0
        guard limit >= 1, limit <= Limits.maxTopK else {
            throw .invalidParameter("limit \(limit) is out of range 1…\(Limits.maxTopK)")
        }
        guard offset >= 0, limit + offset <= Limits.maxTopK else {
            throw .invalidParameter("offset \(offset) + limit \(limit) must be within 0…\(Limits.maxTopK)")
        }
        return (limit, offset)
    }

    static func consistency(_ body: MilvusBody) throws(APIError) -> APIConsistencyLevel? {
        guard let s = try body.string("consistencyLevel"), !s.isEmpty else { return nil }
        guard let level = APIConsistencyLevel(name: s) else {
            throw .invalidParameter("consistencyLevel must be one of Strong, Bounded, Session, Eventually, got \(s)")
        }
        return level
    }

    static func searchRequest(_ body: MilvusBody) throws(APIError) -> SearchRequest {
        let collection = try body.requiredString("collectionName")
        let queries: SearchRequest.Queries
        if body.hasVectors {
            guard body.vectorCount > 0 else { throw APIError.missingParameter("data") }
            guard body.vectorDimension >= 1, body.vectorDimension <= Limits.maxDimension else {
                throw APIError.invalidParameter("query vector dimension \(body.vectorDimension) is out of range 1…\(Limits.maxDimension)")
            }
            queries = .vectors(values: body.vectors, dimension: body.vectorDimension)
        } else {
            guard let data = body.value("data") else { throw APIError.missingParameter("data") }
            guard let items = data.arrayValue, !items.isEmpty else {
                throw APIError.invalidParameter("data must be a non-empty array of vectors or texts")
            }
            var texts: [String] = []
            for item in items {
                guard let s = item.stringValue else {
                    throw APIError.invalidParameter("data must be an array of vectors (arrays of numbers) or of texts, found \(item.kindName)")
                }
                texts.append(s)
            }
            guard texts.count <= Limits.maxQueries else {
                throw APIError.invalidParameter("nq (number of queries) exceeds \(Limits.maxQueries)")
            }
            queries = .texts(texts)
        }
        let (limit, offset) = try pagination(body, defaultLimit: 100)
        var request = SearchRequest(
            db: try body.database(), collection: collection, queries: queries,
            annsField: try body.string("annsField").flatMap { $0.isEmpty ? nil : $0 }, filter: try body.string("filter") ?? "",
            exprParams: try body.exprParams(), limit: limit, offset: offset, outputFields: try body.stringArray("outputFields") ?? [],
            partitionNames: try body.stringArray("partitionNames") ?? [], consistencyLevel: try consistency(body))
        if let group = try body.string("groupingField"), !group.isEmpty {
            request.groupingField = group
            request.groupSize = try body.int("groupSize") ?? 1
            guard (1...1_024).contains(request.groupSize) else {
                throw APIError.invalidParameter("groupSize \(request.groupSize) is out of range 1…1024")
            }
            request.strictGroupSize = try body.bool("strictGroupSize") ?? false
        }
        if let sp = try body.objectValue("searchParams") { try applySearchParams(sp, to: &request) }
        return request
    }

    /// `searchParams`: `metricType` plus `params` (`ef`, `nprobe`, `radius`, `range_filter`), also accepted flat next
    /// to `metricType` (Milvus ≥ 2.5.2); the same key both ways with different values is ambiguous.
    static func applySearchParams(_ sp: JSONObject, to request: inout SearchRequest) throws(APIError) {
        var params: [String: JSONValue] = [:]
        if let nested = sp.value(forKeyIgnoringCase: "params"), nested != .null {
            guard let o = nested.objectValue else { throw .invalidParameter("searchParams.params must be an object") }
            for m in o { params[m.key.lowercased()] = m.value }
        }
        for m in sp {
            let k = m.key.lowercased()
            guard k != "params", k != "metrictype", k != "metric_type" else { continue }
            if let existing = params[k], existing != m.value {
                throw .invalidParameter("ambiguous parameter: \(m.key) given both in searchParams and searchParams.params")
            }
            params[k] = m.value
        }
        if let m = (sp.value(forKeyIgnoringCase: "metricType") ?? sp.value(forKeyIgnoringCase: "metric_type"))?.stringValue, !m.isEmpty {
            request.metric = try MilvusSchemaDecoder.metric(m)
        }
        if let v = params["ef"], v != .null {
            let ef = try MilvusBody.int(v, name: "ef")
            guard (1...32_768).contains(ef) else { throw .invalidParameter("ef \(ef) is out of range 1…32768") }
            request.ef = ef
        }
        if let v = params["nprobe"], v != .null {
            let nprobe = try MilvusBody.int(v, name: "nprobe")
            guard IndexSpec.Limits.nprobe.contains(nprobe) else {
                throw .invalidParameter("nprobe \(nprobe) is out of range \(IndexSpec.Limits.nprobe.lowerBound)…\(IndexSpec.Limits.nprobe.upperBound)")
            }
            request.nprobe = nprobe
        }
        if let v = params["radius"], v != .null { request.radius = try MilvusBody.double(v, name: "radius") }
        if let v = params["range_filter"], v != .null {
            guard request.radius != nil else { throw .invalidParameter("range_filter needs radius") }
            request.rangeFilter = try MilvusBody.double(v, name: "range_filter")
        }
        if let radius = request.radius, let inner = request.rangeFilter, let metric = request.metric {
            if metric == .l2, !(inner < radius) {
                throw .invalidParameter("for L2, range_filter (\(inner)) must be less than radius (\(radius))")
            }
            if metric != .l2, !(inner > radius) {
                throw .invalidParameter("for \(metric.name), range_filter (\(inner)) must be greater than radius (\(radius))")
            }
        }
    }

    /// nq = 1: `data: [hit…]`; nq > 1: `data: [[hit…], …]` plus `topks`. Each hit has the primary key under
    /// its field name, `distance`, and output fields at the top level.
    static func searchReply(_ r: SearchResult) -> MilvusReply {
        MilvusReply(includesCost: true) { w in
            func hit(_ h: SearchResult.Hit) throws {
                w.beginObject()
                w.key("distance")
                try w.write(h.distance)
                w.key(r.primaryFieldName)
                w.write(key: h.id)
                for k in h.fields.keys.sorted() where k != r.primaryFieldName && k != "distance" {
                    w.key(k)
                    try w.write(field: h.fields[k]!)
                }
                w.endObject()
            }
            w.key("data")
            w.beginArray()
            if r.topks.count <= 1 {
                for h in r.hits { try hit(h) }
            } else {
                var i = 0
                for k in r.topks {
                    w.beginArray()
                    for h in r.hits[i..<min(i + k, r.hits.count)] { try hit(h) }
                    w.endArray()
                    i += k
                }
            }
            w.endArray()
            if r.topks.count > 1 {
                w.key("topks")
                w.beginArray()
                for k in r.topks { w.write(k) }
                w.endArray()
            }
        }
    }
}

extension String {
    func replacingSpaces() -> String { String(filter { $0 != " " }) }
}
