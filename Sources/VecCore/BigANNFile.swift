import Glibc

/// Readers and writers for the big-ann-benchmarks binary formats (all little-endian):
///
/// | format    | header                  | body                      |
/// |-----------|-------------------------|---------------------------|
/// | `.fbin`   | uint32 n, uint32 d      | n·d float32               |
/// | `.f16bin` | uint32 n, uint32 d      | n·d IEEE float16          |
/// | `.ibin`   | uint32 n, uint32 k      | n·k int32                 |
///
/// The header is checked against the file size before anything is allocated; a short or oversized file is a
/// `VecError.corruptFile` naming the path. (`.ibin` files may carry a trailing float32 block, as
/// big-ann-benchmarks' ground-truth files do; it is ignored.)
public enum BigANNFile {
    /// A matrix read from disk: `rows × columns`, row-major.
    public struct Matrix<Element>: Sendable where Element: Sendable {
        public let rows: Int
        public let columns: Int
        public let values: [Element]
    }

    /// Reads a `.fbin` or `.f16bin` file (by extension) into `Float`s, at most `limit` rows.
    public static func readVectors(_ path: String, limit: Int? = nil) throws(VecError) -> Matrix<Float> {
        let isHalf: Bool
        if path.hasSuffix(".f16bin") { isHalf = true } else if path.hasSuffix(".fbin") { isHalf = false } else {
            throw .io(path: path, reason: "unknown vector file extension (expected .fbin or .f16bin)")
        }
        let file = try RawFile(path)
        defer { file.close() }
        let (n, d) = try file.header()
        guard d >= 1, d <= VectorLimits.maxDimension else {
            throw .corruptFile(path: path, reason: "dimension \(d) out of range 1...\(VectorLimits.maxDimension)")
        }
        let width = isHalf ? 2 : 4
        let expected = 8 + n * d * width
        guard file.size == expected else {
            throw .corruptFile(path: path, reason: "header says \(n)×\(d) (\(expected) bytes), file has \(file.size) bytes")
        }
        let rows = min(n, limit ?? n)
        var values = [Float](repeating: 0, count: rows * d)
        if isHalf {
            var raw = [UInt8](repeating: 0, count: rows * d * 2)
            try vecErrors { try raw.withUnsafeMutableBytes { try file.read(into: $0, at: 8) } }
            raw.withUnsafeBytes { src in
                values.withUnsafeMutableBufferPointer { Float16Codec.decode(src.baseAddress!, count: rows * d, into: $0.baseAddress!) }
            }
        } else {
            try vecErrors { try values.withUnsafeMutableBytes { try file.read(into: $0, at: 8) } }
            #if !_endian(little)
            values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
            #endif
        }
        return Matrix(rows: rows, columns: d, values: values)
    }

    /// Reads an `.ibin` file, at most `limit` rows.
    public static func readIDs(_ path: String, limit: Int? = nil) throws(VecError) -> Matrix<Int32> {
        let file = try RawFile(path)
        defer { file.close() }
        let (n, k) = try file.header()
        let expected = 8 + n * k * 4
        // Ground-truth files may append an n·k float32 distance block.
        guard file.size == expected || file.size == 8 + n * k * 8 else {
            throw .corruptFile(path: path, reason: "header says \(n)×\(k) (\(expected) bytes), file has \(file.size) bytes")
        }
        let rows = min(n, limit ?? n)
        var values = [Int32](repeating: 0, count: rows * k)
        try vecErrors { try values.withUnsafeMutableBytes { try file.read(into: $0, at: 8) } }
        return Matrix(rows: rows, columns: k, values: values.map { Int32(littleEndian: $0) })
    }

    /// Writes `rows × columns` floats as `.fbin`.
    public static func writeVectors(_ path: String, rows: Int, columns: Int, values: [Float]) throws(VecError) {
        precondition(values.count == rows * columns)
        try write(path, rows: rows, columns: columns) { (fd) throws(VecError) in
            try vecErrors { try values.withUnsafeBytes { try RawFile.writeAll(fd, $0, path: path) } }
        }
    }

    /// Writes `rows × columns` ids as `.ibin`.
    public static func writeIDs(_ path: String, rows: Int, columns: Int, values: [Int32]) throws(VecError) {
        precondition(values.count == rows * columns)
        try write(path, rows: rows, columns: columns) { (fd) throws(VecError) in
            try vecErrors { try values.withUnsafeBytes { try RawFile.writeAll(fd, $0, path: path) } }
        }
    }

    private static func write(_ path: String, rows: Int, columns: Int, body: (Int32) throws(VecError) -> Void) throws(VecError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(fd) }
        var header = [UInt32(rows).littleEndian, UInt32(columns).littleEndian]
        try vecErrors { try header.withUnsafeBytes { try RawFile.writeAll(fd, $0, path: path) } }
        try body(fd)
        header.removeAll()
    }
}

/// A read-only file opened with `open(2)`, read with `pread(2)`: the minimum the dataset readers need.
struct RawFile {
    let fd: Int32
    let path: String
    let size: Int

    init(_ path: String) throws(VecError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            Glibc.close(fd)
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        self.fd = fd
        self.path = path
        self.size = Int(st.st_size)
    }

    func close() { Glibc.close(fd) }

    /// The two little-endian uint32 of a big-ann header.
    func header() throws(VecError) -> (Int, Int) {
        guard size >= 8 else { throw .corruptFile(path: path, reason: "shorter than the 8-byte header") }
        var h: (UInt32, UInt32) = (0, 0)
        try vecErrors { try withUnsafeMutableBytes(of: &h) { try read(into: $0, at: 0) } }
        return (Int(UInt32(littleEndian: h.0)), Int(UInt32(littleEndian: h.1)))
    }

    /// Fills `buffer` from `offset`, or throws if the file ends first.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(VecError) {
        var done = 0
        while done < buffer.count {
            let r = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if r < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            if r == 0 { throw .corruptFile(path: path, reason: "unexpected end of file at byte \(offset + done)") }
            done += r
        }
    }

    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(VecError) {
        var done = 0
        while done < buffer.count {
            let r = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if r < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            done += r
        }
    }
}

/// Runs `body`, whose closures can only throw `VecError` but whose stdlib wrappers erase the error type, and
/// rethrows with the type restored.
@inline(__always)
func vecErrors<T>(_ body: () throws -> T) throws(VecError) -> T {
    do { return try body() } catch let e as VecError { throw e } catch {
        throw .invalidParameter("unexpected error: \(error)")
    }
}
