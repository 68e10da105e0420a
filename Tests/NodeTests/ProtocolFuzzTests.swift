import Coordinator
import Foundation
import Runtime
import Shard
import Testing
import TestSupport
import VecCore

@testable import Node
@testable import Wire

/// Issue #4's bar for a live role: random and mutated frames against a running log node (and root
/// coordinator) over TCP for a bounded time with a fixed seed — no crash, no hang, and the node keeps
/// serving: after every fuzzed connection a valid call must be answered within a deadline.
///
/// Tests/WireTests/TCPListenerFuzzTests covers the transport with test-only message kinds; this suite aims
/// the same kinds of damage (random bytes; bad magic, version, kind, length, checksums; truncation) at the
/// real roles' routers, and mostly sends *authenticated, checksum-valid* frames whose 0x05xx / 0x02xx bodies
/// are mutated, so the role's decoders and handlers see them.
@Suite struct ProtocolFuzzTests {
    static let seed: UInt64 = 0xF022_0405
    static let duration: Duration = .seconds(5)
    /// A valid call must be answered within this, after every fuzzed connection.
    static let probeDeadline: Duration = .seconds(2)
    static let home = ChannelName(collection: 1, shard: 0)

    /// A raw authenticated (or not) connection that sends arbitrary bytes.
    final class RawConnection {
        let fd: Int32
        let reader: FrameReader

        init(port: UInt16) throws {
            fd = try Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(2))
            Socket.setReceiveTimeout(fd, .seconds(2))
            Socket.setSendTimeout(fd, .seconds(2))
            reader = FrameReader(fd: fd, maxBodySize: 64 << 20)
        }

        deinit { Socket.close(fd) }

        func handshake(secret: ClusterSecret) throws {
            let (challengeHeader, body) = try reader.next()
            guard challengeHeader.kind == .challenge else { throw WireError(.authenticationFailed, "no challenge") }
            var r = WireReader(body)
            let challenge = try Handshake.Challenge(from: &r)
            let nonce = Handshake.nonce()
            var w = WireWriter()
            Handshake.Hello(
                clientNonce: nonce, name: "fuzz",
                proof: Handshake.clientProof(secret: secret, serverNonce: challenge.serverNonce, clientNonce: nonce)
            ).encode(into: &w)
            try Socket.sendAll(fd, Frame.seal(w, kind: .hello, requestID: 0, flags: []))
            let (welcome, _) = try reader.next()
            guard welcome.kind == .welcome else { throw WireError(.authenticationFailed, "no welcome") }
        }

        func send(_ bytes: [UInt8]) throws { try Socket.sendAll(fd, bytes) }

