/// The shared secret every node of a cluster is configured with; peers prove they know it in the
/// handshake (see `Handshake`) without sending it.
///
/// Use at least 16 random bytes: the handshake transcript lets an eavesdropper test guesses offline, so a
/// short or dictionary secret can be recovered.
public struct ClusterSecret: Sendable, Equatable {
    let bytes: [UInt8]

    /// A secret from raw bytes; throws `invalidConfiguration` if empty.
    public init(bytes: [UInt8]) throws(WireError) {
        guard !bytes.isEmpty else {
            throw WireError(.invalidConfiguration, "cluster secret is empty: set one shared by every node")
        }
        self.bytes = bytes
    }

    /// A secret from a string's UTF-8 bytes (as read from a config file); throws if empty.
    public init(_ string: String) throws(WireError) {
        try self.init(bytes: Array(string.utf8))
    }
}
