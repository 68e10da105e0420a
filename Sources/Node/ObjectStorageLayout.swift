import Coordinator
import Foundation

/// Where collections live in the shared object storage (a directory standing in for MinIO/S3, given to every
/// role as `--object-store`): `<root>/collections/<collection id, 20 digits>/shard-<n>/` is one shard's
/// `LocalObjectStore` (its `manifest` and `segments/<id>/…` objects, docs/storage.md). Only the data node that
/// owns a shard's channel writes its manifest and segments; index nodes add index objects beside them.
public struct ObjectStorageLayout: Sendable, Equatable {
    /// The object storage's root directory.
    public let root: String

    public init(root: String) { self.root = root }

    /// `<root>/collections`.
    public var collectionsDirectory: String { (root as NSString).appendingPathComponent("collections") }

    /// `<root>/collections/<id, 20 digits>`.
    public func collectionDirectory(_ id: CollectionID) -> String {
        (collectionsDirectory as NSString).appendingPathComponent(Self.collectionName(id))
    }

    /// `<root>/collections/<id, 20 digits>/shard-<n>`: the root of that shard's `LocalObjectStore`.
    public func shardDirectory(_ id: CollectionID, shard: Int) -> String {
        (collectionDirectory(id) as NSString).appendingPathComponent("shard-\(shard)")
    }

    /// The collection id as a directory name: 20 decimal digits, zero-padded (ids are non-negative).
    public static func collectionName(_ id: CollectionID) -> String {
        let digits = String(id.rawValue)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Parses a collection directory name (exactly 20 decimal digits); nil for anything else.
    public static func collectionID(fromName name: String) -> CollectionID? {
        guard name.utf8.count == 20, name.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int64(name) else { return nil }
        return CollectionID(v)
    }

    /// Parses a shard directory name `shard-<n>` (n in 0…65535, no sign or leading zeros); nil otherwise.
    public static func shardNumber(fromName name: String) -> Int? {
        guard name.hasPrefix("shard-") else { return nil }
        let digits = name.dropFirst(6)
        guard !digits.isEmpty, digits.count <= 5, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            digits == "0" || !digits.hasPrefix("0"), let n = Int(digits), n <= 65_535
        else { return nil }
        return n
    }

    /// The shards present in storage: every `collections/<id>/shard-<n>` directory, sorted. Names that do not
    /// parse are ignored (never trusted as paths); an unreadable directory lists as empty.
    public func listShards() -> [(collection: CollectionID, shard: Int)] {
        let fm = FileManager.default
        var out: [(CollectionID, Int)] = []
        for name in (try? fm.contentsOfDirectory(atPath: collectionsDirectory)) ?? [] {
            guard let id = Self.collectionID(fromName: name) else { continue }
            for shardName in (try? fm.contentsOfDirectory(atPath: collectionDirectory(id))) ?? [] {
                if let n = Self.shardNumber(fromName: shardName) { out.append((id, n)) }
            }
        }
        return out.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
}
