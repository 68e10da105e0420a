import Coordinator
import Foundation
import Runtime
import Synchronization
import Testing
import Wire

@testable import Node

/// The session keeper against a real `RootCoord` over `InMemoryNetwork`, with a short lease (300 ms) so
/// expiries and renewals happen within a test.
@Suite struct NodeSessionKeeperTests {
    static let ttl = Duration.milliseconds(300)
    static let rootAddress = WireAddress(host: "rootcoord", port: 1)

    /// A root coordinator served on `rootAddress` of `network`; `restart()` closes it and opens a new one on
    /// the same directory and address.
    final class Root: @unchecked Sendable {
        let network: InMemoryNetwork
        let directory: String
        private(set) var coord: RootCoord?
        private var listener: (any WireListener)?

        init(network: InMemoryNetwork, directory: String) {
            self.network = network
            self.directory = directory
        }

        func start() async throws {
            var config = RootCoord.Configuration(dataDirectory: directory)
            config.sessionTTL = NodeSessionKeeperTests.ttl
            let coord = try RootCoord(configuration: config)
            await coord.startLeaseTicker()
            listener = try await network.listen(on: NodeSessionKeeperTests.rootAddress, handler: coord.router())
            self.coord = coord
        }

        func stop() async {
            await listener?.stop()
            await coord?.close()
            listener = nil
            coord = nil
        }

        func liveNodes() async -> [NodeSession] { await coord?.liveNodes() ?? [] }
    }

