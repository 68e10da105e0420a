// swift-tools-version:6.1
//
// vecnode — a distributed vector database in Swift.
//
// Module stack (arrows only point down; docs/architecture.md has the full picture):
//   vecnode ─▶ Runtime, Coordinator ─▶ Shard ─▶ HNSW ─▶ VecCore ─▶ CVecSupport
//   API ─▶ HTTP ─▶ Net ─▶ CEpoll;  Wire ─▶ VecCore;  Embedding ─▶ VecCore
// VecCore and HNSW use the stdlib, Glibc, Synchronization and Foundation's threads and locks only.
// No third-party packages: only what the Swift toolchain ships.
import PackageDescription

/// Release builds target Haswell (AVX2 + FMA): without it swiftc emits SSE2 and fused multiply-add becomes a
/// per-lane library call, ~35× slower (docs/performance.md, "Compiler target"). Debug builds use the same CPU so tests exercise the same
/// kernels. A CPU without AVX2/FMA cannot run these binaries (documented in README.md).
/// `VECNODE_TARGET_CPU` overrides the CPU (e.g. `skylake-avx512` for AVX-512 machines; see docs/performance.md).
let targetCPU = Context.environment["VECNODE_TARGET_CPU"] ?? "haswell"
let cpuFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU])]
/// Hot-path modules are optimised even in debug builds: unoptimised SIMD code is 50–100× slower, which would
/// make the test suite (debug by default) spend minutes in distance kernels.
let hotFlags: [SwiftSetting] = cpuFlags + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "vecnode",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VecCore", targets: ["VecCore"]),
        .library(name: "HNSW", targets: ["HNSW"]),
        .library(name: "Net", targets: ["Net"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "HTTP", targets: ["HTTP"]),
        .library(name: "API", targets: ["API"]),
        .executable(name: "vecbench", targets: ["vecbench"]),
        .executable(name: "vecnode", targets: ["vecnode"]),
    ],
    targets: [
        .target(name: "CVecSupport"),
        .target(name: "VecCore", dependencies: ["CVecSupport"], swiftSettings: hotFlags),
        .target(name: "HNSW", dependencies: ["VecCore", "CVecSupport"], swiftSettings: hotFlags),
        .target(name: "Shard", dependencies: ["VecCore", "HNSW", "IVF"], swiftSettings: hotFlags),
        // IVF_FLAT / IVF_SQ8 indexes and their k-means (docs/ivf.md).
        .target(name: "IVF", dependencies: ["VecCore"], swiftSettings: hotFlags),
        .testTarget(name: "IVFTests", dependencies: ["IVF", "HNSW", "Shard", "VecCore", "TestSupport"], swiftSettings: cpuFlags),
        .target(name: "TestSupport", dependencies: ["VecCore"], swiftSettings: hotFlags),
        .target(name: "CEpoll"),
        .target(name: "Net", dependencies: ["CEpoll"], swiftSettings: hotFlags),
        .target(name: "JSON", swiftSettings: hotFlags),
        .target(name: "HTTP", dependencies: ["Net", "JSON"], swiftSettings: hotFlags),
        // HTTP load balancer in front of the proxies (the `gateway` role).
        .target(name: "Gateway", dependencies: ["HTTP", "Net", "JSON"], swiftSettings: cpuFlags),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "HTTP", "Net", "JSON", "HTTPTestSupport"], swiftSettings: cpuFlags),
        .target(name: "Wire", dependencies: ["VecCore"], swiftSettings: hotFlags),
        .target(name: "Coordinator", dependencies: ["Shard", "Wire", "VecCore"], swiftSettings: cpuFlags),
        // Worker roles (log node, query node) and their wire messages.
        .target(name: "Node", dependencies: ["Coordinator", "Shard", "Wire", "VecCore", "Runtime"], swiftSettings: cpuFlags),
        // The query coordinator role: replica placement, load/release, healing, routes (docs/cluster.md).
        .target(name: "QueryCoord", dependencies: ["Coordinator", "Node", "Wire", "Shard", "Runtime"], swiftSettings: cpuFlags),
        // The data coordinator role: channel ownership by data nodes, flushes, log truncation (docs/cluster.md).
        .target(name: "DataCoord", dependencies: ["Coordinator", "Node", "Wire", "Shard", "Runtime"], swiftSettings: cpuFlags),
        .testTarget(
            name: "DataCoordTests", dependencies: ["DataCoord", "Coordinator", "Node", "Wire", "Shard", "Runtime", "TestSupport"],
            swiftSettings: cpuFlags),
        // The index coordinator role: finds unindexed flushed segments, dispatches builds to index nodes (docs/cluster.md).
        .target(name: "IndexCoord", dependencies: ["Coordinator", "Node", "Wire", "Shard", "Runtime"], swiftSettings: cpuFlags),
        .testTarget(name: "IndexCoordTests", dependencies: ["IndexCoord", "Coordinator", "Node", "Wire", "Shard", "Runtime", "TestSupport"],
                    swiftSettings: cpuFlags),
        .executableTarget(
            name: "vecbench", dependencies: ["VecCore", "HNSW", "IVF", "Shard", "Net", "JSON", "HTTP", "Wire", "Embedding", "Runtime", "API", "Node", "E2EScenario", "Proxy", "Coordinator", "QueryCoord", "LoadGen"],
            path: "Benchmarks/vecbench",
            swiftSettings: hotFlags),
        .testTarget(name: "VecCoreTests", dependencies: ["VecCore", "TestSupport"], swiftSettings: cpuFlags),
        .testTarget(name: "HNSWTests", dependencies: ["HNSW", "VecCore", "TestSupport"], swiftSettings: cpuFlags),
        // The log crash test runs this child process and SIGKILLs it; the dependency makes `swift test` build it.
        .executableTarget(
            name: "ShardCrashHelper", dependencies: ["Shard"], path: "Tests/ShardCrashHelper",
            swiftSettings: cpuFlags),
        .testTarget(
            name: "ShardTests", dependencies: ["Shard", "VecCore", "HNSW", "TestSupport", "ShardCrashHelper"], swiftSettings: cpuFlags),
        .testTarget(name: "NetTests", dependencies: ["Net"], swiftSettings: cpuFlags),
        .testTarget(name: "JSONTests", dependencies: ["JSON", "TestSupport"], swiftSettings: cpuFlags),
        // Raw-socket HTTP client and a dedicated-thread executor shared by the HTTP and API tests.
        .target(name: "HTTPTestSupport", dependencies: ["Net", "JSON", "HTTP"], path: "Tests/HTTPTestSupport",
                swiftSettings: cpuFlags),
        .testTarget(name: "HTTPTests", dependencies: ["HTTPTestSupport", "HTTP", "Net", "JSON", "TestSupport"], swiftSettings: cpuFlags),
        .testTarget(name: "WireTests", dependencies: ["Wire", "TestSupport"], swiftSettings: cpuFlags),
        // HTTP API: Milvus RESTful v2 and the seed's /health, /search over the APIBackend protocol.
        .target(name: "API", dependencies: ["HTTP", "JSON", "Shard", "VecCore", "Runtime"], swiftSettings: cpuFlags),
        // The HTTP API's end-to-end cases and live-server harness, run over every backend (APITests, ProxyTests).
        .target(name: "APIConformance", dependencies: ["HTTPTestSupport", "API", "HTTP", "Net", "JSON"], path: "Tests/APIConformance",
                swiftSettings: cpuFlags),
        .testTarget(name: "APITests", dependencies: ["APIConformance", "HTTPTestSupport", "API", "HTTP", "Net", "JSON", "Shard", "VecCore", "TestSupport"], swiftSettings: cpuFlags),
        // Text embedding (all-MiniLM-L6-v2): tokenizer, safetensors reader, BERT encoder, SIMD matmul.
        .target(name: "CEmbeddingSupport"),  // vector max/min/reductions Swift does not lower well
        .target(name: "Embedding", dependencies: ["VecCore", "CVecSupport", "CEmbeddingSupport"], swiftSettings: hotFlags),
        .testTarget(name: "EmbeddingTests", dependencies: ["Embedding"], swiftSettings: cpuFlags),
        // Schema functions (TextEmbedding): fill inserted rows' vectors and embed search texts, on dedicated threads.
        .target(name: "Functions", dependencies: ["Shard", "Embedding", "Runtime"], swiftSettings: cpuFlags),
        .testTarget(name: "FunctionsTests", dependencies: ["Functions", "Shard", "Embedding", "Runtime"], swiftSettings: cpuFlags),
        // The root coordinator's crash test runs this child process and SIGKILLs it.
        .executableTarget(
            name: "CoordinatorCrashHelper", dependencies: ["Coordinator", "Shard"], path: "Tests/CoordinatorCrashHelper",
            swiftSettings: cpuFlags),
        .testTarget(
            name: "CoordinatorTests", dependencies: ["Coordinator", "Shard", "Wire", "CoordinatorCrashHelper", "TestSupport"],
            swiftSettings: cpuFlags),
        // The log node's crash test runs this child process and SIGKILLs it.
        .executableTarget(
            name: "LogNodeCrashHelper", dependencies: ["Node", "Shard"], path: "Tests/LogNodeCrashHelper",
            swiftSettings: cpuFlags),
        .testTarget(
            name: "NodeTests", dependencies: ["Node", "Coordinator", "Shard", "Wire", "Runtime", "VecCore", "TestSupport", "LogNodeCrashHelper"],
            swiftSettings: cpuFlags),
        // Process runtime (CPU executor, logging, config, signals) and the `vecnode` executable; the tests run
        // the built binary, so they depend on it.
        .target(name: "Runtime", dependencies: ["VecCore"], swiftSettings: cpuFlags),
        // Running roles: one role on a transport (RoleHost), or all of them in one process (LocalCluster).
        .target(name: "Cluster", dependencies: ["Runtime", "Wire", "Coordinator", "QueryCoord", "IndexCoord", "DataCoord", "Node", "Proxy", "Shard", "HTTP", "API", "Net", "JSON", "Functions", "Gateway"],
                swiftSettings: cpuFlags),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "Runtime", "Wire", "Coordinator", "Node", "HTTPTestSupport",
                                                         "JSON", "TestSupport", "VecCore", "Shard", "E2EScenario", "vecnode"],
                    swiftSettings: cpuFlags),
        .executableTarget(name: "vecnode", dependencies: ["Runtime", "Wire", "Embedding", "Cluster"], swiftSettings: cpuFlags),
        // Issue #4's end-to-end scenario over HTTP, shared by the cluster tests and `vecbench e2e`.
        .target(name: "E2EScenario", dependencies: ["HTTP", "Net", "JSON", "VecCore"], path: "Benchmarks/E2EScenario",
                swiftSettings: hotFlags),
        .testTarget(
            name: "QueryCoordTests", dependencies: ["QueryCoord", "Coordinator", "Node", "Wire", "Shard", "Runtime", "TestSupport"],
            swiftSettings: cpuFlags),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "vecnode"], swiftSettings: cpuFlags),
        // The proxy role: APIBackend over the cluster (DDL, writes to the log, scatter-gather reads).
        .target(name: "Proxy", dependencies: ["API", "Node", "Coordinator", "Wire", "Shard", "VecCore", "Runtime"], swiftSettings: cpuFlags),
        .testTarget(
            name: "ProxyTests",
            dependencies: ["Proxy", "API", "APIConformance", "Node", "Coordinator", "QueryCoord", "Wire", "Shard", "VecCore", "Runtime", "TestSupport", "HTTPTestSupport", "HTTP", "JSON", "Net"],
            swiftSettings: cpuFlags),
        // Load generator behind `vecbench load`: HDR histogram, keep-alive HTTP client threads, open/closed loop, report, SVG.
        .target(name: "LoadGen", dependencies: ["HTTP", "Net", "JSON"], swiftSettings: cpuFlags),
        .testTarget(name: "LoadGenTests", dependencies: ["LoadGen", "HTTPTestSupport", "HTTP", "Net", "JSON", "TestSupport"], swiftSettings: cpuFlags),
    ],
    swiftLanguageModes: [.v6]
)
