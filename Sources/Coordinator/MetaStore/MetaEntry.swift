/// One key's current value in the `MetaStore`, with etcd-style revisions.
public struct MetaEntry: Sendable, Equatable {
    /// The stored bytes.
    public var value: [UInt8]
    /// Store revision of the transaction that created the key (since it last did not exist).
    public var createRevision: UInt64
    /// Store revision of the transaction that last wrote the key; the value to pass to compare-and-set.
    public var modRevision: UInt64

    public init(value: [UInt8], createRevision: UInt64, modRevision: UInt64) {
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
    }
}
