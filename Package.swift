// swift-tools-version:6.0
//
// vecnode — a distributed vector database in Swift.
//
// Module stack (arrows only point down):
//   Node ─▶ Coordinator ─▶ Shard ─▶ HNSW ─▶ VecCore
// VecCore and HNSW use only the stdlib (plus Glibc for threads and file reads).
// No third-party packages: only what the Swift toolchain ships.
import PackageDescription

/// Release builds target Haswell (AVX2 + FMA): without it swiftc emits SSE2 and fused multiply-add becomes a
/// per-lane library call (see docs/performance.md). Debug builds use the same CPU so tests exercise the same
/// kernels. A CPU without AVX2/FMA cannot run these binaries (documented in README.md).
let cpuFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
let hotFlags: [SwiftSetting] = cpuFlags + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "vecnode",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "VecCore", targets: ["VecCore"]),
        .executable(name: "vecbench", targets: ["vecbench"]),
    ],
    targets: [
        .target(name: "VecCore", swiftSettings: hotFlags),
        .executableTarget(
            name: "vecbench", dependencies: ["VecCore", "Embedding"], path: "Benchmarks/vecbench",
            swiftSettings: hotFlags),
        .testTarget(name: "VecCoreTests", dependencies: ["VecCore"], swiftSettings: cpuFlags),
        // Text embedding (all-MiniLM-L6-v2). Optimised in debug builds too: its tests run the whole model
        // over 1,038 reference texts, which unoptimised SIMD code makes ~100× slower.
        .target(name: "CEmbeddingSupport"),  // prefetch hint for Embedding's matmul kernel
        .target(
            name: "Embedding", dependencies: ["CEmbeddingSupport"],
            swiftSettings: hotFlags + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .testTarget(name: "EmbeddingTests", dependencies: ["Embedding"], swiftSettings: cpuFlags),
    ],
    swiftLanguageModes: [.v6]
)
