import Coordinator
import Foundation
import Node
import Runtime
import Shard
import Synchronization
import TestSupport
import Wire

/// The real `LogNode`'s router behind knobs the query node tests need: hold `ReadChannel` replies back (the
/// replica then lags behind the channel), slow `DescribeChannel` down and count it.
final class LogNodeFront: MessageHandler {
    private struct Knobs {
        var readDelay: Duration = .zero
        var describeDelay: Duration = .zero
        var describeCalls = 0
    }
    let logNode: LogNode
    private let inner: WireRouter
    private let knobs = Mutex(Knobs())

    init(directory: String) throws {
        logNode = try LogNode(configuration: LogNode.Configuration(dataDirectory: directory),
                              logger: Logger(role: "lognode", sink: { _ in }))
        inner = logNode.router()
    }

    /// Every `ReadChannel` reply is held back this long after the log node produced it.
    func setReadDelay(_ d: Duration) { knobs.withLock { $0.readDelay = d } }
    func setDescribeDelay(_ d: Duration) { knobs.withLock { $0.describeDelay = d } }
    var describeCalls: Int { knobs.withLock { $0.describeCalls } }

    func handle(kind: MessageKind, request: inout WireReader, response: inout WireWriter, context: RequestContext) async throws {
        if kind == DescribeChannel.kind {
            let delay = knobs.withLock { k -> Duration in
                k.describeCalls += 1
                return k.describeDelay
            }
            if delay > .zero { try await Task.sleep(for: delay) }
        }
        try await inner.handle(kind: kind, request: &request, response: &response, context: context)
        if kind == ReadChannel.kind {
            let delay = knobs.withLock { $0.readDelay }
            if delay > .zero { try await Task.sleep(for: delay) }
        }
    }
}

/// A query node, a log node and a client on one in-memory network, in a temporary directory.
final class QueryNodeHarness: Sendable {
    static let cpu = try! CPUExecutor(name: "qn-test", threads: 2, niceness: 0)
    static let logAddress = WireAddress(host: "lognode", port: 1)
    static let nodeAddress = WireAddress(host: "querynode", port: 1)

    let root: String
    let network = InMemoryNetwork()
    let logNode: LogNodeFront
    let node: QueryNode
    let client: any WireClient
    let logClient: any WireClient
    private let listeners = Mutex<[String: any WireListener]>([:])

    init(_ label: String = #function, configure: (inout QueryNode.Configuration) -> Void = { _ in }) async throws {
        root = NSTemporaryDirectory() + "qn-\(label.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        logNode = try LogNodeFront(directory: root + "/lognode")
        var config = QueryNode.Configuration(nodeID: NodeID(7), dataDirectory: root + "/qn")
        config.pollWait = .milliseconds(500)
        config.catchUpTimeout = .seconds(5)
        config.initialBackoff = .milliseconds(20)
        config.maxBackoff = .milliseconds(200)
        config.shard.workerThreads = 1
        configure(&config)
        node = try QueryNode(configuration: config, transport: network, cpu: Self.cpu,
                             logger: Logger(role: "querynode", nodeID: "7", sink: { _ in }))
        client = network.client(for: Self.nodeAddress)
        logClient = network.client(for: Self.logAddress)
        try await startLogNode()
        let l = try await network.listen(on: Self.nodeAddress, handler: node.router())
        listeners.withLock { $0["node"] = l }
    }

    func startLogNode() async throws {
        let l = try await network.listen(on: Self.logAddress, handler: logNode)
        listeners.withLock { $0["log"] = l }
    }

    func stopLogNode() async {
        let l = listeners.withLock { $0.removeValue(forKey: "log") }
        await l?.stop()
    }

    func shutdown() async {
        for l in listeners.withLock({ Array($0.values) }) { await l.stop() }
        await node.close()
        await logNode.logNode.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Data

    static let dimension = 8

    /// id (Int64 key), vec (8-d), tag (Int64 = id % 5), title (VarChar "t<id>").
    static let schema = CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "vec", dataType: .floatVector, dimension: dimension),
        FieldSchema(name: "tag", dataType: .int64),
        FieldSchema(name: "title", dataType: .varChar, maxLength: 64),
    ])

    static func collection(id: Int64 = 100, shards: Int = 2) -> CollectionInfo {
        CollectionInfo(
            id: CollectionID(id), database: "default", name: "c\(id)", schema: schema, shardsNum: shards,
            consistencyLevel: .strong, properties: [], createdTimestamp: Timestamp(rawValue: 1),
            partitions: [PartitionInfo(id: PartitionID(id + 1), name: "_default", createdTimestamp: Timestamp(rawValue: 1))],
            indexes: [IndexSpec(fieldName: "vec", kind: .flat, metric: .l2)])
    }

    static func batch(ids: [Int64], vectors: [Float], tag: (Int64) -> Int64 = { $0 % 5 }) throws -> RowBatch {
        try RowBatch(schema: schema, columns: [
            Column(name: "id", data: .int64(ids)),
            Column(name: "vec", data: .floatVector(dimension: dimension, values: vectors)),
            Column(name: "tag", data: .int64(ids.map(tag))),
            Column(name: "title", data: .string(ids.map { "t\($0)" })),
        ])
    }

    /// Appends `operation` to `ref`'s channel through the wire, like a proxy, and returns the ack.
    @discardableResult
    func append(_ operation: ShardOperation, to ref: ShardRef, timestamp: UInt64) async throws -> AppendAck {
        try await logClient.call(AppendToChannel(
            channel: ref.channel, recordKind: operation.logKind, timestamp: timestamp,
            payload: operation.payload(keyType: .int64)))
    }

    func load(_ ref: ShardRef, collection: CollectionInfo = QueryNodeHarness.collection(), replica: Int = 0) async throws -> ShardReplicaStatus {
        try await client.call(LoadShardReplica(collection: collection, shard: ref.shard, replica: replica, logNode: "\(Self.logAddress)"))
    }

    /// The `WireError` a call threw, nil if it succeeded.
    func callError<R: WireRequest>(_ request: R) async -> WireError? {
        do {
            _ = try await client.call(request)
            return nil
        } catch { return error }
    }

    static func decode(_ bytes: [UInt8]) throws -> ShardRows { try ShardRows(decoding: bytes, schema: schema) }

    static func ints(_ rows: ShardRows) -> [Int64] { rows.primaryKeys.map { if case .int(let v) = $0 { v } else { -1 } } }
}
