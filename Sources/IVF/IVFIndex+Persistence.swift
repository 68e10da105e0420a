import VecCore

/// The serialized form of an IVF index (IVF_FLAT or IVF_SQ8): one byte array, all integers little-endian.
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 8 | magic `VECIVF01` |
/// | 8 | 4 | format version (`IVFFileFormat.version`) |
/// | 12 | 4 | dimension `d` |
/// | 16 | 4 | metric: 0 = L2, 1 = IP, 2 = COSINE |
/// | 20 | 4 | storage: 0 = FLAT, 1 = SQ8 |
/// | 24 | 4 | nlist (requested) |
/// | 28 | 4 | list count `L` (centroids actually trained, ≤ nlist) |
/// | 32 | 4 | k-means iterations |
/// | 36 | 4 | k-means samples per list |
/// | 40 | 8 | seed |
/// | 48 | 8 | slot count `n` |
/// | 56 | 8 | body length in bytes |
/// | 64 | 4 | CRC-32C of bytes 0..<64 |
/// | 68 | 4 | reserved, 0 |
/// | 72 | … | body: centroids `L × d × Float32`; SQ8 only: minimum `d × Float32`, scale `d × Float32`; ids
/// `n × Int64`; tombstones `n × UInt8`; list of each slot `n × UInt32`; vectors in slot order, `n × d × Float32`
/// (FLAT) or `n × d × UInt8` codes (SQ8) |
/// | end − 4 | 4 | CRC-32C of the body |
///
/// Loading checks both checksums, then every field (ranges, finiteness, list numbers, unique live ids) before
/// it builds anything, so corrupt or inconsistent bytes are refused with `VecError.corruptFile`.
public enum IVFFileFormat {
    public static let magic: [UInt8] = Array("VECIVF01".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 72
}

extension IVFIndex {
    /// The index in the serialized format (for object stores). Blocks writers while it copies.
    public func serializedBytes() -> [UInt8] {
        reading {
            let n = externalIDs.count
            let d = dimension
            let sq8 = quantizer != nil
            let vectorBytes = sq8 ? d : d * 4
            let bodyLength = listCount * d * 4 + (sq8 ? 2 * d * 4 : 0) + n * 8 + n + n * 4 + n * vectorBytes
            var out = [UInt8]()
            out.reserveCapacity(IVFFileFormat.headerSize + bodyLength + 4)
            out += IVFFileFormat.magic
            out.appendLE(IVFFileFormat.version)
            out.appendLE(UInt32(d))
            out.appendLE(UInt32(metric == .l2 ? 0 : metric == .ip ? 1 : 2))
            out.appendLE(UInt32(parameters.storage.rawValue))
            out.appendLE(UInt32(parameters.nlist))
            out.appendLE(UInt32(listCount))
            out.appendLE(UInt32(parameters.iterations))
            out.appendLE(UInt32(parameters.samplesPerList))
            out.appendLE(parameters.seed)
            out.appendLE(UInt64(n))
            out.appendLE(UInt64(bodyLength))
            out.appendLE(out.withUnsafeBytes { CRC32C.checksum($0) })
            out.appendLE(UInt32(0))
            let bodyStart = out.count
            for j in 0..<listCount {
                for i in 0..<d { out.appendLE(centroids[j * stride + i].bitPattern) }
            }
            if let q = quantizer {
                for x in q.minimum { out.appendLE(x.bitPattern) }
                for x in q.scale { out.appendLE(x.bitPattern) }
            }
            for id in externalIDs { out.appendLE(UInt64(bitPattern: id)) }
            out += tombstones
            for l in listOfSlot { out.appendLE(l) }
            // Vectors in slot order: gather them from the lists.
            var bySlot = [UInt8](repeating: 0, count: n * vectorBytes)
            bySlot.withUnsafeMutableBytes { dst in
                for list in lists {
                    for i in 0..<list.count {
                        let s = Int(list.slots[i])
                        if sq8 {
                            dst.baseAddress!.advanced(by: s * vectorBytes).copyMemory(from: list.entry(i), byteCount: d)
                        } else {
                            let f = list.entry(i).assumingMemoryBound(to: Float.self)
                            for t in 0..<d {
                                dst.storeBytes(of: f[t].bitPattern.littleEndian, toByteOffset: s * vectorBytes + t * 4, as: UInt32.self)
                            }
                        }
                    }
                }
            }
            out += bySlot
            let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[bodyStart...])) }
            out.appendLE(crc)
            return out
        }
    }

    /// Rebuilds an index from `serializedBytes()` output.
    /// - Parameter name: names the source in error messages (an object key or path).
    /// - Throws: `VecError.corruptFile` when the bytes are truncated, corrupt, of another version, or
    ///   inconsistent.
    public static func deserialize(_ bytes: [UInt8], name: String) throws(VecError) -> IVFIndex {
        do {
            return try bytes.withUnsafeBytes { buf in try parse(buf, name: name) }
        } catch let e as VecError {
            throw e
        } catch {
            throw .corruptFile(path: name, reason: "\(error)")
        }
    }

    static func parse(_ buf: UnsafeRawBufferPointer, name: String) throws(VecError) -> IVFIndex {
        func corrupt(_ why: String) -> VecError { .corruptFile(path: name, reason: why) }
        let h = IVFFileFormat.headerSize
        guard buf.count >= h + 4 else { throw corrupt("\(buf.count) bytes, shorter than a header") }
        guard Array(buf[0..<8]) == IVFFileFormat.magic else { throw corrupt("not an IVF index (bad magic)") }
        do {
            var r = LEReader(buf, offset: 8)
            let version = r.u32()
            guard version == IVFFileFormat.version else {
                throw corrupt("format version \(version), this build reads \(IVFFileFormat.version)")
            }
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[0..<64])) == r.u32(at: 64) else {
                throw corrupt("header checksum mismatch")
            }
            let d = Int(r.u32()), metricCode = r.u32(), storageCode = r.u32()
            let nlist = Int(r.u32()), listCount = Int(r.u32()), iterations = Int(r.u32()), samples = Int(r.u32())
            let seed = r.u64(), n64 = r.u64(), bodyLength64 = r.u64()
            guard metricCode <= 2 else { throw corrupt("unknown metric code \(metricCode)") }
            let metric: Metric = metricCode == 0 ? .l2 : metricCode == 1 ? .ip : .cosine
            guard storageCode <= 255, let storage = IVFParameters.Storage(rawValue: UInt8(storageCode)) else {
                throw corrupt("unknown storage code \(storageCode)")
            }
            guard d >= 1, d <= VectorLimits.maxDimension else { throw corrupt("dimension \(d) out of range") }
            let params = IVFParameters(nlist: nlist, storage: storage, iterations: iterations, samplesPerList: samples, seed: seed)
            do { try params.validate() } catch { throw corrupt("bad parameters: \(error)") }
            guard listCount >= 1, listCount <= nlist else { throw corrupt("list count \(listCount) outside 1...nlist (\(nlist))") }
            guard bodyLength64 == UInt64(buf.count - h - 4) else {
                throw corrupt("body length \(bodyLength64) does not match size \(buf.count) (truncated?)")
            }
            let body = UnsafeRawBufferPointer(rebasing: buf[h..<(buf.count - 4)])
            guard CRC32C.checksum(body) == r.u32(at: buf.count - 4) else { throw corrupt("body checksum mismatch") }
            let sq8 = storage == .sq8
            let vectorBytes = sq8 ? d : d * 4
            let fixed = listCount * d * 4 + (sq8 ? 2 * d * 4 : 0)
            guard n64 < UInt64(UInt32.max), fixed <= body.count,
                UInt64(body.count - fixed) == n64 * UInt64(8 + 1 + 4 + vectorBytes)
            else { throw corrupt("body size does not match \(n64) slots") }
            let n = Int(n64)
            let stride = (d + 15) & ~15
            r = LEReader(body, offset: 0)
            var centroids = [Float](repeating: 0, count: listCount * stride)
            for j in 0..<listCount {
                for i in 0..<d {
                    let x = r.f32()
                    guard x.isFinite else { throw corrupt("centroid \(j) holds a non-finite component") }
                    centroids[j * stride + i] = x
                }
            }
            var quantizer: SQ8Quantizer?
            if sq8 {
                let lo = (0..<d).map { _ in r.f32() }
                let sc = (0..<d).map { _ in r.f32() }
                do { quantizer = try SQ8Quantizer(dimension: d, minimum: lo, scale: sc) } catch {
                    throw corrupt("bad SQ8 ranges: \(error)")
                }
            }
            let index = try IVFIndex(dimension: d, metric: metric, parameters: params, centroids: centroids,
                                     listCount: listCount, quantizer: quantizer)
            var ids = [Int64](repeating: 0, count: n)
            for s in 0..<n { ids[s] = Int64(bitPattern: r.u64()) }
            var dead = [UInt8](repeating: 0, count: n)
            var slotOfID = [Int64: UInt32](minimumCapacity: n)
            var deleted = 0
            for s in 0..<n {
                let t = r.u8()
                guard t <= 1 else { throw corrupt("slot \(s) has tombstone byte \(t)") }
                dead[s] = t
                if t == 1 { deleted += 1 } else {
                    guard slotOfID.updateValue(UInt32(s), forKey: ids[s]) == nil else { throw corrupt("id \(ids[s]) appears twice") }
                }
            }
            var listOf = [UInt32](repeating: 0, count: n)
            for s in 0..<n {
                let l = r.u32()
                guard l < UInt32(listCount) else { throw corrupt("slot \(s) is in list \(l) ≥ \(listCount)") }
                listOf[s] = l
            }
            var perList = [Int](repeating: 0, count: listCount)
            for l in listOf { perList[Int(l)] += 1 }
            index.reserveLists(adding: perList)
            let entry = UnsafeMutableRawPointer.allocate(byteCount: max(stride * 4, quantizer?.codeStride ?? 0), alignment: 64)
            defer { entry.deallocate() }
            entry.initializeMemory(as: UInt8.self, repeating: 0, count: max(stride * 4, quantizer?.codeStride ?? 0))
            for s in 0..<n {
                let list = index.lists[Int(listOf[s])]
                if let q = quantizer {
                    let c = entry.assumingMemoryBound(to: UInt8.self)
                    for i in 0..<d { c[i] = r.u8() }
                    list.append(slot: UInt32(s), bytes: entry, norm: list.keepsNorms ? q.decodedSquaredNorm(c) : 0)
                } else {
                    let f = entry.assumingMemoryBound(to: Float.self)
                    for i in 0..<d {
                        let x = r.f32()
                        guard x.isFinite else { throw corrupt("slot \(s) holds a non-finite component") }
                        f[i] = x
                    }
                    list.append(slot: UInt32(s), bytes: entry, norm: 0)
                }
            }
            index.externalIDs = ids
            index.tombstones = dead
            index.listOfSlot = listOf
            index.slotOfID = slotOfID
            index.deletedCount = deleted
            return index
        }
    }
}

/// Little-endian reads from a buffer whose size the caller has already checked.
struct LEReader {
    let buf: UnsafeRawBufferPointer
    var offset: Int
    init(_ b: UnsafeRawBufferPointer, offset: Int) { buf = b; self.offset = offset }
    mutating func u8() -> UInt8 { defer { offset += 1 }; return buf[offset] }
    mutating func u32() -> UInt32 { defer { offset += 4 }; return u32(at: offset) }
    mutating func u64() -> UInt64 { defer { offset += 8 }; return UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    mutating func f32() -> Float { Float(bitPattern: u32()) }
    func u32(at o: Int) -> UInt32 { UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}
