import JSON
import Shard

/// Turns a `collections/create` body — quick setup or custom schema — into a ``CreateCollectionRequest``,
/// applying Milvus's defaults and spellings, and validates the result.
enum MilvusSchemaDecoder {
    /// Quick-setup defaults (Milvus's, except the index: vecnode builds HNSW where Milvus picks AUTOINDEX).
    static let defaultMetric = IndexSpec.Metric.cosine
    static let defaultHNSW = IndexSpec.Kind.hnsw(m: 16, efConstruction: 200)
    static let defaultVarCharKeyLength = 65_535

    static func decode(_ body: MilvusBody) throws(APIError) -> CreateCollectionRequest {
        let name = try body.requiredString("collectionName")
        try checkName(name, what: "collection name")
        let db = try body.database()
        var request: CreateCollectionRequest
        if let schemaObject = try body.objectValue("schema") {
            let schema = try customSchema(schemaObject)
            let indexes = try indexParams(body.value("indexParams"), schema: schema)
            request = CreateCollectionRequest(db: db, name: name, schema: schema, indexes: indexes,
                                              loadOnCreate: !indexes.isEmpty)
        } else {
            guard let dimValue = body.value("dimension") else { throw .missingParameter("dimension") }
            let dim = try MilvusBody.int(dimValue, name: "dimension")
            try checkDimension(dim, field: "dimension")
            let metric = try metric(body.string("metricType"))
            let idType = try body.string("idType") ?? "Int64"
            let pkName = try body.string("primaryFieldName").flatMap { $0.isEmpty ? nil : $0 } ?? "id"
            let vectorName = try body.string("vectorFieldName").flatMap { $0.isEmpty ? nil : $0 } ?? "vector"
            let autoID = try body.bool("autoID") ?? false
            let params = try body.objectValue("params") ?? JSONObject()
            var dynamic = try body.bool("enableDynamicField") ?? true
            if let v = params.value(forKeyIgnoringCase: "enableDynamicField"), v != .null {
                dynamic = try MilvusBody.bool(v, name: "enableDynamicField")
            }
            let pk: FieldSchema
            switch idType {
            case "Int64":
                pk = FieldSchema(name: pkName, dataType: .int64, isPrimaryKey: true, autoID: autoID)
            case "VarChar":
                let maxLength = try params.value(forKeyIgnoringCase: "max_length").map { v throws(APIError) in
                    try MilvusBody.int(v, name: "max_length")
                } ?? defaultVarCharKeyLength
                pk = FieldSchema(name: pkName, dataType: .varChar, isPrimaryKey: true, autoID: autoID, maxLength: maxLength)
            default:
                throw .invalidParameter("idType must be Int64 or VarChar, got \(idType)")
            }
            let schema = CollectionSchema(
                fields: [pk, FieldSchema(name: vectorName, dataType: .floatVector, dimension: dim)],
                enableDynamicField: dynamic, description: try body.string("description") ?? "")
            try validate(schema)
            request = CreateCollectionRequest(
                db: db, name: name, schema: schema,
                indexes: [IndexRequest(indexName: vectorName, spec: IndexSpec(fieldName: vectorName, kind: defaultHNSW, metric: metric))],
                loadOnCreate: true)
        }
        try applyParams(try body.objectValue("params") ?? JSONObject(), to: &request)
        return request
    }

    /// `params`: shardsNum, consistencyLevel, replicaNumber; everything else kept as a string property.
    static func applyParams(_ params: JSONObject, to request: inout CreateCollectionRequest) throws(APIError) {
        for m in params {
            switch m.key.lowercased() {
            case "shardsnum":
                let n = try MilvusBody.int(m.value, name: "shardsNum")
                guard (1...64).contains(n) else { throw .invalidParameter("shardsNum \(n) is out of range 1…64") }
                request.shardsNum = n
            case "consistencylevel":
                guard let s = m.value.stringValue, let level = APIConsistencyLevel(name: s) else {
                    throw .invalidParameter("consistencyLevel must be one of Strong, Bounded, Session, Eventually")
                }
                request.consistencyLevel = level
            case "replicanumber":
                let n = try MilvusBody.int(m.value, name: "replicaNumber")
                guard (1...64).contains(n) else { throw .invalidParameter("replicaNumber \(n) is out of range 1…64") }
                request.replicaNumber = n
            case "max_length", "enabledynamicfield":
                continue  // quick-setup options, already applied
            default:
                switch m.value {
                case .string(let s): request.properties[m.key] = s
                case .null: continue
                default: request.properties[m.key] = (try? m.value.serializedString()) ?? ""
                }
            }
        }
    }

