import Coordinator
import Foundation
import Glibc
import Testing
import Wire

/// A multi-process cluster on 127.0.0.1 for tests: one `vecnode` process per role, each with its own data
/// directory under `directory/data/<name>` and its log in `directory/<name>.log`. Ports are chosen once, so a
/// restart after SIGKILL comes back on the same addresses. `killAll()` belongs in a `defer`.
final class ClusterProcesses: @unchecked Sendable {
    struct Member {
        let name: String
        let arguments: [String]
    }

    let directory: String
    let rootPort: UInt16
    let httpPort: UInt16
    let members: [Member]
    /// The gateway's HTTP port (meaningful with `gateway: true`).
    let gatewayPort: UInt16
    /// Every proxy's HTTP address, `proxy` first.
    let proxyAddresses: [String]
    private let group = ProcessGroup()
    private(set) var running: [String: VecnodeProcess] = [:]

    /// rootcoord, lognode, querycoord, `queryNodes` query nodes, and with `proxy` a proxy serving HTTP on
    /// `httpPort`; `moreProxies` more proxies ("proxy-2", …) on their own ports; with `gateway` a gateway
    /// ("gateway", on `gatewayPort`) in front of every proxy. With `dataNodes` > 0 also a datacoord and that
    /// many data nodes ("datanode-1", …); with `indexNodes` > 0 an indexcoord and that many index nodes
    /// ("indexnode-1", …). With either, every member shares `--object-store directory/objects`.
    init(directory: String, queryNodes: Int = 2, proxy: Bool, moreProxies: Int = 0, gateway: Bool = false, dataNodes: Int = 0,
         indexNodes: Int = 0) {
        self.directory = directory
        rootPort = freePort()
        httpPort = freePort()
        let root = "127.0.0.1:\(rootPort)"
        func member(_ name: String, _ role: String, _ extra: [String] = []) -> Member {
            var args = ["--role", role, "--data-dir", directory + "/data/" + name]
            if role == "rootcoord" {
                args += ["--listen", root]
            } else {
                args += ["--listen", "127.0.0.1:\(freePort())", "--rootcoord", root, "--cpu-threads", "1"]
            }
            if dataNodes > 0 || indexNodes > 0 { args += ["--object-store", directory + "/objects"] }
            return Member(name: name, arguments: args + extra)
        }
        var m = [member("rootcoord", "rootcoord"), member("lognode", "lognode"), member("querycoord", "querycoord")]
        if dataNodes > 0 { m.append(member("datacoord", "datacoord")) }
        for i in 1...max(1, queryNodes) { m.append(member("querynode-\(i)", "querynode")) }
        for i in 0..<dataNodes { m.append(member("datanode-\(i + 1)", "datanode", ["--flush-interval", "2s"])) }
        if indexNodes > 0 { m.append(member("indexcoord", "indexcoord")) }
        for i in 0..<indexNodes { m.append(member("indexnode-\(i + 1)", "indexnode")) }
        var proxyAddresses: [String] = []
        if proxy {
            m.append(member("proxy", "proxy", ["--http", "127.0.0.1:\(httpPort)"]))
            proxyAddresses.append("127.0.0.1:\(httpPort)")
        }
        for i in 0..<moreProxies {
            let address = "127.0.0.1:\(freePort())"
            m.append(member("proxy-\(i + 2)", "proxy", ["--http", address]))
            proxyAddresses.append(address)
        }
        gatewayPort = freePort()
        if gateway {
            m.append(Member(name: "gateway", arguments: ["--role", "gateway", "--data-dir", directory + "/data/gateway",
                                                         "--listen", "127.0.0.1:\(gatewayPort)",
                                                         "--upstreams", proxyAddresses.joined(separator: ",")]))
        }
        self.proxyAddresses = proxyAddresses
        members = m
    }

    var rootAddress: WireAddress { WireAddress(host: "127.0.0.1", port: rootPort) }

    /// The `--listen` port of member `name`.
    func port(of name: String) -> UInt16? {
        guard let args = members.first(where: { $0.name == name })?.arguments,
              let i = args.firstIndex(of: "--listen") else { return nil }
        return UInt16(args[i + 1].split(separator: ":").last!)
    }

    /// Starts every member (rootcoord first; the others wait for it on their own).
    func startAll() throws {
        for m in members { try start(m.name) }
    }

    func start(_ name: String) throws {
        let m = members.first { $0.name == name }!
        running[name] = group.add(try VecnodeProcess(name: name, arguments: m.arguments, directory: directory))
    }

    /// Sends `signal` to every running member, the root coordinator last (so the others can deregister).
    func signalAll(_ signal: Int32) async -> [String: Int32?] {
        var statuses: [String: Int32?] = [:]
        let order = members.map(\.name).filter { $0 != "rootcoord" } + ["rootcoord"]
        for name in order {
            guard let p = running[name] else { continue }
            p.send(signal)
            statuses[name] = await p.wait(timeout: .seconds(20))
        }
        running.removeAll()
        return statuses
    }

    func killAll() { group.killAll() }

    func logs() -> String { group.logs() }

    /// Waits until rootcoord lists `expected` live nodes per role; returns the sessions.
    func waitForMembership(_ client: any WireClient, expected: [Coordinator.NodeRole: Int],
                           timeout: Duration = .seconds(30)) async -> [NodeSession]? {
        var last: [NodeSession] = []
        let ok = await eventually(timeout) {
            guard let live = try? await client.call(ListLiveNodes(), options: CallOptions(timeout: .seconds(2))) else {
                return false
            }
            last = live.sessions
            return expected.allSatisfy { role, n in live.sessions.filter { $0.role == role }.count == n }
        }
        return ok ? last : nil
    }
}
