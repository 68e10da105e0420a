import VecCore

/// Recovery's pass over one segment file: validates the header and every record in order and reports the
/// longest valid prefix. Reads through a fixed 1 MiB buffer and checksums payloads in chunks, so memory stays
/// bounded whatever lengths the file claims.
struct LogSegmentScanner {
    /// What the scan found.
    struct Outcome {
        /// Byte offset of each valid record.
        var offsets: [UInt32] = []
        /// Byte offset just past the last valid record.
        var validEnd: Int
        /// Position the record after the valid prefix would have.
        var nextLSN: UInt64
        /// Where and why the scan stopped before the end of the file, or `nil` if the whole file is valid.
        var stop: (offset: Int, reason: String)?
        var fileSize: Int
    }

    private static let chunk = 1 << 20

    /// Scans the segment open at `fd`.
    ///
    /// - Parameter expectedFirstLSN: the LSN from the file name; the header must agree.
    /// - Throws: `LogError.corrupt` for a bad header (every segment is created atomically with a valid header, so
    ///   a bad one is damage, never a torn write); `LogError.io`.
    static func scan(fd: Int32, path: String, expectedFirstLSN: UInt64) throws(LogError) -> Outcome {
        let fileSize: Int
        do { fileSize = try FileIO.size(fd, path: path) } catch { throw .io(error) }
        guard fileSize <= Int(UInt32.max) else {
            throw .corrupt(file: path, offset: 0, reason: "segment is \(fileSize) bytes, over the 4 GiB format limit")
        }
        let reader = Reader(fd: fd, path: path)
        let header = try reader.bytes(at: 0, count: min(LogFrame.segmentHeaderSize, fileSize))
        let firstLSN: UInt64
        switch LogFrame.parseSegmentHeader(header) {
        case .failure(let problem): throw .corrupt(file: path, offset: 0, reason: problem.reason)
        case .success(let lsn): firstLSN = lsn
        }
        guard firstLSN == expectedFirstLSN else {
            throw .corrupt(file: path, offset: 16, reason: "header says first position \(firstLSN) but the file name says \(expectedFirstLSN)")
        }

        var outcome = Outcome(validEnd: LogFrame.segmentHeaderSize, nextLSN: firstLSN, fileSize: fileSize)
        var offset = LogFrame.segmentHeaderSize
        while offset < fileSize {
            let remaining = fileSize - offset
            guard remaining >= LogFrame.recordHeaderSize else {
                outcome.stop = (offset, "torn record header (\(remaining) bytes at the end of the file)")
                break
            }
            let raw = try reader.bytes(at: offset, count: LogFrame.recordHeaderSize)
            let header = LogFrame.RecordHeader(raw)
            var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[4...]))
            if header.length > LogFrame.maxPayloadBytes {
                outcome.stop = (offset, "record length \(header.length) exceeds the format limit of \(LogFrame.maxPayloadBytes)")
                break
            }
            if header.length > remaining - LogFrame.recordHeaderSize {
                outcome.stop = (offset, "record of \(header.length) payload bytes extends past the end of the file (torn write)")
                break
            }
            var p = offset + LogFrame.recordHeaderSize
            let end = p + header.length
            while p < end {
                let n = min(chunk, end - p)
                crc = CRC32C.update(crc, try reader.bytes(at: p, count: n))
                p += n
            }
            if crc != header.crc {
                outcome.stop = (offset, "record checksum mismatch")
                break
            }
            if let problem = header.problem(expectedLSN: outcome.nextLSN) {
                outcome.stop = (offset, problem)
                break
            }
            outcome.offsets.append(UInt32(offset))
            offset = end
            outcome.validEnd = end
            outcome.nextLSN += 1
        }
        return outcome
    }

    /// Sequential reads through one reusable buffer.
    private final class Reader {
        let fd: Int32
        let path: String
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: LogSegmentScanner.chunk, alignment: 16)
        var bufferStart = 0
        var bufferCount = 0

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        deinit { buffer.deallocate() }

        /// `count` (≤ 1 MiB) bytes at `offset`, which the caller has checked lie inside the file. The view is
        /// valid until the next call.
        func bytes(at offset: Int, count: Int) throws(LogError) -> UnsafeRawBufferPointer {
            if offset < bufferStart || offset + count > bufferStart + bufferCount {
                do { bufferCount = try FileIO.pread(fd, into: buffer, at: offset, path: path) } catch { throw .io(error) }
                bufferStart = offset
                guard bufferCount >= count else {
                    throw .corrupt(file: path, offset: offset, reason: "file shrank while it was being recovered")
                }
            }
            let start = offset - bufferStart
            return UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)])
        }
    }
}
