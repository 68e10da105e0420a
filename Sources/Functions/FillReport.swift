/// What ``FunctionRunner/fill(rows:schema:)`` did to a batch of rows.
public struct FillReport: Sendable, Equatable {
    /// Vectors computed (rows × TextEmbedding functions).
    public var embedded: Int
    /// Rows (indices into the batch, ascending, each once) with at least one text longer than the model's
    /// limit (256 tokens), of which only the beginning was embedded. Worth telling the client.
    public var truncatedRows: [Int]

    public init(embedded: Int = 0, truncatedRows: [Int] = []) {
        self.embedded = embedded
        self.truncatedRows = truncatedRows
    }
}
