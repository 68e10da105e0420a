/// A fixed-size, 64-byte-aligned Float buffer with a stable address, for weights (immutable after loading,
/// so shared across threads) and per-thread scratch space. Hot loops take `pointer` once instead of going
/// through `Array.withUnsafe…` closures.
final class FloatBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// A zero-filled buffer of `count` floats.
    init(count: Int) {
        precondition(count >= 0)
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A copy of `values`, optionally scaled.
    convenience init(_ values: [Float], scale: Float = 1) {
        self.init(count: values.count)
        for i in values.indices { pointer[i] = values[i] * scale }
    }

    deinit { pointer.deallocate() }
}
