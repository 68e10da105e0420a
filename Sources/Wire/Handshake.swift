/// The connection handshake: mutual proof of the cluster secret with fresh nonces on both sides.
///
/// ```
/// server → client  CHALLENGE  server nonce (32 random bytes)
/// client → server  HELLO      client nonce (32 bytes), client name, proofC
/// server → client  WELCOME    proofS                       — or an authenticationFailed error frame, then close
/// proofC = HMAC-SHA-256(secret, "vecnode-wire/1 client" ‖ server nonce ‖ client nonce)
/// proofS = HMAC-SHA-256(secret, "vecnode-wire/1 server" ‖ client nonce ‖ server nonce)
/// ```
/// The server accepts nothing but HELLO until it has verified proofC, and the client sends no call until it
/// has verified proofS. Different labels keep one side's proof from being replayed as the other's; fresh
/// nonces keep an old transcript from being replayed.
///
/// Limits (documented in docs/wire-protocol.md): this authenticates the peers at connect time only. Frames
/// after the handshake are neither encrypted nor authenticated, so anyone who can modify traffic on the path
/// can hijack a connection; run the cluster on a trusted network (or under a VPN / TLS tunnel). An
/// eavesdropper can run an offline dictionary attack on a weak secret from one transcript.
enum Handshake {
    static let nonceSize = 32
    static let proofSize = 32
    static let maxNameBytes = 256

    struct Challenge: WireCodable {
        var serverNonce: [UInt8]
        func encode(into w: inout WireWriter) { w.writeBytes(serverNonce) }
        init(serverNonce: [UInt8]) { self.serverNonce = serverNonce }
        init(from r: inout WireReader) throws(WireDecodingError) {
            serverNonce = try r.readBytes(limit: nonceSize)
            guard serverNonce.count == nonceSize else { throw .invalidValue("server nonce of \(serverNonce.count) bytes") }
        }
    }

    struct Hello: WireCodable {
        var clientNonce: [UInt8]
        var name: String
        var proof: [UInt8]
        init(clientNonce: [UInt8], name: String, proof: [UInt8]) {
            self.clientNonce = clientNonce
            self.name = name
            self.proof = proof
        }
        func encode(into w: inout WireWriter) {
            w.writeBytes(clientNonce)
            w.writeString(name)
            w.writeBytes(proof)
        }
        init(from r: inout WireReader) throws(WireDecodingError) {
            clientNonce = try r.readBytes(limit: nonceSize)
            guard clientNonce.count == nonceSize else { throw .invalidValue("client nonce of \(clientNonce.count) bytes") }
            name = try r.readString(limit: maxNameBytes)
            proof = try r.readBytes(limit: proofSize)
        }
    }

    struct Welcome: WireCodable {
        var proof: [UInt8]
        init(proof: [UInt8]) { self.proof = proof }
        func encode(into w: inout WireWriter) { w.writeBytes(proof) }
        init(from r: inout WireReader) throws(WireDecodingError) { proof = try r.readBytes(limit: proofSize) }
    }

    static func clientProof(secret: ClusterSecret, serverNonce: [UInt8], clientNonce: [UInt8]) -> [UInt8] {
        SHA256.hmac(key: secret.bytes, message: Array("vecnode-wire/1 client".utf8) + serverNonce + clientNonce)
    }

    static func serverProof(secret: ClusterSecret, serverNonce: [UInt8], clientNonce: [UInt8]) -> [UInt8] {
        SHA256.hmac(key: secret.bytes, message: Array("vecnode-wire/1 server".utf8) + clientNonce + serverNonce)
    }

    /// 32 bytes from the system's cryptographic random source (getrandom on Linux).
    static func nonce() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<nonceSize).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }
}