    static func customSchema(_ o: JSONObject) throws(APIError) -> CollectionSchema {
        guard let fieldsValue = o.value(forKeyIgnoringCase: "fields"), fieldsValue != .null else {
            throw .missingParameter("schema.fields")
        }
        guard let fieldsArray = fieldsValue.arrayValue else { throw .invalidParameter("schema.fields must be an array") }
        let autoID = try o.value(forKeyIgnoringCase: "autoID").map { v throws(APIError) in try MilvusBody.bool(v, name: "autoID") } ?? false
        let dynamic = try (o.value(forKeyIgnoringCase: "enableDynamicField") ?? o.value(forKeyIgnoringCase: "enabledDynamicField"))
            .map { v throws(APIError) in try MilvusBody.bool(v, name: "enableDynamicField") } ?? false
        var fields: [FieldSchema] = []
        for (i, fv) in fieldsArray.enumerated() {
            guard let f = fv.objectValue else { throw .invalidParameter("schema.fields[\(i)] must be an object") }
            fields.append(try field(f, index: i, schemaAutoID: autoID))
        }
        var schema = CollectionSchema(fields: fields, enableDynamicField: dynamic,
                                      description: o.value(forKeyIgnoringCase: "description")?.stringValue ?? "")
        schema.functions = try functions(o.value(forKeyIgnoringCase: "functions"), schema: schema)
        try validate(schema)
        return schema
    }

    static func field(_ f: JSONObject, index: Int, schemaAutoID: Bool) throws(APIError) -> FieldSchema {
        func get(_ key: String) -> JSONValue? {
            guard let v = f.value(forKeyIgnoringCase: key), v != .null else { return nil }
            return v
        }
        guard let nameValue = get("fieldName") else { throw .missingParameter("schema.fields[\(index)].fieldName") }
        guard let name = nameValue.stringValue else { throw .invalidParameter("fieldName must be a string") }
        guard let typeValue = get("dataType") else { throw .missingParameter("schema.fields[\(index)].dataType") }
        guard let typeName = typeValue.stringValue, let type = DataType(name: typeName) else {
            throw .invalidParameter("data type \(typeValue.stringValue ?? typeValue.kindName) is invalid(case sensitive)")
        }
        func flag(_ key: String) throws(APIError) -> Bool {
            try get(key).map { v throws(APIError) in try MilvusBody.bool(v, name: key) } ?? false
        }
        let isPrimary = try flag("isPrimary")
        let autoID = try flag("autoID")
        if try flag("isPartitionKey") { throw .invalidParameter("field \(name): partition keys are not supported") }
        if try flag("isClusteringKey") { throw .invalidParameter("field \(name): clustering keys are not supported") }
        var field = FieldSchema(name: name, dataType: type, isPrimaryKey: isPrimary,
                                autoID: isPrimary && (autoID || schemaAutoID),
                                nullable: try flag("nullable"),
                                description: get("description")?.stringValue ?? "")
        if let d = get("defaultValue") { field.defaultValue = FieldValue(json: d) }
        if let element = get("elementDataType") {
            guard let s = element.stringValue, let t = DataType(name: s) else {
                throw .invalidParameter("element data type \(element.stringValue ?? element.kindName) is invalid(case sensitive)")
            }
            field.elementType = t
        }
        if let params = get("elementTypeParams") {
            guard let p = params.objectValue else { throw .invalidParameter("elementTypeParams must be an object") }
            for m in p {
                switch m.key.lowercased() {
                case "dim":
                    let d = try MilvusBody.int(m.value, name: "dim")
                    try checkDimension(d, field: name)
                    field.dimension = d
                case "max_length": field.maxLength = try MilvusBody.int(m.value, name: "max_length")
                case "max_capacity": field.maxCapacity = try MilvusBody.int(m.value, name: "max_capacity")
                default: continue  // e.g. enable_analyzer: accepted, no effect
                }
            }
        }
        return field
    }

    /// `schema.functions`: `[{name, type, inputFieldNames, outputFieldNames, params, description}]`; field
    /// names checked here (1700), the rest by ``CollectionSchema/validate()`` (105).
    static func functions(_ value: JSONValue?, schema: CollectionSchema) throws(APIError) -> [FunctionSchema] {
        guard let value, value != .null else { return [] }
        guard let array = value.arrayValue else { throw .invalidParameter("schema.functions must be an array") }
        var out: [FunctionSchema] = []
        for (i, v) in array.enumerated() {
            guard let o = v.objectValue else { throw .invalidParameter("schema.functions[\(i)] must be an object") }
            let body = MilvusBody(object: o)
            let name = try body.requiredString("name")
            let typeName = try body.requiredString("type")
            guard let type = FunctionSchema.FunctionType(name: typeName) else {
                throw .invalidParameter(["BM25", "Rerank"].contains(typeName)
                    ? "function type \(typeName) is not supported (vecnode runs TextEmbedding functions)"
                    : "function type \(typeName) is invalid (BM25, TextEmbedding or Rerank)")
            }
            let inputs = try body.stringArray("inputFieldNames") ?? []
            let outputs = try body.stringArray("outputFieldNames") ?? []
            for f in inputs + outputs where schema.field(named: f) == nil {
                throw APIError(code: APIError.Code.fieldNotFound, message: "field not found[field=\(f)] in function \(name)")
            }
            var params: [String: String] = [:]
            for m in try body.objectValue("params") ?? JSONObject() {
                params[m.key] = m.value.stringValue ?? (try? m.value.serializedString()) ?? ""
            }
            out.append(FunctionSchema(name: name, type: type, inputFieldNames: inputs, outputFieldNames: outputs, params: params,
                                      description: try body.string("description") ?? ""))
        }
        return out
    }

