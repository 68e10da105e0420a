import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only, validated view of a `.safetensors` file (Hugging Face's weight format).
///
/// Layout (all integers little-endian):
///
/// | offset  | size | field                                                                       |
/// |---------|------|-----------------------------------------------------------------------------|
/// | 0       | 8    | `N`: UInt64, length of the JSON header in bytes                             |
/// | 8       | N    | UTF-8 JSON object: `name → {"dtype", "shape", "data_offsets": [begin, end]}`, plus an optional `"__metadata__"` object of strings; may be padded with spaces |
/// | 8 + N   | rest | tensor data; `data_offsets` are relative to this point, row-major, little-endian |
///
/// Opening the file validates the whole index, so every later read is in bounds: the header length fits the
/// file (and 100 MiB), the header is a JSON object, every entry has a known dtype, a non-negative shape and
/// offsets with `begin ≤ end ≤ data size`, `end − begin` equals the element count × dtype size (no overflow),
/// and no two tensors overlap. Reading a tensor checks its dtype and shape against what the caller expects
/// and reads exactly its bytes with `pread`. The file stays open until the value is released.
final class SafetensorsFile {
    /// One tensor's index entry.
    struct TensorInfo: Equatable {
        var dtype: String
        var shape: [Int]
        /// Absolute byte range in the file.
        var byteRange: Range<Int>
    }

    let path: String
    let fileSize: Int
    private(set) var tensors: [String: TensorInfo] = [:]
    private let fd: Int32

    /// Bytes per element of each dtype the format defines.
    static let dtypeSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
    ]
    static let maxHeaderLength = 100 << 20

    /// Opens and validates `path`.
    /// - Throws: `SafetensorsError` describing the first problem found.
    init(path: String) throws(SafetensorsError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .cannotOpen(path: path, reason: reason)
        }
        self.fd = fd
        self.fileSize = Int(st.st_size)
        // From here on `deinit` closes fd, also when init throws.
        try parseHeader()
    }

    deinit { close(fd) }

    private func parseHeader() throws(SafetensorsError) {
        guard fileSize >= 8 else { throw .tooSmall(fileSize: fileSize) }
        var lengthBytes = [UInt8](repeating: 0, count: 8)
        try readExactly(into: &lengthBytes, at: 0, what: "header length")
        var n: UInt64 = 0
        for i in (0..<8).reversed() { n = n << 8 | UInt64(lengthBytes[i]) }
        guard n >= 2, n <= UInt64(Self.maxHeaderLength), n <= UInt64(fileSize - 8) else {
            throw .headerLengthOutOfRange(length: n, fileSize: fileSize)
        }
        let headerLength = Int(n)
        var header = [UInt8](repeating: 0, count: headerLength)
        try readExactly(into: &header, at: 8, what: "header")
        guard header.first == UInt8(ascii: "{") else { throw .headerNotJSON("does not start with '{'") }
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any] else {
                throw SafetensorsError.headerNotJSON("not a JSON object")
            }
            object = o
        } catch let e as SafetensorsError {
            throw e
        } catch {
            throw .headerNotJSON(error.localizedDescription)
        }

        let dataStart = 8 + headerLength
        let dataSize = fileSize - dataStart
        var ranges: [(Range<Int>, String)] = []
        for (name, value) in object where name != "__metadata__" {
            guard let entry = value as? [String: Any] else { throw .malformedEntry(name: name, reason: "not an object") }
            guard let dtype = entry["dtype"] as? String, let elementSize = Self.dtypeSizes[dtype] else {
                throw .malformedEntry(name: name, reason: "unknown or missing dtype \(String(describing: entry["dtype"]))")
            }
            guard let shapeValues = entry["shape"] as? [Any], shapeValues.count <= 16 else {
                throw .malformedEntry(name: name, reason: "shape is missing or has more than 16 dimensions")
            }
            var shape: [Int] = []
            var count = 1
            for v in shapeValues {
                guard let d = Self.nonNegativeInt(v) else {
                    throw .malformedEntry(name: name, reason: "shape holds \(v), not a non-negative integer")
                }
                shape.append(d)
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw .malformedEntry(name: name, reason: "shape \(shapeValues) overflows") }
                count = p
            }
            guard let offsets = entry["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = Self.nonNegativeInt(offsets[0]), let end = Self.nonNegativeInt(offsets[1]), begin <= end
            else { throw .malformedEntry(name: name, reason: "data_offsets is not [begin, end] with begin ≤ end") }
            guard end <= dataSize else {
                throw .dataOutOfBounds(name: name, begin: begin, end: end, dataSize: dataSize)
            }
            let (bytes, o) = count.multipliedReportingOverflow(by: elementSize)
            guard !o, bytes == end - begin else {
                throw .sizeMismatch(name: name, shape: shape, dtype: dtype, byteCount: end - begin)
            }
            let range = (dataStart + begin)..<(dataStart + end)
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, byteRange: range)
            ranges.append((range, name))
        }
        ranges.sort { $0.0.lowerBound < $1.0.lowerBound }
        for i in ranges.indices.dropFirst() where ranges[i].0.lowerBound < ranges[i - 1].0.upperBound {
            throw .overlapping(ranges[i - 1].1, ranges[i].1)
        }
    }

    /// The tensor `name` as Float32 values, after checking it is F32 with exactly `shape`.
    /// - Throws: `SafetensorsError.missingTensor`, `.unexpectedTensor`, or a read error.
    func floats(_ name: String, shape: [Int]) throws(SafetensorsError) -> [Float] {
        guard let info = tensors[name] else { throw .missingTensor(name) }
        guard info.dtype == "F32", info.shape == shape else {
            throw .unexpectedTensor(name: name, dtype: info.dtype, shape: info.shape, expectedShape: shape)
        }
        let count = info.byteRange.count / 4
        var out = [Float](repeating: 0, count: count)
        var failure: SafetensorsError?
        out.withUnsafeMutableBytes { raw in
            do throws(SafetensorsError) {
                try readExactly(into: raw, at: info.byteRange.lowerBound, what: name)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        #if _endian(big)
        for i in out.indices { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
        #endif
        return out
    }

    private func readExactly(into bytes: inout [UInt8], at offset: Int, what: String) throws(SafetensorsError) {
        var failure: SafetensorsError?
        bytes.withUnsafeMutableBytes { raw in
            do throws(SafetensorsError) { try readExactly(into: raw, at: offset, what: what) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private func readExactly(into raw: UnsafeMutableRawBufferPointer, at offset: Int, what: String)
        throws(SafetensorsError)
    {
        var done = 0
        while done < raw.count {
            let r = pread(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
            if r < 0 {
                if errno == EINTR { continue }
                throw .readFailed(what: what, reason: String(cString: strerror(errno)))
            }
            if r == 0 { throw .readFailed(what: what, reason: "file ends early (truncated?)") }
            done += r
        }
    }

    /// JSON numbers arrive as NSNumber; accept only exact non-negative integers below 2^53.
    private static func nonNegativeInt(_ v: Any) -> Int? {
        guard let n = v as? NSNumber else { return nil }
        let d = n.doubleValue
        guard d >= 0, d < 9_007_199_254_740_992, d == d.rounded() else { return nil }
        return Int(d)
    }
}

/// Why a safetensors file cannot be used. Each message names the tensor or field at fault.
enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case tooSmall(fileSize: Int)
    case headerLengthOutOfRange(length: UInt64, fileSize: Int)
    case headerNotJSON(String)
    case malformedEntry(name: String, reason: String)
    case dataOutOfBounds(name: String, begin: Int, end: Int, dataSize: Int)
    case sizeMismatch(name: String, shape: [Int], dtype: String, byteCount: Int)
    case overlapping(String, String)
    case missingTensor(String)
    case unexpectedTensor(name: String, dtype: String, shape: [Int], expectedShape: [Int])
    case readFailed(what: String, reason: String)

    var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .tooSmall(size): return "file is \(size) bytes, too small to hold a safetensors header"
        case let .headerLengthOutOfRange(n, size):
            return "header length \(n) does not fit a \(size)-byte file (or exceeds 100 MiB)"
        case let .headerNotJSON(why): return "header is not a JSON object: \(why)"
        case let .malformedEntry(name, reason): return "tensor \(name): \(reason)"
        case let .dataOutOfBounds(name, b, e, size):
            return "tensor \(name): data_offsets [\(b), \(e)] run past the \(size)-byte data section (truncated file?)"
        case let .sizeMismatch(name, shape, dtype, bytes):
            return "tensor \(name): shape \(shape) of \(dtype) does not match its \(bytes) data bytes"
        case let .overlapping(a, b): return "tensors \(a) and \(b) overlap"
        case let .missingTensor(name): return "tensor \(name) is missing"
        case let .unexpectedTensor(name, dtype, shape, expected):
            return "tensor \(name) is \(dtype) \(shape), expected F32 \(expected)"
        case let .readFailed(what, reason): return "reading \(what) failed: \(reason)"
        }
    }
}
