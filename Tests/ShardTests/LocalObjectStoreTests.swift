import Foundation
import Testing

@testable import Shard

@Suite struct LocalObjectStoreTests {
    private func key(_ s: String) throws -> ObjectKey { try ObjectKey(s) }

    @Test func putGetListDelete() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("objects")
        defer { StorageTestSupport.remove(dir) }
        let store = try LocalObjectStore(root: dir + "/store")
        let names = ["segments/12/vectors.bin", "segments/12/pk.bin", "segments/123/vectors.bin", "segments/2/x",
                     "index/12.hnsw", "top"]
        for (i, n) in names.enumerated() { try store.put(key(n), StorageTestSupport.bytes(count: i * 100, seed: UInt64(i))) }
        for (i, n) in names.enumerated() {
            #expect(try store.get(key(n)) == StorageTestSupport.bytes(count: i * 100, seed: UInt64(i)))
            #expect(try store.exists(key(n)))
        }
        #expect(try store.list(prefix: "").map(\.rawValue) == names.sorted())
        #expect(try store.list(prefix: "segments/12").map(\.rawValue)
            == ["segments/12/pk.bin", "segments/12/vectors.bin", "segments/123/vectors.bin"])
        #expect(try store.list(prefix: "segments/12/").map(\.rawValue) == ["segments/12/pk.bin", "segments/12/vectors.bin"])
        #expect(try store.list(prefix: "nothing/here").isEmpty)
        #expect(throws: ObjectStoreError.self) { try store.list(prefix: "../etc") }

        // Replacing is atomic and whole.
        try store.put(key("top"), Data([7]))
        #expect(try store.get(key("top")) == Data([7]))

        try store.delete(key("segments/12/pk.bin"))
        try store.delete(key("segments/12/pk.bin"))  // idempotent
        #expect(try !store.exists(key("segments/12/pk.bin")))
        #expect(throws: ObjectStoreError.notFound(try key("segments/12/pk.bin"))) { try store.get(key("segments/12/pk.bin")) }
        #expect(throws: ObjectStoreError.notFound(try key("segments"))) { try store.get(key("segments")) }  // a directory

        // No temporary files are left behind, and stale ones are swept.
        let tmp = dir + "/store/segments/.x.tmp-1-2"
        StorageTestSupport.writeFile(tmp, [1])
        #expect(try store.list(prefix: "").count == names.count - 1)
        #expect(try store.removeStaleTemporaryFiles(olderThan: .seconds(3600)) == 0)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: tmp)
        #expect(try store.removeStaleTemporaryFiles(olderThan: .seconds(3600)) == 1)
    }

    @Test func overlappingKeysConflict() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("objects-conflict")
        defer { StorageTestSupport.remove(dir) }
        let store = try LocalObjectStore(root: dir)
        try store.put(key("a/b"), Data([1]))
        #expect(throws: ObjectStoreError.self) { try store.put(key("a/b/c"), Data([2])) }
        try store.put(key("x/y/z"), Data([3]))
        #expect(throws: ObjectStoreError.self) { try store.put(key("x/y"), Data([4])) }
        #expect(try store.get(key("a/b")) == Data([1]))
        #expect(try store.get(key("x/y/z")) == Data([3]))
    }

    /// Damaged objects are reported, never returned: every flip and truncation of the stored file.
    @Test func damagedObjectsAreReportedAsCorrupt() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("objects-rot")
        defer { StorageTestSupport.remove(dir) }
        let store = try LocalObjectStore(root: dir)
        let k = try key("segments/1/data.bin")
        let payload = StorageTestSupport.bytes(count: 200, seed: 5)
        try store.put(k, payload)
        let path = dir + "/segments/1/data.bin"
        let good = StorageTestSupport.readFile(path)
        for offset in 0..<good.count {
            var bad = good
            bad[offset] ^= 0x40
            StorageTestSupport.writeFile(path, bad)
            #expect(throws: ObjectStoreError.self, "flip at \(offset)") { try store.get(k) }
        }
        for length in 0..<good.count {
            StorageTestSupport.writeFile(path, Array(good.prefix(length)))
            do {
                _ = try store.get(k)
                Issue.record("truncation to \(length) not detected")
            } catch let error as ObjectStoreError {
                guard case .corrupt(let badKey, let reason) = error else {
                    Issue.record("truncation to \(length): \(error)")
                    continue
                }
                #expect(badKey == k && reason.contains(path))
            }
        }
        StorageTestSupport.writeFile(path, good)
        #expect(try store.get(k) == payload)
        let small = try LocalObjectStore(root: dir, maxObjectBytes: 100)
        #expect(throws: ObjectStoreError.tooLarge(k, size: 224, limit: 124)) { try small.get(k) }
    }
}
