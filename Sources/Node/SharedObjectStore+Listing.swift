import Coordinator
import Foundation

/// Finding what is in the shared object store: the index coordinator scans it for flushed shards.
extension SharedObjectStore {
    /// `<root>/collections`.
    public static func collectionsDirectory(root: String) -> String { root + "/collections" }

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

    /// The shards present under `root`: every `collections/<id>/shard-<n>` directory, sorted. Names that do not
    /// parse are ignored (never trusted as paths); an unreadable directory lists as empty.
    public static func listShards(root: String) -> [(collection: CollectionID, shard: Int)] {
        let fm = FileManager.default
        var out: [(CollectionID, Int)] = []
        for name in (try? fm.contentsOfDirectory(atPath: collectionsDirectory(root: root))) ?? [] {
            guard let id = collectionID(fromName: name) else { continue }
            for shardName in (try? fm.contentsOfDirectory(atPath: collectionDirectory(root: root, collection: id.rawValue))) ?? [] {
                if let n = shardNumber(fromName: shardName) { out.append((id, n)) }
            }
        }
        return out.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }
}
