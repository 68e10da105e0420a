import API
import Shard

/// Which columns to ask shards for, and how to turn returned rows into the API's field maps.
///
/// `*` means every schema field plus, with the dynamic field enabled, every dynamic key (flattened, as
/// Milvus returns them). A name that is not a field is a dynamic key when the dynamic field is enabled
/// (fetched through `$meta`), else 1700 "field not found". The primary key always comes from the rows'
/// keys, never as a column.
struct OutputPlan: Sendable {
    /// Columns to request from shards.
    let shardFields: [String]
    /// Dynamic keys to pick out of `$meta`, when not all of them are wanted.
    let dynamicKeys: [String]
    /// Whether every dynamic key is flattened into the row.
    let allDynamic: Bool

    init(requested: [String], schema: CollectionSchema, extra: [String] = []) throws(APIError) {
        let pk = schema.primaryKey?.name
        var fields: [String] = []
        var dynamic: [String] = []
        var all = false
        func add(_ f: String) { if f != pk, !fields.contains(f) { fields.append(f) } }
        for name in requested + extra {
            if name == "*" {
                for f in schema.fields { add(f.name) }
                if schema.enableDynamicField { all = true }
            } else if schema.field(named: name) != nil {
                add(name)
            } else if schema.enableDynamicField {
                if name == CollectionSchema.dynamicFieldName { all = true } else if !dynamic.contains(name) { dynamic.append(name) }
            } else {
                throw APIError(code: APIError.Code.fieldNotFound, message: "field not found[field=\(name)]")
            }
        }
        if all || !dynamic.isEmpty { fields.append(CollectionSchema.dynamicFieldName) }
        shardFields = fields
        dynamicKeys = dynamic
        allDynamic = all
    }

    /// Row `i` of `rows` as field → value, the primary key under `primaryName` when given.
    func row(_ rows: ShardRows, columns: [Column?], at i: Int, primaryName: String?) -> [String: FieldValue] {
        var out: [String: FieldValue] = [:]
        if let primaryName { out[primaryName] = rows.primaryKeys[i].fieldValue }
        for (n, name) in shardFields.enumerated() {
            guard let c = columns[n] else { continue }
            if name == CollectionSchema.dynamicFieldName {
                guard case .object(let o) = c.value(at: i) else { continue }
                if allDynamic {
                    for (k, v) in o { out[k] = v }
                } else {
                    for k in dynamicKeys { if let v = o[k] { out[k] = v } }
                }
            } else {
                out[name] = c.value(at: i)
            }
        }
        return out
    }

    /// The requested columns of `rows`, looked up once per reply (not per row).
    func columns(of rows: ShardRows) -> [Column?] { shardFields.map { rows.column(named: $0) } }
}
