import API
import Coordinator
import Node
import Wire

/// `GET /metrics` for the cluster behind this proxy: query nodes serve no HTTP, so the proxy asks every live
/// query node for its counters (`DescribeQueryNodeMetrics`) and the query coordinator for every collection's
/// routes when it is scraped, in parallel and within `metricsScrapeTimeout`. A peer that does not answer in
/// time is left out of that scrape and counted in `vecnode_metrics_scrape_errors_total{source}`.
/// Every family is documented in docs/metrics.md.
extension Proxy: MetricsSource {
    public func collectMetrics() async -> [MetricFamily] {
        let deadline = ContinuousClock.now + configuration.metricsScrapeTimeout
        let names = await collectionNames(deadline: deadline)
        async let nodes = queryNodeMetrics(deadline: deadline)
        async let routes = collectionRoutes(names.keys.sorted(), deadline: deadline)
        let (nodeMetrics, routeList) = await (nodes, routes)
        return Self.nodeFamilies(nodeMetrics, names: names) + Self.collectionFamilies(routeList, names: names)
            + [.counter("vecnode_metrics_scrape_errors_total",
                        help: "Peers that did not answer a /metrics scrape in time (left out of that scrape), by role.",
                        samples: metricsScrapeErrors.withLock { $0 }.map { (["source": $0.key], Double($0.value)) })]
    }

    /// One live query node's answer.
    struct ScrapedNode: Sendable {
        var nodeID: NodeID
        var address: String
        var metrics: QueryNodeMetrics
    }

    private func countScrapeError(_ source: String) {
        metricsScrapeErrors.withLock { $0[source, default: 0] += 1 }
    }

    /// Every live query node's metrics, asked in parallel; nodes that fail or miss `deadline` are skipped.
    func queryNodeMetrics(deadline: ContinuousClock.Instant) async -> [ScrapedNode] {
        let live: [NodeSession]
        do {
            live = try await rootCoord.call(ListLiveNodes(role: .queryNode), options: options(deadline)).sessions
        } catch {
            countScrapeError("rootcoord")
            return []
        }
        let scraped = await withTaskGroup(of: ScrapedNode?.self) { group in
            for session in live {
                group.addTask {
                    do {
                        let address = try WireAddress(parsing: session.address)
                        let m = try await self.transport.client(for: address).call(DescribeQueryNodeMetrics(), options: self.options(deadline))
                        return ScrapedNode(nodeID: session.nodeID, address: session.address, metrics: m)
                    } catch {
                        return nil
                    }
                }
            }
            var out: [ScrapedNode] = []
            for await node in group { if let node { out.append(node) } }
            return out
        }
        for _ in scraped.count..<live.count { countScrapeError("querynode") }
        return scraped.sorted { $0.nodeID.rawValue < $1.nodeID.rawValue }
    }

    /// Routes of the given collections from the query coordinator, in parallel.
    func collectionRoutes(_ ids: [Int64], deadline: ContinuousClock.Instant) async -> [CollectionRoutes] {
        let results: (routes: [CollectionRoutes], failed: Int) = await withTaskGroup(of: CollectionRoutes?.self) { group in
            for id in ids {
                group.addTask { try? await self.call(.queryCoord, GetCollectionRoutes(collectionID: CollectionID(id)), deadline: deadline) }
            }
            var out: [CollectionRoutes] = []
            var failed = 0
            for await r in group {
                if let r { out.append(r) } else { failed += 1 }
            }
            return (out, failed)
        }
        if results.failed > 0 { countScrapeError("querycoord") }
        return results.routes
    }

