import Coordinator
import Foundation
import Runtime
import Testing
import Wire

@testable import Cluster

@Suite struct RoleHostTests {
    static func rootConfig(_ dir: String, port: UInt16 = 0) -> NodeConfig {
        var c = NodeConfig(environment: [:])
        c.role = .rootcoord
        c.listen = HostPort(host: "rootcoord", port: port)
        c.dataDirectory = dir
        return c
    }

    @Test func rootCoordServesAndKeepsItsStateAcrossRestarts() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let network = InMemoryNetwork()
        var before = Timestamp(rawValue: 0)
        for round in 0..<2 {
            let host = try await RoleHost.start(config: Self.rootConfig(dir.path, port: 7), transport: network)
            #expect(host.wireAddress == WireAddress(host: "rootcoord", port: 7))
            #expect(host.nodeID == nil)
            let client = network.client(for: try #require(host.wireAddress))
            let ts = try await client.call(AllocateTimestamps()).first
            #expect(ts > before, "round \(round): \(ts) after \(before)")
            before = ts
            if round == 0 { _ = try await client.call(CreateDatabase(name: "kept")) }
            #expect(try await client.call(ListDatabases()).names.contains("kept"))
            await host.stop()
            await host.stop()  // idempotent
            // Stopped: nothing listens any more.
            await #expect(throws: WireError.self) { _ = try await client.call(ListDatabases()) }
        }
        #expect(FileManager.default.fileExists(atPath: dir.path + "/rootcoord"))
    }

    @Test func aSecondRootCoordOnTheSameDirectoryIsRefused() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let network = InMemoryNetwork()
        let first = try await RoleHost.start(config: Self.rootConfig(dir.path, port: 1), transport: network)
        defer { Task { await first.stop() } }
        do {
            let second = try await RoleHost.start(config: Self.rootConfig(dir.path, port: 2), transport: network)
            await second.stop()
            Issue.record("two root coordinators opened one meta store")
        } catch {
            guard case .roleFailed(.rootcoord, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        // The failed start undid itself: port 2 is free again.
        let probe = try await network.listen(on: WireAddress(host: "rootcoord", port: 2), handler: WireRouter())
        await probe.stop()
        await first.stop()
    }

    @Test func unusableDataDirectoryIsATypedError() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let file = dir.path + "/plain-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data([1]))
        do {
            let host = try await RoleHost.start(config: Self.rootConfig(file), transport: InMemoryNetwork())
            await host.stop()
            Issue.record("started on a file")
        } catch {
            guard case .dataDirectory = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.contains("pass --data-dir DIR"))
        }
    }

    @Test func everyRoleIsAvailable() {
        for role in Runtime.NodeRole.allCases { #expect(RoleHost.unavailability(of: role) == nil, "\(role)") }
    }
}