    /// Vector `indexParams`; scalar-field entries (STL_SORT, INVERTED …) are accepted and have no effect,
    /// since vecnode filters by scanning.
    static func indexParams(_ value: JSONValue?, schema: CollectionSchema) throws(APIError) -> [IndexRequest] {
        guard let value else { return [] }
        guard let array = value.arrayValue else { throw .invalidParameter("indexParams must be an array") }
        var out: [IndexRequest] = []
        for (i, v) in array.enumerated() {
            guard let o = v.objectValue else { throw .invalidParameter("indexParams[\(i)] must be an object") }
            if let r = try index(o, position: i, schema: schema) { out.append(r) }
        }
        do {
            try schema.validate(indexes: out.map(\.spec))
        } catch {
            throw .invalidParameter("\(error)")
        }
        return out
    }

    /// One `indexParams` entry; nil for an index on a scalar field.
    static func index(_ o: JSONObject, position i: Int, schema: CollectionSchema) throws(APIError) -> IndexRequest? {
        func get(_ o: JSONObject, _ key: String) -> JSONValue? {
            guard let v = o.value(forKeyIgnoringCase: key), v != .null else { return nil }
            return v
        }
        guard let fieldName = get(o, "fieldName")?.stringValue, !fieldName.isEmpty else {
            throw .missingParameter("indexParams[\(i)].fieldName")
        }
        guard let field = schema.field(named: fieldName) else {
            throw APIError(code: APIError.Code.fieldNotFound, message: "field not found[field=\(fieldName)]")
        }
        let params = get(o, "params")?.objectValue ?? JSONObject()
        let typeName = (get(o, "indexType") ?? get(params, "index_type"))?.stringValue?.uppercased() ?? "AUTOINDEX"
        guard field.dataType.isVector else { return nil }
        let kind: IndexSpec.Kind
        switch typeName {
        case "FLAT": kind = .flat
        case "HNSW", "AUTOINDEX", "HNSW_SQ8":
            var m = 16
            var ef = 200
            if let v = get(params, "M") { m = try MilvusBody.int(v, name: "M") }
            if let v = get(params, "efConstruction") { ef = try MilvusBody.int(v, name: "efConstruction") }
            kind = typeName == "HNSW_SQ8" ? .hnswSQ8(m: m, efConstruction: ef) : .hnsw(m: m, efConstruction: ef)
        case "IVF_FLAT", "IVF_SQ8":
            // Milvus's default nlist is 128; the range (1…65536) is checked with the other index parameters.
            var nlist = 128
            if let v = get(params, "nlist") { nlist = try MilvusBody.int(v, name: "nlist") }
            kind = typeName == "IVF_SQ8" ? .ivfSQ8(nlist: nlist) : .ivfFlat(nlist: nlist)
        default:
            throw .invalidParameter("index type \(typeName) is not supported on vector fields (vecnode supports FLAT, HNSW, HNSW_SQ8, IVF_FLAT, IVF_SQ8, AUTOINDEX)")
        }
        let metricName = (get(o, "metricType") ?? get(params, "metric_type"))?.stringValue
        let spec = IndexSpec(fieldName: fieldName, kind: kind, metric: try metric(metricName))
        let indexName = get(o, "indexName")?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? fieldName
        return IndexRequest(indexName: indexName, spec: spec)
    }

    static func metric(_ name: String?) throws(APIError) -> IndexSpec.Metric {
        guard let name, !name.isEmpty else { return defaultMetric }
        guard let m = IndexSpec.Metric(name: name) else {
            throw .invalidParameter("metric type \(name) is not supported (use L2, IP or COSINE)")
        }
        return m
    }

    static func checkDimension(_ d: Int, field: String) throws(APIError) {
        guard (1...MilvusRESTRoutes.Limits.maxDimension).contains(d) else {
            throw .invalidParameter("\(field): dimension \(d) is out of range 1…\(MilvusRESTRoutes.Limits.maxDimension)")
        }
    }

    static func validate(_ schema: CollectionSchema) throws(APIError) {
        do {
            try schema.validate()
        } catch {
            throw APIError(code: APIError.Code.illegalSchema, message: "\(error)")
        }
    }

    /// Milvus's name rule for collections, partitions and aliases: `[A-Za-z_][A-Za-z0-9_]*`, ≤ 255 chars.
    static func checkName(_ name: String, what: String) throws(APIError) {
        let bytes = Array(name.utf8)
        func letter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
        guard !bytes.isEmpty, bytes.count <= 255, letter(bytes[0]),
            bytes.allSatisfy({ letter($0) || ($0 >= 48 && $0 <= 57) })
        else {
            throw .invalidParameter("\(what) '\(name.prefix(64))' must start with a letter or '_' and contain only letters, digits and '_' (at most 255)")
        }
    }
}