    static func nodeFamilies(_ nodes: [ScrapedNode], names: [Int64: String]) -> [MetricFamily] {
        func perNode(_ value: (QueryNodeMetrics) -> Double) -> [([String: String], Double)] {
            nodes.map { (["node_id": "\($0.nodeID.rawValue)", "address": $0.address], value($0.metrics)) }
        }
        var lag: [([String: String], Double)] = []
        for n in nodes {
            for r in n.metrics.replicas {
                let c = r.status.ref.collection
                lag.append((["node_id": "\(n.nodeID.rawValue)", "address": n.address, "collection": names[c] ?? "\(c)",
                             "shard": "\(r.status.ref.shard)"], Double(r.logLagRecords)))
            }
        }
        let bounds = nodes.first?.metrics.requests.latencyBounds ?? []
        // Nodes of another build may use other buckets; a family has one set, so those are left out.
        let latency = nodes.filter { $0.metrics.requests.latencyBounds == bounds }.map { n in
            (labels: ["node_id": "\(n.nodeID.rawValue)", "address": n.address], buckets: n.metrics.requests.latencyBuckets,
             sum: n.metrics.requests.latencySumSeconds)
        }
        var families: [MetricFamily] = [
            .counter("vecnode_querynode_search_total", help: "Shard searches a query node answered (successfully or not), per query node.",
                     samples: perNode { Double($0.requests.searches) }),
            .counter("vecnode_querynode_search_failed_total", help: "Shard searches a query node answered with an error, per query node.",
                     samples: perNode { Double($0.requests.searchesFailed) }),
            .counter("vecnode_querynode_query_total", help: "Shard queries, gets and counts a query node answered (successfully or not), per query node.",
                     samples: perNode { Double($0.requests.queries) }),
            .counter("vecnode_querynode_query_failed_total", help: "Shard queries, gets and counts a query node answered with an error, per query node.",
                     samples: perNode { Double($0.requests.queriesFailed) }),
            .gauge("vecnode_querynode_replicas", help: "Shard replicas a query node hosts.",
                   samples: perNode { Double($0.replicas.count) }),
            .gauge("vecnode_querynode_sealed_segments", help: "Sealed segments over every replica a query node hosts.",
                   samples: perNode { Double($0.replicas.reduce(0) { $0 + $1.status.sealedSegments }) }),
            .gauge("vecnode_querynode_growing_rows", help: "Rows in growing (not yet sealed) segments over every replica a query node hosts.",
                   samples: perNode { Double($0.replicas.reduce(0) { $0 + $1.status.growingRows }) }),
            .gauge("vecnode_querynode_rows", help: "Live rows over every replica a query node hosts.",
                   samples: perNode { Double($0.replicas.reduce(0) { $0 + $1.status.liveRows }) }),
            .gauge("vecnode_querynode_log_lag_records", help: "Channel records a replica has not applied yet, as of its latest read from the log node.",
                   samples: lag),
            .gauge("vecnode_querynode_resident_memory_bytes", help: "Resident set size of a query node's process.",
                   samples: perNode { Double($0.residentMemoryBytes) }),
        ]
        if !bounds.isEmpty {
            families.append(.histogram("vecnode_querynode_search_duration_seconds",
                                       help: "Seconds a query node took to answer a shard search (catch-up included), per query node.",
                                       bounds: bounds, samples: latency))
        }
        return families
    }

    static func collectionFamilies(_ routes: [CollectionRoutes], names: [Int64: String]) -> [MetricFamily] {
        func label(_ r: CollectionRoutes) -> [String: String] {
            ["collection": names[r.collectionID.rawValue] ?? "\(r.collectionID.rawValue)"]
        }
        return [
            .gauge("vecnode_collection_replicas", help: "Replicas of a collection placed by the query coordinator (0 when not loaded).",
                   samples: routes.map { (label($0), Double($0.state == .notLoaded ? 0 : $0.replicas.count)) }),
            .gauge("vecnode_collection_replicas_healthy", help: "Replicas of a collection with every shard served.",
                   samples: routes.map { (label($0), Double($0.state == .notLoaded ? 0 : $0.replicas.filter(\.healthy).count)) }),
        ]
    }
}
