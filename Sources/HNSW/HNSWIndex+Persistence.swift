import Foundation
import Glibc
import VecCore

/// The on-disk format of an HNSW index: one file, all integers little-endian.
///
/// | offset | bytes | field |
/// |---|---|---|
/// | 0 | 8 | magic `VECHNSW1` |
/// | 8 | 4 | format version (`HNSWFileFormat.version`) |
/// | 12 | 4 | dimension |
/// | 16 | 4 | metric: 0 = L2, 1 = IP, 2 = COSINE |
/// | 20 | 4 | M (connectivity) |
/// | 24 | 4 | efConstruction |
/// | 28 | 8 | level seed |
/// | 36 | 8 | slot count `n` |
/// | 44 | 8 | entry word: `(entry slot + 1) << 32 | top level`, 0 when empty |
/// | 52 | 8 | body length in bytes |
/// | 60 | 4 | CRC-32C of bytes 0..<60 |
/// | 64 | … | body: ids `n × Int64`; levels `n × UInt8`; tombstones `n × UInt8`; vectors `n × dimension ×
/// Float32` (unpadded); level-0 lists `n × (1 + 2M) × UInt32` (count, then links); upper lists, for every slot
/// with level > 0 in slot order, `level × (1 + M) × UInt32` |
/// | end − 4 | 4 | CRC-32C of the body |
///
/// Loading reads the file with one `read`, checks both checksums, then validates the structure (levels,
/// link counts, link targets, entry point, unique live ids) so that even a file with valid checksums but
/// inconsistent content is refused rather than trusted.
public enum HNSWFileFormat {
    public static let magic: [UInt8] = Array("VECHNSW1".utf8)
    public static let version: UInt32 = 1
    static let headerSize = 64
}

extension HNSWIndex {
    /// Writes the index to `path` atomically (temporary file, fsync, rename). Blocks inserts and searches
    /// while the index is copied into memory, not while the file is written.
    /// - Throws: `VecError.io`.
    public func save(to path: String) throws(VecError) {
        let bytes = serialize()
        try writeAtomically(bytes, to: path)
    }

    /// The index in the on-disk format, as bytes (for object stores; `save(to:)` writes the same bytes).
    public func serializedBytes() -> [UInt8] { serialize() }

    /// Rebuilds an index from `serializedBytes()` output.
    /// - Parameter name: names the source in error messages (an object key or path).
    /// - Throws: `VecError.corruptFile` when the bytes are truncated, corrupt, of another version, or
    ///   structurally inconsistent.
    public static func deserialize(_ bytes: [UInt8], name: String) throws(VecError) -> HNSWIndex {
        guard bytes.count >= HNSWFileFormat.headerSize + 4 else {
            throw .corruptFile(path: name, reason: "\(bytes.count) bytes, shorter than a header")
        }
        return try vecErrorsHNSW { try bytes.withUnsafeBytes { try HNSWIndex(deserializing: $0, path: name) } }
    }

