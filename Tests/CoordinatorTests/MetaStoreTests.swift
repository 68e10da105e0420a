import Foundation
import Shard
import Testing

@testable import Coordinator

@Suite struct MetaStoreTests {
    @Test func putGetDeleteListWithRevisions() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetaStore(directory: dir.path)
        #expect(store.revision == 0)
        #expect(try store.put("a/1", [1]) == 1)
        #expect(try store.put("a/2", [2]) == 2)
        #expect(try store.put("b/1", [3]) == 3)
        #expect(try store.put("a/1", [4]) == 4)
        #expect(store.get("a/1") == MetaEntry(value: [4], createRevision: 1, modRevision: 4))
        #expect(store.list(prefix: "a/").map(\.key) == ["a/1", "a/2"])
        #expect(store.list(prefix: "").count == 3)
        #expect(try store.delete("a/2") == 5)
        #expect(try store.delete("a/2") == nil)  // absent: nothing written
        #expect(store.revision == 5)
        #expect(store.get("a/2") == nil)
    }

    @Test func compareAndSetChecksRevision() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetaStore(directory: dir.path)
        let r1 = try store.compareAndSet("k", expectedRevision: 0, value: [1])
        #expect(throws: MetaStoreError.revisionMismatch(key: "k", expected: 0, actual: r1)) {
            try store.compareAndSet("k", expectedRevision: 0, value: [2])
        }
        let r2 = try store.compareAndSet("k", expectedRevision: r1, value: [2])
        #expect(r2 == r1 + 1)
        #expect(throws: MetaStoreError.self) { try store.compareAndSet("k", expectedRevision: r1, value: [3]) }
        #expect(store.get("k")?.value == [2])
    }

    @Test func transactionIsAllOrNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetaStore(directory: dir.path)
        try store.put("x", [1])
        let failing = MetaTransaction(
            conditions: [.revision(key: "x", equals: 99)], operations: [.put(key: "y", value: [2]), .delete(key: "x")])
        #expect(throws: MetaStoreError.self) { try store.commit(failing) }
        #expect(store.get("y") == nil && store.get("x") != nil && store.revision == 1)
        let ok = MetaTransaction(
            conditions: [.revision(key: "x", equals: 1)], operations: [.put(key: "y", value: [2]), .delete(key: "x")])
        #expect(try store.commit(ok) == 2)
        #expect(store.get("y")?.modRevision == 2 && store.get("x") == nil)
    }

    @Test func rejectsInvalidKeysAndOversizedTransactions() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var options = MetaStore.Options()
        options.maxTransactionBytes = 4096
        let store = try MetaStore(directory: dir.path, options: options)
        #expect(throws: MetaStoreError.self) { try store.put("", [1]) }
        #expect(throws: MetaStoreError.self) { try store.put(String(repeating: "k", count: 2000), [1]) }
        #expect(throws: MetaStoreError.self) { try store.put("big", [UInt8](repeating: 7, count: 5000)) }
        #expect(store.revision == 0)
    }

    @Test func recoversFromWALWithoutSnapshot() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        do {
            let store = try MetaStore(directory: dir.path)
            for i in 0..<50 { try store.put("k/\(i % 7)", [UInt8(i)]) }
            try store.delete("k/3")
            // Dropped without close: a crash after the acknowledgements.
        }
        let reopened = try MetaStore(directory: dir.path)
        #expect(reopened.revision == 51)
        #expect(reopened.recoveryReport.replayedRecords == 51)
        #expect(reopened.get("k/3") == nil)
        #expect(reopened.get("k/0")?.value == [49])
        #expect(reopened.list(prefix: "k/").count == 6)
    }

    @Test func snapshotsTruncateTheWALAndRecoveryCombinesBoth() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var options = MetaStore.Options()
        options.snapshotThresholdBytes = 4 << 10
        options.walSegmentBytes = 4096
        var rng = SeededRandom(seed: 42)
        var model: [String: [UInt8]] = [:]
        var revision: UInt64 = 0
        for round in 0..<4 {
            let store = try MetaStore(directory: dir.path, options: options)
            #expect(store.revision == revision, "round \(round)")
            for (key, value) in model { #expect(store.get(key)?.value == value, "round \(round) key \(key)") }
            #expect(store.list(prefix: "").count == model.count)
            for _ in 0..<120 {
                let key = "key/\(Int.random(in: 0..<40, using: &rng))"
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    if try store.delete(key) != nil { revision += 1 }
                    model.removeValue(forKey: key)
                } else {
                    let value = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    revision = try store.put(key, value)
                    model[key] = value
                }
            }
            if round == 2 { try store.snapshot() }
        }
        let final = try MetaStore(directory: dir.path, options: options)
        #expect(final.recoveryReport.snapshotRevision > 0)
        #expect(final.revision == revision)
        for (key, value) in model { #expect(final.get(key)?.value == value) }
        // The WAL was truncated: far fewer 4 KiB segment files than 480 writes of ~100 bytes would need.
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/wal").filter { $0.hasSuffix(".seg") }
        #expect(segments.count <= 4)
    }

    @Test func corruptSnapshotIsReportedNotIgnored() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        do {
            let store = try MetaStore(directory: dir.path)
            try store.put("a", [1])
            try store.snapshot()
            store.close()
        }
        let path = dir.path + "/" + MetaStore.snapshotFileName
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: MetaStoreError.self) { try MetaStore(directory: dir.path) }
    }

    @Test func secondOpenOfTheSameDirectoryIsRefused() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetaStore(directory: dir.path)
        var options = MetaStore.Options()
        options.lockWait = .milliseconds(20)
        #expect(throws: MetaStoreError.self) { try MetaStore(directory: dir.path, options: options) }
        store.close()
        #expect(throws: MetaStoreError.closed) { try store.put("a", [1]) }
    }

    @Test func walRecordRoundTripsAndRejectsGarbage() throws {
        let record = MetaWALRecord(revision: 9, operations: [.put(key: "a", value: [1, 2]), .delete(key: "b")])
        #expect(try MetaWALRecord(decoding: record.encode()) == record)
        var bytes = record.encode()
        bytes[0] = 7
        #expect(throws: (any Error).self) { try MetaWALRecord(decoding: bytes) }
        #expect(throws: (any Error).self) { try MetaWALRecord(decoding: Array(record.encode().dropLast())) }
    }

    /// A torn append (garbage after the last acknowledged record, as a crash mid-write leaves) is cut off;
    /// everything acknowledged stays.
    @Test func tornWALTailIsCutAndAcknowledgedWritesStay() throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        do {
            let store = try MetaStore(directory: dir.path)
            for i in 0..<20 { try store.put("k\(i)", [UInt8(i)]) }
            store.close()
        }
        let segment = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/wal").first { $0.hasSuffix(".seg") }!
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path + "/wal/" + segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x11, 0x22, 0x33, 0x44, 0x10, 0, 0, 0, 0x81, 0, 0, 0, 9, 9]))
        try handle.close()
        let reopened = try MetaStore(directory: dir.path)
        #expect(reopened.recoveryReport.truncatedWALBytes == 14)
        #expect(reopened.revision == 20)
        #expect(reopened.get("k19")?.value == [19])
        #expect(try reopened.put("after", [1]) == 21)
    }
}
