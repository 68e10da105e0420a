import VecCore

/// Binary encoding of ``ShardRows`` (rows a shard returns: primary keys plus the requested output columns),
/// for replies between nodes, inside a ``ChecksummedFrame`` with magic `VSRW`, version 1. Body
/// (little-endian): the keys as a delete-batch payload (key type u8, count u32, keys), a column count u16,
/// then every column exactly as ``RowBatch``'s encoding writes one (name, type, validity, data), each with
/// the key count as its row count. Decoding checks every column against the collection schema's field of
/// that name, so a foreign or damaged reply is an error, never a crash.
extension ShardRows {
    static let magic: StaticString = "VSRW"

    /// The encoded rows. `keyType` is the collection's primary-key type (`.int64` or `.varChar`).
    public func encode(keyType: DataType) -> [UInt8] {
        var sink = ChecksummedFrame.begin(magic: Self.magic, version: 1, reservingCapacity: 64 + count * 16)
        sink.bytes.append(contentsOf: PrimaryKeyList.encode(primaryKeys, type: keyType))
        sink.u16(UInt16(columns.count))
        for c in columns { RowBatch.encode(column: c, into: &sink) }
        return ChecksummedFrame.finish(sink)
    }

    /// Decodes bytes written by ``encode(keyType:)`` for a collection with `schema`.
    /// - Throws: ``ShardError/corrupt(what:reason:)`` naming what is wrong.
    public init(decoding bytes: [UInt8], schema: CollectionSchema) throws(ShardError) {
        guard bytes.count <= RowBatch.maxEncodedBytes else {
            throw .corrupt(what: "shard rows", reason: "\(bytes.count) bytes exceed the \(RowBatch.maxEncodedBytes)-byte limit")
        }
        guard let pk = schema.primaryKey else { throw .schema("the schema has no primary key") }
        do throws(DecodeFailure) {
            var (src, _) = try ChecksummedFrame.open(bytes, magic: Self.magic, supportedVersions: 1...1, what: "shard rows")
            let keys = try PrimaryKeyList.decode(from: &src, type: pk.dataType)
            let n = Int(try src.u16("column count"))
            guard n <= schema.fields.count + 1 else { throw DecodeFailure(reason: "\(n) columns, the schema has \(schema.fields.count)") }
            var columns: [Column] = []
            for _ in 0..<n {
                let save = src
                let name = try src.string("column name")
                src = save
                let field = schema.field(named: name)
                guard field != nil || (schema.enableDynamicField && name == CollectionSchema.dynamicFieldName) else {
                    throw DecodeFailure(reason: "column '\(name)' is not a field of the collection")
                }
                let column = try RowBatch.decodeColumn(rows: keys.count, field: field, expect: field == nil ? (name, .json) : nil, from: &src)
                guard column.count == keys.count else {
                    throw DecodeFailure(reason: "column '\(name)' has \(column.count) rows for \(keys.count) keys")
                }
                columns.append(column)
            }
            guard src.isAtEnd else { throw DecodeFailure(reason: "\(src.remaining) unexpected bytes after the last column") }
            self.init(primaryKeys: keys, columns: columns)
        } catch {
            throw .corrupt(what: "shard rows", reason: error.reason)
        }
    }
}