    /// Log lines captured for assertions.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ s: String) { lines.withLock { $0.append(s) } }
        /// Whether an event with exactly this message was logged (bare or quoted, as logfmt writes it).
        func contains(_ message: String) -> Bool {
            lines.withLock { $0.contains { $0.contains("msg=\"\(message)\"") || $0.contains("msg=\(message) ") } }
        }
        var logger: Logger { Logger(role: "test", sink: { [self] in append($0) }) }
    }

    static func temporaryDirectory(_ label: String = #function) -> String {
        let path = NSTemporaryDirectory() + "node-\(label.filter { $0.isLetter })-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Polls `condition` every 10 ms for up to `timeout`.
    static func eventually(_ timeout: Duration = .seconds(3), _ condition: () async -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    func keeper(_ network: InMemoryNetwork, nodeID: NodeID? = nil, lines: Lines = Lines()) -> NodeSessionKeeper {
        NodeSessionKeeper(rootCoordinator: network.client(for: Self.rootAddress), rootCoordinatorAddress: "rootcoord",
                          configuration: .init(role: .queryNode, address: "127.0.0.1:21001", nodeID: nodeID),
                          logger: lines.logger)
    }

    @Test func allocatesAnIDRegistersAndDeregistersOnStop() async throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = InMemoryNetwork()
        let root = Root(network: network, directory: dir)
        try await root.start()
        let lines = Lines()
        let k = keeper(network, lines: lines)
        let id = try await k.start(timeout: .seconds(2))
        #expect(id.rawValue > 0)
        let live = await root.liveNodes()
        #expect(live.map(\.nodeID) == [id])
        #expect(live.first?.role == .queryNode)
        #expect(live.first?.address == "127.0.0.1:21001")
        #expect(await k.sessionID == live.first?.sessionID)
        #expect(lines.contains("registered"))
        await k.stop()
        #expect(await root.liveNodes().isEmpty)
        #expect(await k.state == .stopped)
        #expect(lines.contains("deregistered"))
        // A stopped keeper does not start again.
        await #expect(throws: NodeSessionError.notIdle) { try await k.start(timeout: .milliseconds(100)) }
        await root.stop()
    }

    @Test func usesTheConfiguredNodeID() async throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = InMemoryNetwork()
        let root = Root(network: network, directory: dir)
        try await root.start()
        let k = keeper(network, nodeID: NodeID(4242))
        #expect(try await k.start(timeout: .seconds(2)) == NodeID(4242))
        #expect(await root.liveNodes().map(\.nodeID) == [NodeID(4242)])
        await k.stop()
        await root.stop()
    }

    /// Renewals keep the node alive over many lease periods, on the same session.
    @Test func renewalsKeepTheSessionAlive() async throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = InMemoryNetwork()
        let root = Root(network: network, directory: dir)
        try await root.start()
        let k = keeper(network)
        let id = try await k.start(timeout: .seconds(2))
        let session = await k.sessionID
        try await Task.sleep(for: Self.ttl * 5)
        #expect(await root.liveNodes().map(\.nodeID) == [id])
        #expect(await k.sessionID == session)
        #expect(await k.registrationCount == 1)
        await k.stop()
        await root.stop()
    }

    /// A restarted root coordinator has no sessions: the keeper's renewal is refused and it registers again,
    /// same node id, new session.
    @Test func registersAgainAfterRootCoordRestarts() async throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = InMemoryNetwork()
        let root = Root(network: network, directory: dir)
        try await root.start()
        let lines = Lines()
        let k = keeper(network, lines: lines)
        let id = try await k.start(timeout: .seconds(2))
        let first = await k.sessionID
        await root.stop()
        try await Task.sleep(for: Self.ttl)  // renewals fail meanwhile
        try await root.start()
        #expect(await Self.eventually { await root.liveNodes().map(\.nodeID) == [id] })
        let second = await k.sessionID
        #expect(second != nil && second != first)
        #expect(await k.registrationCount == 2)
        #expect(lines.contains("cannot reach rootcoord; retrying"))
        #expect(lines.contains("registered again"))
        await k.stop()
        await root.stop()
    }

    /// A session the coordinator dropped (here: deregistered behind the node's back, as after a missed lease)
    /// is replaced by a new registration.
    @Test func registersAgainAfterLosingTheSession() async throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = InMemoryNetwork()
        let root = Root(network: network, directory: dir)
        try await root.start()
        let lines = Lines()
        let k = keeper(network, lines: lines)
        let id = try await k.start(timeout: .seconds(2))
        let first = try #require(await k.sessionID)
        await root.coord?.deregisterSession(first)
        #expect(await Self.eventually {
            let s = await k.sessionID
            return s != nil && s != first
        })
        #expect(await root.liveNodes().map(\.nodeID) == [id])
        #expect(lines.contains("session lost (rootcoord restarted or the lease was missed); registering again"))
        await k.stop()
        await root.stop()
    }

    /// A node started before rootcoord waits for it.
    @Test func startWaitsForRootCoord() async throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = InMemoryNetwork()
        let root = Root(network: network, directory: dir)
        let k = keeper(network)
        let late = Task {
            try await Task.sleep(for: .milliseconds(200))
            try await root.start()
        }
        let id = try await k.start(timeout: .seconds(3))
        try await late.value
        #expect(await root.liveNodes().map(\.nodeID) == [id])
        await k.stop()
        await root.stop()
    }

    @Test func startGivesUpWhenRootCoordNeverAnswers() async throws {
        let k = keeper(InMemoryNetwork())
        let start = ContinuousClock.now
        do {
            _ = try await k.start(timeout: .milliseconds(300))
            Issue.record("start succeeded without a rootcoord")
        } catch {
            guard case .rootCoordinatorUnreachable(let address, _, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(address == "rootcoord")
            #expect(error.description.contains("check that rootcoord is running"))
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func invalidRegistrationIsRefusedNotRetried() async throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = InMemoryNetwork()
        let root = Root(network: network, directory: dir)
        try await root.start()
        let k = NodeSessionKeeper(rootCoordinator: network.client(for: Self.rootAddress),
                                  configuration: .init(role: .logNode, address: ""), logger: Lines().logger)
        await #expect {
            _ = try await k.start(timeout: .seconds(5))
        } throws: { error in
            guard let e = error as? NodeSessionError, case .registrationRefused = e else { return false }
            return true
        }
        await root.stop()
    }
}
