import E2EScenario
import Foundation
import Glibc
import Testing

/// `vecnode --role standalone` as a process.
@Suite(.serialized) struct StandaloneProcessTests {
    /// GET /health until it answers 200 or `timeout` passes; returns the time it took, or nil.
    static func waitHealthy(port: UInt16, timeout: Duration) async -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let ok = (try? await E2EScenario.runDetached { () -> Bool in
                let client = try MilvusHTTPClient(host: "127.0.0.1", port: port, timeout: 2)
                defer { client.close() }
                return (try? client.get("/health"))?.status == 200
            }) ?? false
            if ok { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// With no data-directory flag, standalone creates ./vecnode-data, is healthy in under 2 s, and SIGTERM
    /// stops it cleanly with status 0. (The port is ephemeral instead of the default 19530 so tests never
    /// collide with a server running on the machine.)
    @Test func startsHealthyWithinTwoSecondsAndStopsOnSigterm() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let port = freePort()
        let group = ProcessGroup()
        defer { group.killAll() }
        let launched = ContinuousClock.now
        let p = group.add(try VecnodeProcess(name: "standalone", arguments: ["--role", "standalone", "--listen", "127.0.0.1:\(port)"],
                                             directory: dir.path, environment: ["VECNODE_CLUSTER_SECRET": ""]))
        let healthy = await Self.waitHealthy(port: port, timeout: .seconds(10))
        let elapsed = ContinuousClock.now - launched
        print("standalone: healthy \(elapsed) after launch")
        #expect(healthy != nil, "not healthy within 10 s\n\(p.tail())")
        #expect(elapsed < .seconds(2), "healthy only after \(elapsed)\n\(p.tail())")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/vecnode-data/rootcoord"))
        p.send(SIGTERM)
        #expect(await p.wait(timeout: .seconds(15)) == 0, "\(p.tail())")
        #expect(p.log.contains("msg=\"shutting down\" signal=SIGTERM"))
    }
}
