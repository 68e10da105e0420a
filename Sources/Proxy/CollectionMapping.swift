import API
import Coordinator
import Foundation
import Shard
import Wire

/// Translation between the API's models and the catalog's `CollectionInfo`.
///
/// The catalog has no place for Milvus's index names or schema functions, so the proxy keeps them as
/// reserved collection properties, hidden from `describe`:
/// - `vecnode.indexName.<field>`: the index name of `<field>`'s index when it is not the field name
///   (Milvus's default index name);
/// - `vecnode.functions`: the schema functions, base64 of a wire-encoded array (name, type, input names,
///   output names, sorted params).
enum CollectionMapping {
    static let reservedPrefix = "vecnode."
    static let indexNamePrefix = "vecnode.indexName."
    static let functionsKey = "vecnode.functions"

    static func catalogLevel(_ l: APIConsistencyLevel) -> ConsistencyLevel {
        switch l {
        case .strong: .strong
        case .session: .session
        case .bounded: .bounded
        case .eventually: .eventually
        }
    }

    static func apiLevel(_ l: ConsistencyLevel) -> APIConsistencyLevel {
        switch l {
        case .strong: .strong
        case .session: .session
        case .bounded: .bounded
        case .eventually: .eventually
        }
    }

    /// The index name of `spec` in `info` (the field name unless one was given).
    static func indexName(of spec: IndexSpec, in info: CollectionInfo) -> String {
        info.properties.first { $0.key == indexNamePrefix + spec.fieldName }?.value ?? spec.fieldName
    }

    /// The property recording `request`'s index name, or nil when it is the default (the field name).
    static func indexNameProperty(_ request: IndexRequest) -> CollectionProperty? {
        request.indexName == request.spec.fieldName || request.indexName.isEmpty
            ? nil : CollectionProperty(key: indexNamePrefix + request.spec.fieldName, value: request.indexName)
    }

    /// User-visible properties (without the reserved ones).
    static func userProperties(_ info: CollectionInfo) -> [String: String] {
        var out: [String: String] = [:]
        for p in info.properties where !p.key.hasPrefix(reservedPrefix) { out[p.key] = p.value }
        return out
    }

    // MARK: functions

    static func encodeFunctions(_ functions: [CollectionFunction]) -> String {
        var w = WireWriter()
        w.writeArray(functions) { w, f in
            w.writeString(f.name)
            w.writeString(f.type)
            w.writeArray(f.inputFieldNames)
            w.writeArray(f.outputFieldNames)
            let params = f.params.sorted { $0.key < $1.key }
            w.writeArray(params) { w, kv in
                w.writeString(kv.key)
                w.writeString(kv.value)
            }
        }
        return Data(w.bytes).base64EncodedString()
    }

    /// The schema functions recorded in `info` (none when the property is absent or unreadable).
    static func functions(of info: CollectionInfo) -> [CollectionFunction] {
        guard let text = info.properties.first(where: { $0.key == functionsKey })?.value,
              let data = Data(base64Encoded: text) else { return [] }
        var r = WireReader(Array(data))
        do {
            let list = try r.readArray(maxCount: 64) { (r: inout WireReader) throws(WireDecodingError) -> CollectionFunction in
                let name = try r.readString(limit: 255)
                let type = try r.readString(limit: 64)
                let inputs = try r.readArray(of: String.self, maxCount: 64)
                let outputs = try r.readArray(of: String.self, maxCount: 64)
                let params = try r.readArray(maxCount: 256) { (r: inout WireReader) throws(WireDecodingError) -> (String, String) in
                    (try r.readString(limit: 1024), try r.readString(limit: 65_536))
                }
                return CollectionFunction(name: name, type: type, inputFieldNames: inputs, outputFieldNames: outputs,
                                          params: Dictionary(params, uniquingKeysWith: { a, _ in a }))
            }
            try r.finish()
            return list
        } catch {
            return []
        }
    }

    /// The text-embedding function that fills `field`, if any.
    static func textEmbedding(for field: String, in functions: [CollectionFunction]) -> CollectionFunction? {
        functions.first { $0.type == "TextEmbedding" && $0.outputFieldNames.contains(field) }
    }

    // MARK: describe

    static func describe(_ info: CollectionInfo, loadState: API.LoadState, indexes: [IndexDescription]) -> CollectionDescription {
        CollectionDescription(
            name: info.name, id: info.id.rawValue, schema: info.schema, indexes: indexes, shardsNum: info.shardsNum,
            consistencyLevel: apiLevel(info.consistencyLevel), partitionsNum: info.partitions.count, aliases: info.aliases,
            loadState: loadState, properties: userProperties(info), functions: functions(of: info))
    }

    static func apiLoadState(_ s: Coordinator.LoadState) -> API.LoadState {
        switch s {
        case .notLoaded: .notLoad
        case .loading: .loading
        case .loaded: .loaded
        }
    }
}
