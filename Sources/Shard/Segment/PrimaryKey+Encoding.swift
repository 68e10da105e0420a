/// The payload of a delete-batch log record: the primary keys to delete.
///
/// | size | field                                   |
/// |------|-----------------------------------------|
/// | 1    | key type: 1 Int64, 2 VarChar            |
/// | 4    | key count `n`                           |
/// | …    | `n` × Int64, or `n` × (u32 length, UTF-8) |
enum PrimaryKeyList {
    static func encode(_ keys: [PrimaryKey], type: DataType) -> [UInt8] {
        var sink = ByteSink()
        sink.u8(type == .varChar ? 2 : 1)
        sink.count(keys.count)
        for key in keys {
            switch key {
            case .int(let v): sink.i64(v)
            case .string(let s): sink.string(s)
            }
        }
        return sink.bytes
    }

    static func decode(_ bytes: [UInt8], type: DataType) throws(DecodeFailure) -> [PrimaryKey] {
        var src = ByteSource(bytes)
        let keys = try decode(from: &src, type: type)
        guard src.isAtEnd else { throw DecodeFailure(reason: "\(src.remaining) trailing bytes") }
        return keys
    }

    /// Reads a key list from the current position of `src` (which may hold more after it).
    static func decode(from src: inout ByteSource, type: DataType) throws(DecodeFailure) -> [PrimaryKey] {
        let tag = try src.u8("key type")
        guard tag == (type == .varChar ? 2 : 1) else { throw DecodeFailure(reason: "key type \(tag) does not match the schema") }
        let n = try src.count("key count", minItemBytes: tag == 1 ? 8 : 4)
        var keys: [PrimaryKey] = []
        keys.reserveCapacity(n)
        for _ in 0..<n {
            keys.append(tag == 1 ? .int(try src.i64("key")) : .string(try src.string("key")))
        }
        return keys
    }
}
