import Foundation

/// The layout of the cluster's shared object store (a directory standing in for S3/MinIO, `--object-store`):
/// `<root>/collections/<collection id, 20 digits>/shard-<n>/` is one shard's `LocalObjectStore` — its
/// `manifest` and `segments/<id>/…` exactly as `Shard` writes them (docs/storage.md). Only the data node that
/// owns a shard's channel writes there; query nodes seed their replicas from it (`ShardSeed`).
public enum SharedObjectStore {
    /// `<root>/collections/<id, 20 digits>`: everything of one collection (deleted when it is dropped).
    public static func collectionDirectory(root: String, collection: Int64) -> String {
        let digits = String(collection)
        let padded = String(repeating: "0", count: max(0, 20 - digits.count)) + digits
        return root + "/collections/" + padded
    }

    /// `<root>/collections/<id, 20 digits>/shard-<n>`: one shard's object store.
    public static func shardDirectory(root: String, collection: Int64, shard: Int) -> String {
        collectionDirectory(root: root, collection: collection) + "/shard-\(shard)"
    }
}