        /// Reads up to `count` frames, stopping at the first timeout or close; returns the replies' outcomes
        /// ("ok" or the error code's name).
        func drain(_ count: Int, timeout: Duration) -> [String] {
            Socket.setReceiveTimeout(fd, timeout)
            var outcomes: [String] = []
            for _ in 0..<count {
                guard let (header, body) = try? reader.next() else { break }
                if header.flags.contains(.error) {
                    var r = WireReader(body)
                    outcomes.append((try? WireError(from: &r)).map { "\($0.code)" } ?? "undecodable error")
                } else {
                    outcomes.append("ok")
                }
            }
            return outcomes
        }
    }

    static func sealed(_ message: some WireRequest, id: UInt64) -> [UInt8] {
        var w = WireWriter()
        message.encode(into: &w)
        return Frame.seal(w, kind: type(of: message).kind, requestID: id, flags: [])
    }

    /// Recomputes the body and header CRCs, so a mutation gets past frame validation to the role.
    static func fixCRCs(_ bytes: inout [UInt8]) {
        guard bytes.count >= FrameHeader.size else { return }
        let bodyCRC = CRC32C.checksum(bytes[FrameHeader.size...])
        withUnsafeBytes(of: bodyCRC.littleEndian) { for i in 0..<4 { bytes[20 + i] = $0[i] } }
        let headerCRC = CRC32C.checksum(bytes[0..<24])
        withUnsafeBytes(of: headerCRC.littleEndian) { for i in 0..<4 { bytes[24 + i] = $0[i] } }
    }

    /// A body of `kind` with a valid header: used to send mutated bodies that pass the frame checks.
    static func frame(kind: UInt16, body: [UInt8], id: UInt64) -> [UInt8] {
        var w = WireWriter()
        for b in body { w.writeUInt8(b) }
        return Frame.seal(w, kind: MessageKind(kind), requestID: id, flags: [])
    }

    /// A valid log-node request (small, mostly on fuzz-only channels so `home` stays readable).
    static func validLogNodeFrame(_ rng: inout SplitMix64) -> [UInt8] {
        let channel = ChannelName(collection: 1000 + Int64(rng.next() % 4), shard: Int(rng.next() % 3))
        let id = rng.next()
        switch rng.next() % 5 {
        case 0, 1:
            let kinds: [LogRecordKind] = [.insertBatch, .deleteBatch, .timeTick, .opaque, .user(5)]
            let payload = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            return sealed(AppendToChannel(channel: channel, recordKind: kinds[Int(rng.next() % 5)],
                                          timestamp: rng.next() % 10_000, payload: payload), id: id)
        case 2:
            return sealed(ReadChannel(channel: rng.next() % 2 == 0 ? home : channel, from: LogPosition(rng.next() % 4),
                                      maxRecords: 1 + Int(rng.next() % 100), maxBytes: 1 + Int(rng.next() % 100_000),
                                      waitMilliseconds: Int(rng.next() % 30)), id: id)
        case 3: return sealed(DescribeChannel(channel: rng.next() % 2 == 0 ? home : channel), id: id)
        default: return sealed(DropChannel(channel: channel), id: id)
        }
    }

    /// A valid root-coordinator request of a few cheap kinds.
    static func validRootCoordFrame(_ rng: inout SplitMix64) -> [UInt8] {
        let id = rng.next()
        switch rng.next() % 3 {
        case 0: return sealed(AllocateIDs(count: UInt32(1 + rng.next() % 100)), id: id)
        case 1: return sealed(AllocateTimestamps(count: UInt32(1 + rng.next() % 100)), id: id)
        default: return sealed(ListDatabases(), id: id)
        }
    }

    static let logNodeKinds: [UInt16] = [0x0501, 0x0502, 0x0503, 0x0504, 0x0505, 0x05FF]
    static let rootCoordKinds: [UInt16] = [
        0x0201, 0x0202, 0x0203, 0x0210, 0x0211, 0x0212, 0x0213, 0x0214, 0x0220, 0x0221, 0x0222, 0x0230, 0x0231,
        0x0232, 0x0233, 0x0240, 0x0241, 0x0250, 0x0251, 0x0260, 0x0261, 0x0262, 0x0263, 0x0264, 0x02FF,
    ]

    /// One hostile input for a node whose kinds are `kinds` and whose valid frames come from `valid`.
    static func hostile(_ rng: inout SplitMix64, kinds: [UInt16], valid: (inout SplitMix64) -> [UInt8]) -> [UInt8] {
        var bytes = valid(&rng)
        let bodyCount = bytes.count - FrameHeader.size
        func flip(_ range: Range<Int>, _ rng: inout SplitMix64) {
            guard !range.isEmpty else { return }
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                bytes[range.lowerBound + Int(rng.next() % UInt64(range.count))] ^= UInt8(1 + rng.next() % 255)
            }
        }
        switch rng.next() % 14 {
        case 0:  // random bytes
            return (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 1:  // bad magic
            bytes[Int(rng.next() % 4)] ^= 0x5A
        case 2:  // another protocol version (header CRC repaired, so the version check answers)
            bytes[4] = [0, 2, 9, 255][Int(rng.next() % 4)]
            fixCRCs(&bytes)
        case 3:  // a kind nobody serves, or a reserved one
            let kind: UInt16 = [0x0000, 0x0004, 0x00FF, 0x0600, 0x0599, 0xFFFF][Int(rng.next() % 6)]
            withUnsafeBytes(of: kind.littleEndian) { bytes[6] = $0[0]; bytes[7] = $0[1] }
            fixCRCs(&bytes)
        case 4:  // lying body length (header CRC repaired): huge, or more than is sent
            let length = [UInt32.max, 1 << 30, 64 << 20, UInt32(bodyCount + 1 + Int(rng.next() % 100))][Int(rng.next() % 4)]
            withUnsafeBytes(of: length.littleEndian) { for i in 0..<4 { bytes[16 + i] = $0[i] } }
            let headerCRC = CRC32C.checksum(bytes[0..<24])
            withUnsafeBytes(of: headerCRC.littleEndian) { for i in 0..<4 { bytes[24 + i] = $0[i] } }
        case 5:  // bad body checksum
            bytes[20] ^= 0x01
            let headerCRC = CRC32C.checksum(bytes[0..<24])
            withUnsafeBytes(of: headerCRC.littleEndian) { for i in 0..<4 { bytes[24 + i] = $0[i] } }
        case 6:  // bad header checksum
            bytes[24 + Int(rng.next() % 4)] ^= 0x80
        case 7:  // flags: response / error / undefined bits on a request
            bytes[5] = [0x01, 0x02, 0x03, 0x04, 0x80][Int(rng.next() % 5)]
            fixCRCs(&bytes)
        case 8:  // truncated anywhere
            bytes = Array(bytes[0..<Int(rng.next() % UInt64(bytes.count))])
        default:  // mutated body behind valid checksums: the role's decoder and handler see it
            switch rng.next() % 5 {
            case 0: flip(FrameHeader.size..<bytes.count, &rng)
            case 1:  // cut the body short
                bytes = Array(bytes[0..<(FrameHeader.size + Int(rng.next() % UInt64(max(bodyCount, 1))))])
            case 2:  // trailing garbage
                bytes += (0..<(1 + Int(rng.next() % 16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 3:  // a random body for a random kind of this role
                let body = (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                return frame(kind: kinds[Int(rng.next() % UInt64(kinds.count))], body: body, id: rng.next())
            default:  // every field boundary value: all-0xFF integers (lengths, counts, waits)
                for i in FrameHeader.size..<bytes.count where rng.next() % 3 == 0 { bytes[i] = 0xFF }
            }
            let length = UInt32(bytes.count - FrameHeader.size)
            withUnsafeBytes(of: length.littleEndian) { for i in 0..<4 { bytes[16 + i] = $0[i] } }
            fixCRCs(&bytes)
        }
        return bytes
    }

    @Test(.timeLimit(.minutes(2))) func liveRolesSurviveRandomAndMutatedFrames() async throws {
        let dir = LogNodeTestDirectory()
        defer { dir.cleanup() }
        let secret = try ClusterSecret("lognode-fuzz-secret")
        let tcp = try TCPTransport(configuration: WireConfiguration(clusterSecret: secret))
        var configuration = LogNode.Configuration(dataDirectory: dir.path + "/lognode")
        configuration.maxChannels = 8  // fuzzed appends name many channels: the cap must hold them
        let node = try LogNode(configuration: configuration, logger: Logger(role: "lognode", sink: { _ in }))
        let coord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir.path + "/rootcoord"))
        let nodeListener = try await tcp.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: node.router())
        let coordListener = try await tcp.listen(on: WireAddress(host: "127.0.0.1", port: 0), handler: coord.router())
        let nodeClient = tcp.client(for: nodeListener.address)
        let coordClient = tcp.client(for: coordListener.address)
        let payload = Array("home record".utf8)
        _ = try await nodeClient.call(AppendToChannel(channel: Self.home, recordKind: .insertBatch, timestamp: 7, payload: payload))
        _ = try await nodeClient.call(DescribeChannel(channel: Self.home))
        _ = try await coordClient.call(AllocateIDs(count: 1))
        // The clients' own pooled connections (one per lane used), which stay open.
        let listeners = [nodeListener, coordListener].compactMap { $0 as? TCPListener }
        #expect(listeners.count == 2)
        let baseline = listeners.map(\.connectionCount).reduce(0, +)

        var rng = SplitMix64(seed: Self.seed)
        let clock = ContinuousClock()
        let end = clock.now + Self.duration
        var connections = 0, inputs = 0
        var slowestProbe = Duration.zero
        var replies: [String: Int] = [:]
        while clock.now < end {
            let toNode = rng.next() % 4 != 0
            let port = toNode ? nodeListener.address.port : coordListener.address.port
            let raw = try RawConnection(port: port)
            connections += 1
            var alive = true
            if rng.next() % 10 < 8 {
                do { try raw.handshake(secret: secret) } catch { alive = false }
            }
            if alive {
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let bytes = toNode
                        ? Self.hostile(&rng, kinds: Self.logNodeKinds, valid: Self.validLogNodeFrame)
                        : Self.hostile(&rng, kinds: Self.rootCoordKinds, valid: Self.validRootCoordFrame)
                    inputs += 1
                    if (try? raw.send(bytes)) == nil { break }
                }
                for outcome in raw.drain(3, timeout: .milliseconds(20)) { replies[outcome, default: 0] += 1 }
            }
            // After every fuzzed connection the role still answers a valid call in time.
            let t0 = clock.now
            if toNode {
                let state = try await nodeClient.call(DescribeChannel(channel: Self.home), options: CallOptions(timeout: Self.probeDeadline))
                #expect(state.end >= LogPosition(1), "seed \(Self.seed) connection \(connections)")
            } else {
                let ids = try await coordClient.call(AllocateIDs(count: 1), options: CallOptions(timeout: Self.probeDeadline))
                #expect(ids.ids.count == 1, "seed \(Self.seed) connection \(connections)")
            }
            slowestProbe = max(slowestProbe, clock.now - t0)
        }

        // Still serving everything afterwards, and the data written before the fuzz is intact.
        let home = try await nodeClient.call(ReadChannel(channel: Self.home, from: .start, maxRecords: 1))
        #expect(home.records.first?.payload == payload, "seed \(Self.seed)")
        #expect(node.channelNames.count <= configuration.maxChannels)
        let channelsAfterFuzz = node.channelNames.count
        for channel in node.channelNames where channel != Self.home {
            _ = try await nodeClient.call(DropChannel(channel: channel), options: CallOptions(timeout: Self.probeDeadline))
        }
        let fresh = ChannelName(collection: 1, shard: 1)
        let ack = try await nodeClient.call(AppendToChannel(channel: fresh, recordKind: .opaque, timestamp: 1, payload: [1]))
        #expect(ack.position == .start)
        for i in 0..<10 {
            let got = try await nodeClient.call(ReadChannel(channel: fresh, from: .start), options: CallOptions(timeout: Self.probeDeadline))
            #expect(got.records.count == 1, "call \(i)")
            _ = try await coordClient.call(ListDatabases(), options: CallOptions(timeout: Self.probeDeadline))
        }
        // No fuzzed connection lingers (each is closed by the node or times out its handshake).
        var lingering = listeners.map(\.connectionCount).reduce(0, +)
        let settle = clock.now + .seconds(8)
        while lingering > baseline && clock.now < settle {
            try await Task.sleep(for: .milliseconds(50))
            lingering = listeners.map(\.connectionCount).reduce(0, +)
        }
        #expect(lingering <= baseline, "fuzzed connections still open: \(lingering - baseline) (seed \(Self.seed))")
        // The mutated bodies reached the roles: some decoded and were served, some were refused by a decoder.
        #expect(replies["ok", default: 0] > 0 && replies["malformedMessage", default: 0] > 0, "\(replies)")
        print("protocol fuzz: \(connections) connections, \(inputs) inputs in \(Self.duration), slowest probe "
              + "\(slowestProbe), \(channelsAfterFuzz) channels, replies \(replies.sorted { $0.key < $1.key }), seed \(Self.seed)")

        await nodeListener.stop()
        await coordListener.stop()
        tcp.shutdown()
        await node.stop()
        await coord.close()
    }
}
