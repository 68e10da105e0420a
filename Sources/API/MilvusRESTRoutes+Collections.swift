import JSON
import Shard

extension MilvusRESTRoutes {
    static let collectionEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("collections", "create", "Create a collection (quick setup or custom schema)",
                       required: ["collectionName:string"],
                       optional: ["dbName:string", "dimension:integer", "metricType:string", "idType:string",
                                  "autoID:boolean", "primaryFieldName:string", "vectorFieldName:string",
                                  "description:string", "schema:object", "indexParams:array", "params:object"]) { body, routes in
            try await routes.backend.createCollection(try MilvusSchemaDecoder.decode(body))
            return .empty
        },
        MilvusEndpoint("collections", "describe", "Describe a collection", required: ["collectionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let d = try await routes.backend.describeCollection(db: try body.database(), name: try body.requiredString("collectionName"))
            return .data(describe(d))
        },
        MilvusEndpoint("collections", "list", "List collection names", required: [], optional: ["dbName:string"]) { body, routes in
            .data(.array(try await routes.backend.listCollections(db: try body.database()).map { .string($0) }))
        },
        MilvusEndpoint("collections", "has", "Whether a collection exists", required: ["collectionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let has = try await routes.backend.hasCollection(db: try body.database(), name: try body.requiredString("collectionName"))
            return .data(["has": .bool(has)])
        },
        MilvusEndpoint("collections", "drop", "Drop a collection", required: ["collectionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            try await routes.backend.dropCollection(db: try body.database(), name: try body.requiredString("collectionName"))
            return .empty
        },
        MilvusEndpoint("collections", "rename", "Rename a collection", required: ["collectionName:string", "newCollectionName:string"],
                       optional: ["dbName:string", "newDbName:string"]) { body, routes in
            let newName = try body.requiredString("newCollectionName")
            try MilvusSchemaDecoder.checkName(newName, what: "collection name")
            try await routes.backend.renameCollection(db: try body.database(), name: try body.requiredString("collectionName"),
                                                      newName: newName, newDB: try body.string("newDbName").flatMap { $0.isEmpty ? nil : $0 })
            return .empty
        },
        MilvusEndpoint("collections", "load", "Load a collection for search (replicaNumber: vecnode extension)",
                       required: ["collectionName:string"], optional: ["dbName:string", "replicaNumber:integer"]) { body, routes in
            let replicas = try body.int("replicaNumber")
            if let r = replicas, !(1...64).contains(r) { throw APIError.invalidParameter("replicaNumber \(r) is out of range 1…64") }
            try await routes.backend.loadCollection(db: try body.database(), name: try body.requiredString("collectionName"), replicaNumber: replicas)
            return .empty
        },
        MilvusEndpoint("collections", "release", "Release a loaded collection", required: ["collectionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            try await routes.backend.releaseCollection(db: try body.database(), name: try body.requiredString("collectionName"))
            return .empty
        },
        MilvusEndpoint("collections", "get_load_state", "Load state and progress", required: ["collectionName:string"],
                       optional: ["dbName:string", "partitionNames:array"]) { body, routes in
            let s = try await routes.backend.loadState(db: try body.database(), name: try body.requiredString("collectionName"),
                                                       partitions: try body.stringArray("partitionNames") ?? [])
            return .data(["loadState": .string(s.state.rawValue), "loadProgress": .int(Int64(s.progress)), "message": .string(s.message)])
        },
        MilvusEndpoint("collections", "get_stats", "Row count", required: ["collectionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let s = try await routes.backend.collectionStats(db: try body.database(), name: try body.requiredString("collectionName"))
            return .data(["rowCount": .int(s.rowCount)])
        },
        MilvusEndpoint("collections", "flush", "Seal and persist inserted data", required: ["collectionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            try await routes.backend.flush(db: try body.database(), name: try body.requiredString("collectionName"))
            return .empty
        },
        MilvusEndpoint("collections", "get_replicas", "Replicas and their nodes (vecnode extension)",
                       required: ["collectionName:string"], optional: ["dbName:string"]) { body, routes in
            let replicas = try await routes.backend.replicas(db: try body.database(), name: try body.requiredString("collectionName"))
            return .data(["replicas": .array(replicas.map { r in
                ["replicaID": .int(r.replicaID), "nodes": .array(r.nodeIDs.map { .int($0) }), "healthy": .bool(r.healthy),
                 "shards": .array(r.shards.map { ["shard": .int(Int64($0.shard)), "leader": .int($0.leader),
                                                  "nodes": .array($0.nodeIDs.map { .int($0) })] })]
            })])
        },
        MilvusEndpoint("collections", "compact", "Merge small sealed segments (vecnode: runs to completion)",
                       required: ["collectionName:string"], optional: ["dbName:string"]) { body, routes in
            try await routes.backend.compact(db: try body.database(), name: try body.requiredString("collectionName"))
            return .empty
        },
    ]

    /// Milvus's `collections/describe` data object.
    static func describe(_ d: CollectionDescription) -> JSONValue {
        var fields: [JSONValue] = []
        // Milvus numbers user fields from 100 in declaration order; vecnode's schema has no field ids, so
        // the same numbering is derived from the position.
        for (i, f) in d.schema.fields.enumerated() {
            var o: JSONObject = [
                "id": .int(Int64(100 + i)), "name": .string(f.name), "type": .string(f.dataType.name),
                "primaryKey": .bool(f.isPrimaryKey), "partitionKey": false, "autoId": .bool(f.autoID),
                "nullable": .bool(f.nullable), "description": .string(f.description),
            ]
            var params: [JSONValue] = []
            if let dim = f.dimension { params.append(["key": "dim", "value": .string(String(dim))]) }
            if let m = f.maxLength { params.append(["key": "max_length", "value": .string(String(m))]) }
            if let c = f.maxCapacity { params.append(["key": "max_capacity", "value": .string(String(c))]) }
            o.append("params", .array(params))
            if let e = f.elementType { o.append("elementType", .string(e.name)) }
            if let dv = f.defaultValue, let j = JSONValue(field: dv) { o.append("defaultValue", j) }
            fields.append(.object(o))
        }
        let pk = d.schema.primaryKey
        return [
            "collectionName": .string(d.name),
            "collectionID": .int(d.id),
            "description": .string(d.schema.description),
            "autoId": .bool(pk?.autoID ?? false),
            "enableDynamicField": .bool(d.schema.enableDynamicField),
            "consistencyLevel": .string(d.consistencyLevel.rawValue),
            "shardsNum": .int(Int64(d.shardsNum)),
            "partitionsNum": .int(Int64(d.partitionsNum)),
            "aliases": .array(d.aliases.map { .string($0) }),
            "fields": .array(fields),
            "indexes": .array(d.indexes.map { ["fieldName": .string($0.spec.fieldName), "indexName": .string($0.indexName),
                                                 "metricType": .string($0.spec.metric.name)] }),
            "load": .string(d.loadState.rawValue),
            "properties": .array(d.properties.keys.sorted().map { ["key": .string($0), "value": .string(d.properties[$0]!)] }),
            "functions": .array(d.functions.map { f in
                ["name": .string(f.name), "type": .string(f.type), "description": .string(f.description),
                 "inputFieldNames": .array(f.inputFieldNames.map { .string($0) }),
                 "outputFieldNames": .array(f.outputFieldNames.map { .string($0) }),
                 "params": .object(JSONObject(f.params.keys.sorted().map { JSONObject.Member(key: $0, value: .string(f.params[$0]!)) }))]
            }),
        ]
    }
}

extension JSONValue {
    /// The JSON form of a field value (vectors as arrays of numbers); nil never happens for stored values.
    init?(field: FieldValue) {
        switch field {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.compactMap { JSONValue(field: $0) })
        case .object(let o):
            var obj = JSONObject()
            for k in o.keys.sorted() { if let v = JSONValue(field: o[k]!) { obj.append(k, v) } }
            self = .object(obj)
        case .floatVector(let v): self = .array(v.map { .double(Double($0)) })
        }
    }
}
