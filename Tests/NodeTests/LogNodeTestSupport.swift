import Foundation
import Node
import Runtime
import Wire

/// A fresh directory for one log-node test, removed by `cleanup()`.
struct LogNodeTestDirectory {
    let path: String
    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "lognode-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A log node served on a transport, with a client to it.
struct LogNodeFixture {
    enum Transport { case memory, tcp }

    static let secret = "lognode-test-secret"

    let node: LogNode
    let listener: any WireListener
    let client: any WireClient
    let tcp: TCPTransport?

    /// Starts a node on `directory` served over `transport` (TCP on 127.0.0.1, port 0).
    static func start(_ transport: Transport, directory: String,
                      configure: (inout LogNode.Configuration) -> Void = { _ in }) async throws -> LogNodeFixture {
        var configuration = LogNode.Configuration(dataDirectory: directory)
        configure(&configuration)
        let node = try LogNode(configuration: configuration, logger: Logger(role: "lognode", sink: { _ in }))
        switch transport {
        case .memory:
            let network = InMemoryNetwork()
            let listener = try await network.listen(on: WireAddress(host: "lognode", port: 0), handler: node.router())
            return LogNodeFixture(node: node, listener: listener, client: network.client(for: listener.address), tcp: nil)
        case .tcp:
            let tcp = try TCPTransport(configuration: WireConfiguration(clusterSecret: try ClusterSecret(secret)))
            let listener = try await tcp.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: node.router())
            return LogNodeFixture(node: node, listener: listener, client: tcp.client(for: listener.address), tcp: tcp)
        }
    }

    func stop() async {
        await listener.stop()
        tcp?.shutdown()
        await node.stop()
    }
}

/// The wire error a call threw, or `nil` if it succeeded.
func wireError<T>(_ body: () async throws -> T) async -> WireError? {
    do {
        _ = try await body()
        return nil
    } catch let error as WireError {
        return error
    } catch {
        return WireError(.handlerFailed, "not a WireError: \(error)")
    }
}
