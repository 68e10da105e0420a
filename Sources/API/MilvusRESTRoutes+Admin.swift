import JSON
import Shard

extension MilvusRESTRoutes {
    static let indexEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("indexes", "create", "Build indexes (FLAT, HNSW, AUTOINDEX on vector fields)",
                       required: ["collectionName:string", "indexParams:array"], optional: ["dbName:string"]) { body, routes in
            let db = try body.database()
            let collection = try body.requiredString("collectionName")
            guard let params = body.value("indexParams") else { throw APIError.missingParameter("indexParams") }
            guard let array = params.arrayValue, !array.isEmpty else { throw APIError.invalidParameter("indexParams must be a non-empty array") }
            let schema = try await routes.backend.describeCollection(db: db, name: collection).schema
            let indexes = try MilvusSchemaDecoder.indexParams(params, schema: schema)
            if !indexes.isEmpty { try await routes.backend.createIndexes(db: db, collection: collection, indexes: indexes) }
            return .empty
        },
        MilvusEndpoint("indexes", "describe", "Describe an index", required: ["collectionName:string", "indexName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            let name = try body.requiredString("indexName")
            let list = try await routes.backend.describeIndexes(db: try body.database(), collection: collection, indexName: name)
            return .data(.array(list.map(describeIndex)))
        },
        MilvusEndpoint("indexes", "list", "Index names of a collection", required: ["collectionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let list = try await routes.backend.describeIndexes(db: try body.database(), collection: try body.requiredString("collectionName"), indexName: nil)
            return .data(.array(list.map { .string($0.indexName) }))
        },
        MilvusEndpoint("indexes", "drop", "Drop an index (release the collection first)", required: ["collectionName:string", "indexName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            try await routes.backend.dropIndex(db: try body.database(), collection: collection, indexName: try body.requiredString("indexName"))
            return .empty
        },
    ]

    static func describeIndex(_ d: IndexDescription) -> JSONValue {
        var params: JSONObject = [:]
        switch d.spec.kind {
        case .flat: break
        case .hnsw(let m, let ef), .hnswSQ8(let m, let ef):
            params.append("M", .int(Int64(m)))
            params.append("efConstruction", .int(Int64(ef)))
        case .ivfFlat(let nlist), .ivfSQ8(let nlist):
            params.append("nlist", .int(Int64(nlist)))
        }
        return [
            "fieldName": .string(d.spec.fieldName), "indexName": .string(d.indexName), "indexType": .string(d.spec.kind.name),
            "metricType": .string(d.spec.metric.name), "params": .object(params), "indexState": .string(d.state),
            "totalRows": .int(d.totalRows), "indexedRows": .int(d.indexedRows), "pendingRows": .int(d.pendingRows),
            "failReason": .string(d.failReason),
        ]
    }

    static let partitionEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("partitions", "create", "Create a partition", required: ["collectionName:string", "partitionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            let partition = try body.requiredString("partitionName")
            try MilvusSchemaDecoder.checkName(partition, what: "partition name")
            try await routes.backend.createPartition(db: try body.database(), collection: collection, partition: partition)
            return .empty
        },
        MilvusEndpoint("partitions", "drop", "Drop a partition (release it first)", required: ["collectionName:string", "partitionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            try await routes.backend.dropPartition(db: try body.database(), collection: collection, partition: try body.requiredString("partitionName"))
            return .empty
        },
        MilvusEndpoint("partitions", "list", "Partition names", required: ["collectionName:string"], optional: ["dbName:string"]) { body, routes in
            let list = try await routes.backend.listPartitions(db: try body.database(), collection: try body.requiredString("collectionName"))
            return .data(.array(list.map { .string($0) }))
        },
        MilvusEndpoint("partitions", "has", "Whether a partition exists", required: ["collectionName:string", "partitionName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            let partition = try body.requiredString("partitionName")
            let list = try await routes.backend.listPartitions(db: try body.database(), collection: collection)
            return .data(["has": .bool(list.contains(partition))])
        },
        MilvusEndpoint("partitions", "load", "Load partitions", required: ["collectionName:string", "partitionNames:array"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            guard let names = try body.stringArray("partitionNames"), !names.isEmpty else { throw APIError.missingParameter("partitionNames") }
            try await routes.backend.loadPartitions(db: try body.database(), collection: collection, partitions: names)
            return .empty
        },
        MilvusEndpoint("partitions", "release", "Release partitions", required: ["collectionName:string", "partitionNames:array"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            guard let names = try body.stringArray("partitionNames"), !names.isEmpty else { throw APIError.missingParameter("partitionNames") }
            try await routes.backend.releasePartitions(db: try body.database(), collection: collection, partitions: names)
            return .empty
        },
    ]

    static let aliasEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("aliases", "create", "Create an alias for a collection", required: ["collectionName:string", "aliasName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            let alias = try body.requiredString("aliasName")
            try MilvusSchemaDecoder.checkName(alias, what: "alias")
            try await routes.backend.createAlias(db: try body.database(), collection: collection, alias: alias)
            return .empty
        },
        MilvusEndpoint("aliases", "describe", "The collection an alias points to", required: ["aliasName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let d = try await routes.backend.describeAlias(db: try body.database(), alias: try body.requiredString("aliasName"))
            return .data(["dbName": .string(d.db), "collectionName": .string(d.collection), "aliasName": .string(d.alias)])
        },
        MilvusEndpoint("aliases", "list", "Aliases (of one collection when collectionName is given)", required: [],
                       optional: ["dbName:string", "collectionName:string"]) { body, routes in
            let collection = try body.string("collectionName").flatMap { $0.isEmpty ? nil : $0 }
            let list = try await routes.backend.listAliases(db: try body.database(), collection: collection)
            return .data(.array(list.map { .string($0) }))
        },
        MilvusEndpoint("aliases", "drop", "Drop an alias", required: ["aliasName:string"], optional: ["dbName:string"]) { body, routes in
            try await routes.backend.dropAlias(db: try body.database(), alias: try body.requiredString("aliasName"))
            return .empty
        },
        MilvusEndpoint("aliases", "alter", "Point an alias at another collection", required: ["collectionName:string", "aliasName:string"],
                       optional: ["dbName:string"]) { body, routes in
            let collection = try body.requiredString("collectionName")
            try await routes.backend.alterAlias(db: try body.database(), collection: collection, alias: try body.requiredString("aliasName"))
            return .empty
        },
    ]

    static let userEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("users", "create", "Create a user", required: ["userName:string", "password:string"]) { body, routes in
            let name = try body.requiredString("userName")
            let password = try body.requiredString("password")
            try APIAuth.checkCredentials(user: name, password: password)
            try await routes.backend.createUser(name: name, password: password)
            return .empty
        },
        MilvusEndpoint("users", "list", "User names", required: []) { _, routes in
            .data(.array(try await routes.backend.listUsers().map { .string($0) }))
        },
        MilvusEndpoint("users", "drop", "Drop a user", required: ["userName:string"]) { body, routes in
            try await routes.backend.dropUser(name: try body.requiredString("userName"))
            return .empty
        },
        MilvusEndpoint("users", "update_password", "Change a user's password",
                       required: ["userName:string", "password:string", "newPassword:string"]) { body, routes in
            let name = try body.requiredString("userName")
            let old = try body.requiredString("password")
            let new = try body.requiredString("newPassword")
            try APIAuth.checkCredentials(user: name, password: new)
            try await routes.backend.updatePassword(name: name, oldPassword: old, newPassword: new)
            return .empty
        },
    ]
}
