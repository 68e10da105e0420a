/// A high-water mark (`Int64`) stored under one meta key: format version byte 1, then 8 bytes little-endian.
/// Shared by `TimestampService` and `IDService`.
enum PersistedMark {
    static func encode(_ mark: Int64) -> [UInt8] {
        var bytes: [UInt8] = [1]
        withUnsafeBytes(of: mark.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// The mark stored at `key`, 0 if none.
    static func load(_ store: MetaStore, key: String) throws(MetaStoreError) -> Int64 {
        guard let entry = store.get(key) else { return 0 }
        let b = entry.value
        guard b.count == 9, b[0] == 1 else {
            throw .corrupt("meta key '\(key)' holds \(b.count) bytes, not a version-1 high-water mark")
        }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(b[1 + i]) << UInt64(8 * i) }
        let mark = Int64(bitPattern: v)
        // Far below Int64.max, so adding a batch and a reservation can never overflow.
        guard mark >= 0, mark <= Int64.max >> 2 else {
            throw .corrupt("meta key '\(key)' holds an out-of-range high-water mark \(mark)")
        }
        return mark
    }
}
