import Foundation

/// The cluster transport: TCP between processes, authenticated with the cluster secret.
///
/// ```swift
/// let transport = try TCPTransport(configuration: WireConfiguration(clusterSecret: try ClusterSecret("…")))
/// let listener = try await transport.listen(on: WireAddress(host: "0.0.0.0", port: 19531), handler: router)
/// let reply = try await transport.client(for: peerAddress).call(Search(...))
/// ```
/// Threads: per listener one accept thread; per connection (either side) one reader and one writer thread;
/// one shared deadline thread. Handlers run as tasks on the cooperative pool; socket threads never wait for
/// them and they never block in a socket call. See docs/wire-protocol.md.
public final class TCPTransport: WireTransport, @unchecked Sendable {
    /// The settings every listener and client of this transport uses.
    public let configuration: WireConfiguration
    private let lock = NSLock()
    private var peers: [WireAddress: TCPPeer] = [:]

    /// Throws `invalidConfiguration` if `configuration.validate()` does.
    public init(configuration: WireConfiguration) throws(WireError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// The pooled client for `address` (one per address per transport).
    public func client(for address: WireAddress) -> any WireClient {
        lock.lock()
        defer { lock.unlock() }
        if let peer = peers[address] { return peer }
        let peer = TCPPeer(address: address, configuration: configuration)
        peers[address] = peer
        return peer
    }

    public func listen(on address: WireAddress, handler: any MessageHandler) async throws(WireError) -> any WireListener {
        try TCPListener.start(address: address, configuration: configuration, handler: handler)
    }

    /// Closes every pooled client connection; later calls through this transport fail with `shuttingDown`.
    /// Listeners are stopped separately with `stop()`.
    public func shutdown() {
        lock.lock()
        let all = Array(peers.values)
        lock.unlock()
        for peer in all { peer.shutdown() }
    }
}
