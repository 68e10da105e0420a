import Foundation

/// A TCP server: an accept thread plus one `TCPServerConnection` (reader thread + writer thread) per
/// client. Created by `TCPTransport.listen`.
final class TCPListener: WireListener, @unchecked Sendable {
    let address: WireAddress
    private let fd: Int32
    private let configuration: WireConfiguration
    private let handler: any MessageHandler
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: TCPServerConnection] = [:]
    private var stopped = false
    private let acceptExited = DispatchSemaphore(value: 0)

    private init(fd: Int32, address: WireAddress, configuration: WireConfiguration, handler: any MessageHandler) {
        self.fd = fd
        self.address = address
        self.configuration = configuration
        self.handler = handler
    }

    /// Binds `address` and starts accepting.
    static func start(
        address: WireAddress, configuration: WireConfiguration, handler: any MessageHandler
    ) throws(WireError) -> TCPListener {
        let bound: (fd: Int32, port: UInt16)
        do {
            bound = try Socket.listen(host: address.host, port: address.port)
        } catch {
            throw WireError(.unavailable, "cannot listen on \(address): \(error.reason)")
        }
        let listener = TCPListener(
            fd: bound.fd, address: WireAddress(host: address.host, port: bound.port), configuration: configuration,
            handler: handler)
        spawnThread(name: "wire-accept-\(listener.address)") { listener.acceptLoop() }
        return listener
    }

    private func acceptLoop() {
        defer { acceptExited.signal() }
        while true {
            let accepted: (fd: Int32, peer: String)
            do {
                accepted = try Socket.accept(fd)
            } catch {
                if isStopped { return }
                // Out of descriptors or memory: back off instead of spinning.
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            lock.lock()
            if stopped || connections.count >= configuration.maxConnections {
                let full = !stopped
                lock.unlock()
                if full {
                    Socket.setSendTimeout(accepted.fd, .milliseconds(100))
                    _ = try? Socket.sendAll(accepted.fd, Frame.error(
                        WireError(.unavailable, retriable: true, "\(address) has reached its connection limit"),
                        kind: MessageKind(0), requestID: 0))
                }
                Socket.close(accepted.fd)
                continue
            }
            let connection = TCPServerConnection(
                fd: accepted.fd, remote: accepted.peer, configuration: configuration, handler: handler,
                onExit: { [weak self] c in self?.remove(c) })
            connections[ObjectIdentifier(connection)] = connection
            lock.unlock()
            connection.start()
        }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func remove(_ connection: TCPServerConnection) {
        lock.lock()
        connections.removeValue(forKey: ObjectIdentifier(connection))
        lock.unlock()
    }

    /// Number of open connections (tests and diagnostics).
    var connectionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return connections.count
    }

    func stop() async {
        stopSync()
    }

    private func stopSync() {
        lock.lock()
        if stopped {
            lock.unlock()
            return
        }
        stopped = true
        let open = Array(connections.values)
        lock.unlock()
        Socket.shutdown(fd)
        acceptExited.wait()
        Socket.close(fd)
        for connection in open { connection.close() }
    }
}