    /// Loads an index written by `save(to:)`.
    /// - Throws: `VecError.io` when the file cannot be read; `.corruptFile` when it is truncated, corrupt, of
    ///   another version, or structurally inconsistent.
    public static func load(from path: String) throws(VecError) -> HNSWIndex {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(st.st_size)
        guard size >= HNSWFileFormat.headerSize + 4 else { throw .corruptFile(path: path, reason: "file is \(size) bytes, shorter than a header") }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var done = 0
        while done < size {
            let r = read(fd, buffer.baseAddress! + done, size - done)
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw .corruptFile(path: path, reason: "could not read the whole file") }
            done += r
        }
        return try HNSWIndex(deserializing: UnsafeRawBufferPointer(buffer), path: path)
    }

    func serialize() -> [UInt8] {
        pthread_rwlock_wrlock(growthLock)
        defer { pthread_rwlock_unlock(growthLock) }
        tableLock.lock()
        let n = reservedSlots
        tableLock.unlock()
        let m = parameters.connectivity
        var upperWords = 0
        for s in 0..<n { upperWords += Int(levels[s]) * (1 + m) }
        let bodyLength = n * 8 + n + n + n * dimension * 4 + n * level0Stride * 4 + upperWords * 4
        var out = [UInt8]()
        out.reserveCapacity(HNSWFileFormat.headerSize + bodyLength + 4)
        out += HNSWFileFormat.magic
        out.appendLE(HNSWFileFormat.version)
        out.appendLE(UInt32(dimension))
        out.appendLE(UInt32(metric == .l2 ? 0 : metric == .ip ? 1 : 2))
        out.appendLE(UInt32(m))
        out.appendLE(UInt32(parameters.efConstruction))
        out.appendLE(parameters.seed)
        out.appendLE(UInt64(n))
        out.appendLE(entryWord)
        out.appendLE(UInt64(bodyLength))
        out.appendLE(out.withUnsafeBytes { CRC32C.checksum($0) })
        let bodyStart = out.count
        for s in 0..<n { out.appendLE(UInt64(bitPattern: externalIDs[s])) }
        out += UnsafeBufferPointer(start: levels, count: n)
        out += UnsafeBufferPointer(start: tombstones, count: n)
        for s in 0..<n {
            let p = vectors.pointer(s)
            for i in 0..<dimension { out.appendLE(p[i].bitPattern) }
        }
        for w in 0..<(n * level0Stride) { out.appendLE(level0[w]) }
        for s in 0..<n where levels[s] > 0 {
            let p = upperLinks[s]!
            for w in 0..<(Int(levels[s]) * (1 + m)) { out.appendLE(p[w]) }
        }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[bodyStart...])) }
        out.appendLE(crc)
        return out
    }

    convenience init(deserializing buf: UnsafeRawBufferPointer, path: String) throws(VecError) {
        func corrupt(_ why: String) -> VecError { .corruptFile(path: path, reason: why) }
        guard Array(buf[0..<8]) == HNSWFileFormat.magic else { throw corrupt("not an HNSW index (bad magic)") }
        var r = LEReader(buf)
        r.offset = 8
        let version = r.u32()
        guard version == HNSWFileFormat.version else { throw corrupt("format version \(version), this build reads \(HNSWFileFormat.version)") }
        let headerCRC = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buf[0..<60])) == headerCRC else { throw corrupt("header checksum mismatch") }
        let dim = Int(r.u32()), metricCode = r.u32(), m = Int(r.u32()), efc = Int(r.u32())
        let seed = r.u64(), n64 = r.u64(), entry = r.u64(), bodyLength64 = r.u64()
        guard metricCode <= 2 else { throw corrupt("unknown metric code \(metricCode)") }
        let metric: Metric = metricCode == 0 ? .l2 : metricCode == 1 ? .ip : .cosine
        guard dim >= 1, dim <= VectorLimits.maxDimension else { throw corrupt("dimension \(dim) out of range") }
        let params = HNSWParameters(connectivity: m, efConstruction: efc, seed: seed)
        do { try params.validate() } catch { throw corrupt("bad parameters: \(error)") }
        guard n64 < UInt64(UInt32.max), bodyLength64 == UInt64(buf.count - HNSWFileFormat.headerSize - 4) else {
            throw corrupt("body length \(bodyLength64) does not match file size \(buf.count) (truncated?)")
        }
        let body = UnsafeRawBufferPointer(rebasing: buf[HNSWFileFormat.headerSize..<(buf.count - 4)])
        let bodyCRC = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: buf.count - 4, as: UInt32.self))
        guard CRC32C.checksum(body) == bodyCRC else { throw corrupt("body checksum mismatch") }
        let n = Int(n64)
        let l0Stride = 1 + 2 * m
        let fixed = n * 8 + n + n + n * dim * 4 + n * l0Stride * 4
        guard fixed <= body.count else { throw corrupt("body too short for \(n) slots") }

        try self.init(dimension: dim, metric: metric, parameters: params, capacity: max(n, 1))
        r = LEReader(body)
        var ids = Set<Int64>(minimumCapacity: n)
        for s in 0..<n { externalIDs[s] = Int64(bitPattern: r.u64()) }
        var upperTotal = 0
        for s in 0..<n {
            let lv = r.u8()
            guard lv <= 16 else { throw corrupt("slot \(s) has level \(lv) > 16") }
            levels[s] = lv
            upperTotal += Int(lv) * (1 + m)
        }
        guard fixed + upperTotal * 4 == body.count else { throw corrupt("upper-level links do not match the levels") }
        var deleted = 0
        for s in 0..<n {
            let t = r.u8()
            guard t <= 1 else { throw corrupt("slot \(s) has tombstone byte \(t)") }
            tombstones[s] = t
            if t == 1 { deleted += 1 } else {
                guard ids.insert(externalIDs[s]).inserted else { throw corrupt("id \(externalIDs[s]) appears twice") }
                slotOfID[externalIDs[s]] = UInt32(s)
            }
        }
        for s in 0..<n {
            let p = vectors.pointer(s)
            for i in 0..<dim {
                let x = Float(bitPattern: r.u32())
                guard x.isFinite else { throw corrupt("slot \(s) holds a non-finite component") }
                p[i] = x
            }
            for i in dim..<vectors.stride { p[i] = 0 }
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
        for s in 0..<n { try readList(into: level0 + s * l0Stride, max: 2 * m, slot: s) }
        for s in 0..<n {
            let lv = Int(levels[s])
            if lv == 0 { upperLinks[s] = nil; continue }
            let p = UnsafeMutablePointer<UInt32>.allocate(capacity: lv * (1 + m))
            upperLinks[s] = p
            for l in 0..<lv { try readList(into: p + l * (1 + m), max: m, slot: s) }
        }
        if entry != 0 {
            let es = Int((entry >> 32) - 1), el = Int(entry & 0xFFFF_FFFF)
            guard es < n, el == Int(levels[es]) else { throw corrupt("entry point \(es) at level \(el) is inconsistent") }
        } else {
            guard n == 0 else { throw corrupt("\(n) slots but no entry point") }
        }
        reservedSlots = n
        deletedCount = deleted
        entryWord = entry
        vectors.markFilled(upTo: n)
    }
}

