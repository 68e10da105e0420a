import Foundation
import Testing

/// Helpers for the log, object-store and durable-file tests.
enum StorageTestSupport {
    /// A fresh empty directory under the system temporary directory; the caller removes it.
    ///
    /// - Parameter memoryBacked: use `/dev/shm` (tmpfs, where fsync is free) when present — for tests that
    ///   reopen a log thousands of times to check parsing, not durability.
    static func makeTemporaryDirectory(_ label: String, memoryBacked: Bool = false) -> String {
        var isDirectory: ObjCBool = false
        let base = memoryBacked && FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory)
            && isDirectory.boolValue ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/shard-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Runs blocking work (process spawning, sleeps, thousands of file rewrites) on a dedicated thread so it does
    /// not occupy one of the cooperative pool's two threads while other tests run.
    static func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    static func readFile(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

    static func writeFile(_ path: String, _ bytes: [UInt8]) {
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Deterministic bytes for payloads (SplitMix64 stream).
    static func bytes(count: Int, seed: UInt64) -> Data {
        var state = seed
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476C_E5B9_E62D
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            out[i] = UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
        return Data(out)
    }
}
