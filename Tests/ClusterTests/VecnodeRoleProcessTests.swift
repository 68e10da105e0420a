import Coordinator
import Foundation
import Glibc
import Testing
import Wire

/// `vecnode --role X` as real processes over TCP on 127.0.0.1.
@Suite(.serialized) struct VecnodeRoleProcessTests {
    /// Calls `request` until it answers (the process may still be starting) or `timeout` passes.
    static func callWhenUp<R: WireRequest>(_ client: any WireClient, _ request: R,
                                          timeout: Duration = .seconds(15)) async throws -> R.Response {
        let end = ContinuousClock.now + timeout
        while true {
            do {
                return try await client.call(request, options: CallOptions(timeout: .seconds(2)))
            } catch {
                if ContinuousClock.now > end { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// rootcoord as a process: answers over TCP; SIGTERM exits 0 after a clean shutdown; SIGKILL loses nothing
    /// acknowledged and the TSO never goes backwards across either kind of restart.
    @Test func rootCoordProcessSurvivesSigtermAndSigkill() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let port = freePort()
        let group = ProcessGroup()
        defer { group.killAll() }
        let transport = try testTransport()
        defer { transport.shutdown() }
        let client = transport.client(for: WireAddress(host: "127.0.0.1", port: port))
        let args = ["--role", "rootcoord", "--listen", "127.0.0.1:\(port)", "--data-dir", dir.path + "/data"]

        var last = Timestamp(rawValue: 0)
        for (round, ending) in [SIGTERM, SIGKILL, SIGTERM].enumerated() {
            let p = group.add(try VecnodeProcess(name: "rootcoord", arguments: args, directory: dir.path))
            let ts = try await Self.callWhenUp(client, AllocateTimestamps()).first
            #expect(ts > last, "round \(round): TSO went from \(last) to \(ts)\n\(group.logs())")
            last = ts
            if round == 0 { _ = try await client.call(CreateDatabase(name: "survivor")) }
            #expect(try await client.call(ListDatabases()).names == ["default", "survivor"], "\(group.logs())")
            p.send(ending)
            let status = await p.wait(timeout: .seconds(10))
            if ending == SIGTERM {
                #expect(status == 0, "exit \(String(describing: status))\n\(p.tail())")
                #expect(p.log.contains("msg=\"shutting down\" signal=SIGTERM"), "\(p.tail())")
                #expect(p.log.contains("msg=stopped"), "\(p.tail())")
            } else {
                #expect(status != nil, "still running after SIGKILL")
            }
        }
    }

    @Test func startupFailureIsOneLineAndNonZero() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let port = freePort()
        let group = ProcessGroup()
        defer { group.killAll() }
        let args = ["--role", "rootcoord", "--listen", "127.0.0.1:\(port)", "--data-dir", dir.path + "/data"]
        let first = group.add(try VecnodeProcess(name: "first", arguments: args, directory: dir.path))
        let transport = try testTransport()
        defer { transport.shutdown() }
        _ = try await Self.callWhenUp(transport.client(for: WireAddress(host: "127.0.0.1", port: port)), ListDatabases())
        // Same data directory, another port: the meta store is locked.
        let otherPort = freePort()
        let second = group.add(try VecnodeProcess(
            name: "second", arguments: ["--role", "rootcoord", "--listen", "127.0.0.1:\(otherPort)", "--data-dir", dir.path + "/data"],
            directory: dir.path))
        #expect(await second.wait(timeout: .seconds(10)) == 1, "\(second.tail())")
        let errors = second.log.split(separator: "\n").filter { $0.hasPrefix("vecnode: ") }
        #expect(errors.count == 1 && errors[0].contains("rootcoord failed to start"), "\(second.log)")
        // Same port, another directory: the listener cannot bind.
        let third = group.add(try VecnodeProcess(
            name: "third", arguments: ["--role", "rootcoord", "--listen", "127.0.0.1:\(port)", "--data-dir", dir.path + "/other"],
            directory: dir.path))
        #expect(await third.wait(timeout: .seconds(10)) == 1, "\(third.tail())")
        #expect(third.log.contains("vecnode: cannot listen on 127.0.0.1:\(port)"), "\(third.log)")
        first.send(SIGTERM)
        #expect(await first.wait(timeout: .seconds(10)) == 0)
    }
}
