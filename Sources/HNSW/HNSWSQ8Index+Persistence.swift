import VecCore

/// The serialized form of an HNSW_SQ8 index: one byte array, all integers little-endian. The refine vectors
/// are not part of it (their owner keeps them); pass them again to `deserialize`.
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 8 | magic `VECHSQ81` |
/// | 8 | 4 | format version (`HNSWSQ8FileFormat.version`) |
/// | 12 | 4 | dimension `d` |
/// | 16 | 4 | metric: 0 = L2, 1 = IP, 2 = COSINE |
/// | 20 | 4 | M |
/// | 24 | 4 | efConstruction |
/// | 28 | 8 | level seed |
/// | 36 | 8 | slot count `n` (≥ 1) |
/// | 44 | 8 | entry word: `(entry slot + 1) << 32 | top level` |
/// | 52 | 8 | body length in bytes |
/// | 60 | 4 | CRC-32C of bytes 0..<60 |
/// | 64 | … | body: SQ8 minimum `d × Float32`, scale `d × Float32`; ids `n × Int64`; levels `n × UInt8`;
/// tombstones `n × UInt8`; codes `n × d × UInt8`; level-0 lists `n × (1 + 2M) × UInt32`; upper lists, for every
/// slot with level > 0 in slot order, `level × (1 + M) × UInt32` |
/// | end − 4 | 4 | CRC-32C of the body |
///
/// Loading checks both checksums and then the structure (levels, link counts and targets, entry point,
/// unique live ids, SQ8 ranges), as `HNSWFileFormat` does.
public enum HNSWSQ8FileFormat {
    public static let magic: [UInt8] = Array("VECHSQ81".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 64
}

extension HNSWSQ8Index {
    /// The index in the serialized format (for object stores).
    public func serializedBytes() -> [UInt8] {
        let n = slotCount, d = dimension, m = parameters.connectivity
        var upperWords = 0
        for s in 0..<n { upperWords += Int(levels[s]) * (1 + m) }
        let bodyLength = 2 * d * 4 + n * 8 + n + n + n * d + n * level0Stride * 4 + upperWords * 4
        var out = [UInt8]()
        out.reserveCapacity(HNSWSQ8FileFormat.headerSize + bodyLength + 4)
        out += HNSWSQ8FileFormat.magic
        out.appendLE(HNSWSQ8FileFormat.version)
        out.appendLE(UInt32(d))
        out.appendLE(UInt32(metric == .l2 ? 0 : metric == .ip ? 1 : 2))
        out.appendLE(UInt32(m))
        out.appendLE(UInt32(parameters.efConstruction))
        out.appendLE(parameters.seed)
        out.appendLE(UInt64(n))
        out.appendLE((UInt64(entrySlot) + 1) << 32 | UInt64(entryLevel))
        out.appendLE(UInt64(bodyLength))
        out.appendLE(out.withUnsafeBytes { CRC32C.checksum($0) })
        let bodyStart = out.count
        for x in quantizer.minimum { out.appendLE(x.bitPattern) }
        for x in quantizer.scale { out.appendLE(x.bitPattern) }
        for s in 0..<n { out.appendLE(UInt64(bitPattern: externalIDs[s])) }
        out += UnsafeBufferPointer(start: levels, count: n)
        tableLock.lock()
        out += UnsafeBufferPointer(start: tombstones, count: n)
        tableLock.unlock()
        for s in 0..<n { out += UnsafeBufferPointer(start: codes + s * quantizer.codeStride, count: d) }
        for w in 0..<(n * level0Stride) { out.appendLE(level0[w]) }
        for s in 0..<n where levels[s] > 0 {
            let p = upperLinks[s]!
            for w in 0..<(Int(levels[s]) * (1 + m)) { out.appendLE(p[w]) }
        }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[bodyStart...])) }
        out.appendLE(crc)
        return out
    }

    /// Rebuilds an index from `serializedBytes()` output, re-ranking with `refine` (or not, when nil).
    /// - Throws: `VecError.corruptFile` when the bytes are truncated, corrupt, of another version, or
    ///   inconsistent; `.dimensionMismatch` when `refine` has another dimension.
    public static func deserialize(_ bytes: [UInt8], name: String, refine: RefineVectors?) throws(VecError) -> HNSWSQ8Index {
        guard bytes.count >= HNSWSQ8FileFormat.headerSize + 4 else {
            throw .corruptFile(path: name, reason: "\(bytes.count) bytes, shorter than a header")
        }
        return try vecErrorsHNSW { try bytes.withUnsafeBytes { try parse($0, name: name, refine: refine) } }
    }

    static func parse(_ buf: UnsafeRawBufferPointer, name: String, refine: RefineVectors?) throws(VecError) -> HNSWSQ8Index {
        func corrupt(_ why: String) -> VecError { .corruptFile(path: name, reason: why) }
        guard Array(buf[0..<8]) == HNSWSQ8FileFormat.magic else { throw corrupt("not an HNSW_SQ8 index (bad magic)") }
        var r = LEReader(buf)
        r.offset = 8
        let version = r.u32()
        guard version == HNSWSQ8FileFormat.version else {
            throw corrupt("format version \(version), this build reads \(HNSWSQ8FileFormat.version)")
        }
        let headerCRC = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[0..<60])) == headerCRC else { throw corrupt("header checksum mismatch") }
        let d = Int(r.u32()), metricCode = r.u32(), m = Int(r.u32()), efc = Int(r.u32())
        let seed = r.u64(), n64 = r.u64(), entry = r.u64(), bodyLength64 = r.u64()
        guard metricCode <= 2 else { throw corrupt("unknown metric code \(metricCode)") }
        let metric: Metric = metricCode == 0 ? .l2 : metricCode == 1 ? .ip : .cosine
        guard d >= 1, d <= VectorLimits.maxDimension else { throw corrupt("dimension \(d) out of range") }
        if let refine, refine.dimension != d { throw .dimensionMismatch(expected: d, got: refine.dimension) }
        let params = HNSWParameters(connectivity: m, efConstruction: efc, seed: seed)
        do { try params.validate() } catch { throw corrupt("bad parameters: \(error)") }
        let h = HNSWSQ8FileFormat.headerSize
        guard n64 >= 1, n64 < UInt64(UInt32.max), bodyLength64 == UInt64(buf.count - h - 4) else {
            throw corrupt("slot count \(n64) or body length \(bodyLength64) does not match size \(buf.count)")
        }
        let body = UnsafeRawBufferPointer(rebasing: buf[h..<(buf.count - 4)])
        let bodyCRC = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: buf.count - 4, as: UInt32.self))
        guard CRC32C.checksum(body) == bodyCRC else { throw corrupt("body checksum mismatch") }
        let n = Int(n64)
        let l0Stride = 1 + 2 * m
        let fixed = 2 * d * 4 + n * 8 + n + n + n * d + n * l0Stride * 4
        guard fixed <= body.count else { throw corrupt("body too short for \(n) slots") }
        r = LEReader(body)
        let lo = (0..<d).map { _ in Float(bitPattern: r.u32()) }
        let sc = (0..<d).map { _ in Float(bitPattern: r.u32()) }
        let q: SQ8Quantizer
        do { q = try SQ8Quantizer(dimension: d, minimum: lo, scale: sc) } catch { throw corrupt("bad SQ8 ranges: \(error)") }
        let es = Int((entry >> 32) &- 1), el = Int(entry & 0xFFFF_FFFF)
        guard entry >> 32 >= 1, es < n, el <= 16 else { throw corrupt("entry point \(es) is out of range") }
        let index = HNSWSQ8Index(dimension: d, metric: metric, parameters: params, quantizer: q, refine: refine,
                                 slots: n, entrySlot: UInt32(es), entryLevel: el)
        for s in 0..<n { index.externalIDs[s] = Int64(bitPattern: r.u64()) }
        var upperTotal = 0
        for s in 0..<n {
            let lv = r.u8()
            guard lv <= 16 else { throw corrupt("slot \(s) has level \(lv) > 16") }
            index.levels[s] = lv
            upperTotal += Int(lv) * (1 + m)
        }
        guard fixed + upperTotal * 4 == body.count else { throw corrupt("upper-level links do not match the levels") }
        guard el == Int(index.levels[es]) else { throw corrupt("entry point \(es) at level \(el) is inconsistent") }
        for s in 0..<n {
            let t = r.u8()
            guard t <= 1 else { throw corrupt("slot \(s) has tombstone byte \(t)") }
            index.tombstones[s] = t
            if t == 1 { index.deletedCount += 1 } else {
                guard index.slotOfID.updateValue(UInt32(s), forKey: index.externalIDs[s]) == nil else {
                    throw corrupt("id \(index.externalIDs[s]) appears twice")
                }
            }
        }
        let cs = q.codeStride
        for s in 0..<n {
            let c = index.codes + s * cs
            for i in 0..<d { c[i] = r.u8() }
            for i in d..<cs { c[i] = 0 }
            index.norms?[s] = q.decodedSquaredNorm(c)
        }
        func readList(into p: UnsafeMutablePointer<UInt32>, max: Int, slot: Int) throws(VecError) {
            let count = r.u32()
            guard count <= UInt32(max) else { throw corrupt("slot \(slot) lists \(count) links, more than \(max)") }
            p[0] = count
            for i in 1...max {
                let v = r.u32()
                guard i > Int(count) || v < UInt32(n) else { throw corrupt("slot \(slot) links to slot \(v) ≥ \(n)") }
                p[i] = v
            }
        }
        for s in 0..<n { try readList(into: index.level0 + s * l0Stride, max: 2 * m, slot: s) }
        for s in 0..<n {
            let lv = Int(index.levels[s])
            if lv == 0 { continue }
            let p = UnsafeMutablePointer<UInt32>.allocate(capacity: lv * (1 + m))
            index.upperLinks[s] = p
            for l in 0..<lv { try readList(into: p + l * (1 + m), max: m, slot: s) }
        }
        return index
    }
}
