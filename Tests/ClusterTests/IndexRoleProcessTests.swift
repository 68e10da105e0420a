import Coordinator
import Foundation
import Glibc
import Node
import Testing
import Wire

/// `vecnode --role indexcoord` and `--role indexnode` as real processes over TCP: a segment flushed into the
/// shared `--object-store` is indexed, and the coordinator's records survive a SIGKILL.
@Suite(.serialized) struct IndexRoleProcessTests {
    @Test func indexRolesIndexOverTCPAndTheCoordinatorSurvivesSigkill() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let objects = dir.path + "/objects"
        let (rootPort, coordPort, nodePort) = (freePort(), freePort(), freePort())
        let group = ProcessGroup()
        defer { group.killAll() }
        let transport = try testTransport()
        defer { transport.shutdown() }
        func args(_ role: String, _ port: UInt16) -> [String] {
            ["--role", role, "--listen", "127.0.0.1:\(port)", "--data-dir", dir.path + "/" + role, "--object-store", objects]
                + (role == "rootcoord" ? [] : ["--rootcoord", "127.0.0.1:\(rootPort)"])
        }
        _ = group.add(try VecnodeProcess(name: "rootcoord", arguments: args("rootcoord", rootPort), directory: dir.path))
        _ = group.add(try VecnodeProcess(name: "indexnode", arguments: args("indexnode", nodePort) + ["--cpu-threads", "1"],
                                     directory: dir.path))
        let coord = group.add(try VecnodeProcess(name: "indexcoord", arguments: args("indexcoord", coordPort), directory: dir.path))
        try RoleHostIndexTests.flushDeferredSegment(objects: objects, collection: CollectionID(77), scratch: dir.path + "/shard")

        let client = transport.client(for: WireAddress(host: "127.0.0.1", port: coordPort))
        func finished() async throws -> IndexBuildsReply {
            let end = ContinuousClock.now + .seconds(30)
            while true {
                let reply = try await VecnodeRoleProcessTests.callWhenUp(client, DescribeIndexBuilds(collectionID: CollectionID(77)))
                if reply.indexState == "Finished", reply.segments.count == 1 { return reply }
                if ContinuousClock.now > end { return reply }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let built = try await finished()
        #expect(built.segments.first?.state == .finished && built.segments.first?.node != nil, "\(built)\n\(group.logs())")
        let node = try await VecnodeRoleProcessTests.callWhenUp(
            transport.client(for: WireAddress(host: "127.0.0.1", port: nodePort)), DescribeIndexNode())
        #expect(node.done == 1, "\(node)")

        coord.send(SIGKILL)
        _ = await coord.wait(timeout: .seconds(10))
        _ = group.add(try VecnodeProcess(name: "indexcoord", arguments: args("indexcoord", coordPort), directory: dir.path))
        let again = try await VecnodeRoleProcessTests.callWhenUp(client, DescribeIndexBuilds(collectionID: CollectionID(77)))
        #expect(again == built, "the build record is back after SIGKILL: \(again)")
    }
}
