/// The token ids of one text, as the model sees them: `[CLS] … [SEP]`, at most `maxLength` ids.
public struct Tokenization: Sendable, Equatable {
    /// Token ids including the leading `[CLS]` and trailing `[SEP]`.
    public var ids: [Int32]
    /// True when the text produced more tokens than fit and the tail was cut off (the embedding then
    /// describes only the first `maxLength − 2` word pieces). Callers should tell their users.
    public var truncated: Bool

    public init(ids: [Int32], truncated: Bool) {
        self.ids = ids
        self.truncated = truncated
    }

    /// Number of word pieces between `[CLS]` and `[SEP]`.
    public var wordPieceCount: Int { max(0, ids.count - 2) }
}
