import JSON

extension MilvusRESTRoutes {
    /// vecnode extensions about the cluster itself (not in Milvus's REST API), for the web console.
    static let clusterEndpoints: [MilvusEndpoint] = [
        MilvusEndpoint("cluster", "describe", "Every node: role, id, address, health, uptime, hosted replicas (vecnode extension)",
                       required: []) { _, routes in
            .data(clusterJSON(try await routes.backend.describeCluster()))
        },
    ]

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
