import Glibc

/// Contiguous storage of fixed-dimension `Float` vectors, addressed by dense slot numbers `0..<count`.
///
/// Layout: one 64-byte-aligned buffer; slot `s` starts at `s * stride` floats, where `stride` is the
/// dimension rounded up to a multiple of 16 and the padding is zero. Zero padding changes neither inner
/// products nor squared L2 distances, so kernels can run over `stride` floats and skip tail handling.
///
/// Thread-safety: reads of existing slots may run concurrently with `append` only while no growth happens;
/// growth (`reserve` or an `append` at capacity) moves the buffer, so the owner must exclude readers then
/// (the HNSW index does it with a reader–writer lock). The class is `@unchecked Sendable` on that contract.
public final class VectorStore: @unchecked Sendable {
    /// The logical dimension of every vector.
    public let dimension: Int
    /// Floats between the starts of consecutive slots (dimension rounded up to 16).
    public let stride: Int
    /// Number of slots in use.
    public private(set) var count: Int = 0
    /// Number of slots allocated.
    public private(set) var capacity: Int = 0
    @usableFromInline var base: UnsafeMutablePointer<Float>

    /// Creates an empty store.
    /// - Throws: `VecError.invalidDimension` unless `1 <= dimension <= VectorLimits.maxDimension`.
    public init(dimension: Int, capacity: Int = 0) throws(VecError) {
        guard dimension >= 1, dimension <= VectorLimits.maxDimension else { throw .invalidDimension(dimension) }
        self.dimension = dimension
        self.stride = (dimension + 15) & ~15
        self.base = VectorStore.allocate(floats: 16)
        if capacity > 0 { reserve(capacity) }
    }

    deinit { free(base) }

    static func allocate(floats: Int) -> UnsafeMutablePointer<Float> {
        LargeAllocation.allocate(Float.self, count: max(floats, 16))
    }

    /// Grows the buffer to hold at least `newCapacity` slots. Moves the buffer: see the thread-safety note.
    public func reserve(_ newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let fresh = VectorStore.allocate(floats: newCapacity * stride)
        if count > 0 { fresh.update(from: base, count: count * stride) }
        free(base)
        base = fresh
        capacity = newCapacity
    }

    /// The first float of slot `slot`. Valid until the next growth.
    @inlinable @inline(__always)
    public func pointer(_ slot: Int) -> UnsafeMutablePointer<Float> { base + slot &* stride }

    /// Appends a vector already prepared to `stride` floats (see `VectorPreparation`), growing if needed.
    /// - Returns: the new slot.
    @discardableResult
    public func append(prepared v: UnsafePointer<Float>) -> Int {
        if count == capacity { reserve(max(16, capacity * 2)) }
        pointer(count).update(from: v, count: stride)
        count += 1
        return count - 1
    }

    /// Appends `dimension` floats, zero-padding to `stride`. No validation: callers validate first.
    @discardableResult
    public func append(_ v: UnsafeBufferPointer<Float>) -> Int {
        precondition(v.count == dimension, "vector of dimension \(v.count) appended to store of \(dimension)")
        if count == capacity { reserve(max(16, capacity * 2)) }
        let p = pointer(count)
        p.update(from: v.baseAddress!, count: dimension)
        (p + dimension).initialize(repeating: 0, count: stride - dimension)
        count += 1
        return count - 1
    }

    /// Reserves `n` more slots at the end, zero-filled, and returns the first; callers fill them (e.g. bulk
    /// loaders). Grows if needed.
    public func appendZeroed(_ n: Int) -> Int {
        if count + n > capacity { reserve(max(count + n, capacity * 2)) }
        let first = count
        pointer(first).initialize(repeating: 0, count: n * stride)
        count += n
        return first
    }

    /// Copies slot `slot` (without padding) into a new array — for tests and tools, not hot paths.
    public func vector(_ slot: Int) -> [Float] {
        precondition(slot >= 0 && slot < count, "slot \(slot) out of range 0..<\(count)")
        return Array(UnsafeBufferPointer(start: pointer(slot), count: dimension))
    }

    /// Bytes held by the buffer.
    public var allocatedBytes: Int { capacity * stride * MemoryLayout<Float>.stride }
}

extension VectorStore {
    /// Declares slots `0..<n` filled, for owners that write slots directly through `pointer(_:)` after
    /// `reserve` (the HNSW index fills slots from several threads). Never shrinks.
    public func markFilled(upTo n: Int) {
        precondition(n <= capacity, "markFilled beyond capacity")
        if n > count { count = n }
    }

    /// Drops the last slot (used to roll back an append whose validation failed).
    public func removeLast() {
        precondition(count > 0, "removeLast on an empty store")
        count -= 1
    }
}
