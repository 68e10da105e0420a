import Coordinator
import Wire

/// The durable mark of a query node being drained: `querycoord/draining/<node id, 20 digits>` → format
/// version (UInt8 1), the node's session id (Int64). Kept until that session ends (the node left, died or
/// restarted), so a query coordinator that restarts mid-drain goes on draining it.
struct DrainingNode: Sendable, Equatable {
    var node: NodeID
    var session: SessionID

    static let formatVersion: UInt8 = 1
    static let keyPrefix = "querycoord/draining/"

    static func key(_ node: NodeID) -> String {
        let digits = String(node.rawValue)
        return keyPrefix + String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    var key: String { Self.key(node) }

    func encoded() -> [UInt8] {
        var w = WireWriter()
        w.writeUInt8(Self.formatVersion)
        session.encode(into: &w)
        return w.bytes
    }

    init(node: NodeID, session: SessionID) {
        self.node = node
        self.session = session
    }

    /// Decodes the record stored under `key`; the node id comes from the key.
    init(key: String, value: [UInt8]) throws(WireDecodingError) {
        guard key.hasPrefix(Self.keyPrefix), let id = Int64(key.dropFirst(Self.keyPrefix.count)), id >= 0 else {
            throw .invalidValue("draining key \(key) does not end in a node id")
        }
        var r = WireReader(value)
        let version = try r.readUInt8()
        guard version == Self.formatVersion else { throw .invalidValue("draining record version \(version)") }
        node = NodeID(id)
        session = try SessionID(from: &r)
        try r.finish()
    }
}
