import JSON

extension MilvusRESTRoutes {
    /// vecnode extensions about the cluster itself (not in Milvus's REST API), for the web console.
    static let clusterEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("cluster", "describe", "Every node: role, id, address, health, uptime, hosted replicas (vecnode extension)",
                       required: []) { _, routes in
            .data(clusterJSON(try await routes.backend.describeCluster()))
        },
        MilvusEndpoint("cluster", "drain_node",
                       "Move every shard copy off a query node without a gap and wait until it serves nothing (vecnode extension)",
                       required: ["nodeID:integer"], optional: ["timeoutSeconds:integer"]) { body, routes in
            guard let value = body.value("nodeID") else { throw APIError.missingParameter("nodeID") }
            let nodeID = try MilvusBody.int(value, name: "nodeID")
            guard nodeID > 0 else { throw APIError.invalidParameter("nodeID must be positive, got \(nodeID)") }
            let timeout = try body.int("timeoutSeconds") ?? drainDefaultTimeoutSeconds
            guard (0...drainMaxTimeoutSeconds).contains(timeout) else {
                throw APIError.invalidParameter("timeoutSeconds must be 0…\(drainMaxTimeoutSeconds), got \(timeout)")
            }
            let r = try await routes.backend.drainQueryNode(nodeID: Int64(nodeID), wait: .seconds(timeout))
            return .data([
                "nodeID": .int(r.nodeID), "drained": .bool(r.drained),
                "remainingCopies": .int(Int64(r.remainingCopies)), "initialCopies": .int(Int64(r.initialCopies)),
            ])
        },
    ]

    /// `cluster/drain_node` waits this long unless `timeoutSeconds` says otherwise: under the gateway's 30 s
    /// request timeout.
    static let drainDefaultTimeoutSeconds = 20
    /// Longest `timeoutSeconds` accepted (the query coordinator's limit).
    static let drainMaxTimeoutSeconds = 600

    /// `cluster/describe`'s data object; absent values (uptime, searches) are `null`.
    static func clusterJSON(_ c: ClusterDescription) -> JSONValue {
        [
            "state": .string(c.state),
            "nodes": .array(c.nodes.map { n in
                [
                    "role": .string(n.role), "nodeID": .int(n.nodeID), "address": .string(n.address), "healthy": .bool(n.healthy),
                    "uptimeSeconds": n.uptimeSeconds.map { .double($0.isFinite ? $0 : 0) } ?? .null,
                    "uptimeIsObserved": .bool(n.uptimeIsObserved),
                    "searches": n.searches.map { .int($0) } ?? .null,
                    "message": .string(n.message),
                    "replicas": .array(n.replicas.map { r in
                        [
                            "collectionID": .int(r.collectionID), "collectionName": .string(r.collectionName),
                            "shard": .int(Int64(r.shard)), "replicaID": .int(r.replicaID), "rowCount": .int(r.rowCount),
                            "sealedSegments": .int(Int64(r.sealedSegments)), "growingRows": .int(r.growingRows),
                            "lastError": .string(r.lastError),
                        ]
                    }),
                ]
            }),
        ]
    }
}