/// Little-endian reads from a buffer whose size the caller has already checked.
struct LEReader {
    let buf: UnsafeRawBufferPointer
    var offset = 0
    init(_ b: UnsafeRawBufferPointer) { buf = b }
    mutating func u8() -> UInt8 { defer { offset += 1 }; return buf[offset] }
    mutating func u32() -> UInt32 { defer { offset += 4 }; return UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    mutating func u64() -> UInt64 { defer { offset += 8 }; return UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}

/// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it over `path`, and fsyncs the
/// directory, so a crash leaves either the old file or the new one, never a mix.
func writeAtomically(_ bytes: [UInt8], to path: String) throws(VecError) {
    let tmp = path + ".tmp-\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw .io(path: tmp, reason: String(cString: strerror(errno))) }
    var ok = false
    defer { if !ok { unlink(tmp) } }
    let written = bytes.withUnsafeBytes { b -> Bool in
        var done = 0
        while done < b.count {
            let r = write(fd, b.baseAddress! + done, b.count - done)
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { return false }
            done += r
        }
        return true
    }
    guard written, fsync(fd) == 0 else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw .io(path: tmp, reason: reason)
    }
    close(fd)
    guard rename(tmp, path) == 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    ok = true
    let dir = (path as NSString).deletingLastPathComponent
    let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY)
    if dfd >= 0 { fsync(dfd); close(dfd) }
}

/// Restores the error type that the stdlib's closure wrappers erase.
func vecErrorsHNSW<T>(_ body: () throws -> T) throws(VecError) -> T {
    do { return try body() } catch let e as VecError { throw e } catch { throw .invalidParameter("unexpected error: \(error)") }
}
