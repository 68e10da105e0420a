import Shard
import VecCore

/// Which shard a primary key belongs to. It decides where data lives, so it must never change: a changed
/// hash would route reads, upserts and deletes of existing keys to the wrong shard.
///
/// - Int64 keys: the key's 8 little-endian bytes read as a `UInt64`, mixed by SplitMix64's finalizer
///   (`x ^= x >> 30; x &*= 0xbf58476d1ce4e5b9; x ^= x >> 27; x &*= 0x94d049bb133111eb; x ^= x >> 31`),
///   modulo the shard count. The mix spreads sequential keys (auto-ids) evenly.
/// - VarChar keys: CRC-32C (Castagnoli, as `VecCore.CRC32C`) of the UTF-8 bytes, modulo the shard count.
public enum ShardHash {
    /// The shard (0..<shardsNum) of `key`. `shardsNum` must be ≥ 1.
    @inlinable
    public static func shard(of key: PrimaryKey, shardsNum: Int) -> Int {
        precondition(shardsNum >= 1, "a collection has at least one shard")
        switch key {
        case .int(let v): return shard(ofInt: v, shardsNum: shardsNum)
        case .string(let s): return shard(ofString: s, shardsNum: shardsNum)
        }
    }

    /// The shard of an Int64 key.
    @inlinable
    public static func shard(ofInt v: Int64, shardsNum: Int) -> Int {
        Int(mix(UInt64(bitPattern: v)) % UInt64(shardsNum))
    }

    /// The shard of a VarChar key.
    public static func shard(ofString s: String, shardsNum: Int) -> Int {
        var copy = s
        let crc = copy.withUTF8 { CRC32C.checksum(UnsafeRawBufferPointer($0)) }
        return Int(crc % UInt32(shardsNum))
    }

    /// SplitMix64's output function.
    @inlinable
    static func mix(_ x0: UInt64) -> UInt64 {
        var x = x0
        x ^= x >> 30
        x &*= 0xbf58_476d_1ce4_e5b9
        x ^= x >> 27
        x &*= 0x94d0_49bb_1331_11eb
        x ^= x >> 31
        return x
    }
}
