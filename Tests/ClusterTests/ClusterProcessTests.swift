import Coordinator
import Foundation
import Glibc
import Node
import Shard
import Testing
import Wire

/// Separate `vecnode` processes per role on 127.0.0.1: they find each other through rootcoord, keep their
/// durable state across SIGKILL, and shut down cleanly on SIGTERM.
@Suite(.serialized) struct ClusterProcessTests {
    @Test func rolesRegisterAndKeepStateAcrossSigkill() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let cluster = ClusterProcesses(directory: dir.path, queryNodes: 2, proxy: false)
        defer { cluster.killAll() }
        let transport = try testTransport()
        defer { transport.shutdown() }
        let root = transport.client(for: cluster.rootAddress)
        let expected: [Coordinator.NodeRole: Int] = [.logNode: 1, .queryCoord: 1, .queryNode: 2]

        try cluster.startAll()
        let first = try #require(await cluster.waitForMembership(root, expected: expected), "\(cluster.logs())")
        let logNode = try #require(first.first { $0.role == .logNode })
        #expect(logNode.address == "127.0.0.1:\(cluster.port(of: "lognode")!)")
        let tsBefore = try await root.call(AllocateTimestamps()).first

        // Acknowledged appends to a channel on the log node.
        let log = transport.client(for: try WireAddress(parsing: logNode.address))
        let channel = ChannelName(collection: 42, shard: 3)
        for i in 0..<3 {
            let ts = try await root.call(AllocateTimestamps()).first
            _ = try await log.call(AppendToChannel(channel: channel, recordKind: .opaque, timestamp: ts.rawValue,
                                                   payload: Array("record \(i)".utf8)))
        }

        // SIGKILL everything, start again.
        cluster.killAll()
        try cluster.startAll()
        let second = try #require(await cluster.waitForMembership(root, expected: expected), "\(cluster.logs())")
        let logNodeAgain = try #require(second.first { $0.role == .logNode })
        #expect(logNodeAgain.nodeID == logNode.nodeID, "the log node keeps its id across restarts")
        #expect(second.first { $0.role == .queryCoord }?.nodeID == first.first { $0.role == .queryCoord }?.nodeID)
        let state = try await Self.callWhenUp(log, DescribeChannel(channel: channel))
        #expect(state.end.rawValue == 3, "acknowledged appends lost: \(state)")
        let tsAfter = try await root.call(AllocateTimestamps()).first
        #expect(tsAfter > tsBefore && tsAfter.rawValue > state.lastTimestamp, "TSO went backwards")

        // SIGTERM: every process deregisters and exits 0.
        var clean: [String: Int32?] = [:]
        for name in cluster.members.map(\.name) where name != "rootcoord" {
            clean[name] = await cluster.running[name]!.signalAndWait(SIGTERM)
        }
        #expect(await eventually(.seconds(5)) {
            (try? await root.call(ListLiveNodes()).sessions.isEmpty) == true
        }, "sessions left after SIGTERM")
        clean["rootcoord"] = await cluster.running["rootcoord"]!.signalAndWait(SIGTERM)
        for (name, status) in clean {
            #expect(status == 0, "\(name) exited \(String(describing: status))\n\(cluster.logs())")
        }
    }

    static func callWhenUp<R: WireRequest>(_ client: any WireClient, _ request: R) async throws -> R.Response {
        let end = ContinuousClock.now + .seconds(15)
        while true {
            do { return try await client.call(request, options: CallOptions(timeout: .seconds(2))) } catch {
                if ContinuousClock.now > end { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

extension VecnodeProcess {
    /// Sends `signal` and waits up to 20 s for the exit status.
    func signalAndWait(_ signal: Int32) async -> Int32? {
        send(signal)
        return await wait(timeout: .seconds(20))
    }
}
