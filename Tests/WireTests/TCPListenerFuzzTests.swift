import Foundation
import Testing
import VecCore

@testable import Wire

/// Protocol fuzzing against a live TCP node for a bounded time with a fixed seed: random bytes, mutated
/// valid frames (with and without repaired checksums, so decoders behind the CRC get exercised too),
/// truncated frames and huge declared lengths, before and after the handshake. The node must not crash or
/// hang, must close every fuzzed connection, and must keep serving valid calls throughout and afterwards.
@Suite struct TCPListenerFuzzTests {
    static let seed: UInt64 = 0x5EED_F022
    static let duration: Duration = .seconds(6)

    private static func fixCRCs(_ bytes: inout [UInt8]) {
        guard bytes.count >= FrameHeader.size else { return }
        let bodyCRC = CRC32C.checksum(bytes[FrameHeader.size...])
        withUnsafeBytes(of: bodyCRC.littleEndian) { for i in 0..<4 { bytes[20 + i] = $0[i] } }
        let headerCRC = CRC32C.checksum(bytes[0..<24])
        withUnsafeBytes(of: headerCRC.littleEndian) { for i in 0..<4 { bytes[24 + i] = $0[i] } }
    }

    /// One hostile input.
    private static func fuzzInput(_ rng: inout SeededGenerator) -> [UInt8] {
        let valid: [UInt8]
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: valid = frame(Echo(text: String(repeating: "e", count: Int.random(in: 0..<64, using: &rng))), id: rng.next())
        case 1:
            valid = frame(Search(vector: (0..<Int.random(in: 0..<400, using: &rng)).map { Float($0) }, topK: 10, filter: "f"), id: rng.next())
        case 2: valid = frame(Fail(code: 1000, retriable: true, message: "m"), id: rng.next())
        default: valid = frame(Sleep(millis: UInt32.random(in: 0..<20, using: &rng)), id: rng.next())
        }
        var bytes = valid
        switch Int.random(in: 0..<7, using: &rng) {
        case 0:  // random bytes
            bytes = (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 1:  // flipped bytes, checksums left broken
            for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
        case 2:  // flipped bytes behind repaired checksums: reaches kind dispatch and body decoding
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 5..<bytes.count, using: &rng)
                if i < 20 && i >= 16 { continue }  // keep the length consistent here; case 4 lies about it
                bytes[i] ^= UInt8.random(in: 1...255, using: &rng)
            }
            fixCRCs(&bytes)
        case 3:  // truncated frame
            bytes = Array(bytes[0..<Int.random(in: 0..<bytes.count, using: &rng)])
        case 4:  // huge or wrong declared length with a valid header CRC
            let length = [UInt32.max, 1 << 30, 64 << 20, UInt32(bytes.count + 100)].randomElement(using: &rng)!
            withUnsafeBytes(of: length.littleEndian) { for i in 0..<4 { bytes[16 + i] = $0[i] } }
            let headerCRC = CRC32C.checksum(bytes[0..<24])
            withUnsafeBytes(of: headerCRC.littleEndian) { for i in 0..<4 { bytes[24 + i] = $0[i] } }
        case 5:  // random body behind a valid header for a real kind
            var w = WireWriter()
            for _ in 0..<Int.random(in: 0..<64, using: &rng) { w.writeUInt8(UInt8.random(in: 0...255, using: &rng)) }
            let kinds: [UInt16] = [0x0100, 0x0101, 0x0102, 0x0103, 0x0001, 0x0002, 0x0004, 0xFFFF, 0]
            let flags = FrameFlags(rawValue: [0, 0, 0, 1, 3].randomElement(using: &rng)!)
            bytes = Frame.seal(w, kind: MessageKind(kinds.randomElement(using: &rng)!), requestID: rng.next(), flags: flags)
        default:  // a valid frame, possibly repeated (duplicate ids), possibly cancelled
            bytes = valid + (Bool.random(using: &rng) ? valid : [])
        }
        return bytes
    }

    @Test func liveNodeSurvivesRandomAndMutatedFrames() async throws {
        try await Harness.with(.tcp) { h in
            let listener = try #require(h.listener as? TCPListener)
            var rng = SeededGenerator(seed: Self.seed)
            let end = ContinuousClock.now + Self.duration
            var connections = 0
            var inputs = 0
            while ContinuousClock.now < end {
                // Each connection: maybe authenticate, then 1–5 inputs, read whatever comes back, close.
                let raw = try RawClient(port: h.address.port, receiveTimeout: .milliseconds(20))
                connections += 1
                var alive = true
                if Int.random(in: 0..<10, using: &rng) < 8 {
                    do { try raw.handshake() } catch { alive = false }
                }
                if alive {
                    for _ in 0..<Int.random(in: 1...5, using: &rng) {
                        inputs += 1
                        if (try? raw.send(Self.fuzzInput(&rng))) == nil { break }
                    }
                    for _ in 0..<3 {
                        do { _ = try raw.next() } catch { break }
                    }
                }
                if connections % 25 == 0 {
                    let text = "probe \(connections)"
                    let reply = try await h.client.call(Echo(text: text), options: CallOptions(timeout: .seconds(5)))
                    #expect(reply.text == text, "seed \(Self.seed)")
                }
            }
            // Still serving, and no fuzzed connection lingers (each is closed or times out its handshake).
            for i in 0..<20 {
                let reply = try await h.client.call(Echo(text: "after \(i)"), options: CallOptions(timeout: .seconds(5)))
                #expect(reply.text == "after \(i)")
            }
            let search = Search(vector: [Float](repeating: 0.5, count: 384), topK: 10, filter: nil)
            let hits = try await h.client.call(search)
            #expect(hits == SearchHits.expected(for: search))
            #expect(await eventually(timeout: .seconds(5)) { listener.connectionCount <= 1 },
                    "fuzzed connections still open: \(listener.connectionCount - 1) (seed \(Self.seed))")
            print("fuzz: \(connections) connections, \(inputs) inputs in \(Self.duration), seed \(Self.seed)")
        }
    }
}
