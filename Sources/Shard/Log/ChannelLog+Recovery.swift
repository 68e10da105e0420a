#if canImport(Glibc)
import Glibc
#endif

extension ChannelLog {
    /// The log as recovery found it.
    struct Recovered {
        var segments: [LogState.Segment]
        var endLSN: UInt64
        var report: RecoveryReport
    }

    /// Opens every segment in `directory`, validates it and repairs a torn tail.
    ///
    /// Rules: every segment must have a valid header whose first position matches its name and continues the
    /// previous segment; every segment but the last must be valid to its end (it was fsynced before the next one
    /// was created, so damage there is corruption, reported with file and offset); the last segment keeps its
    /// longest valid prefix and the rest is cut off with `ftruncate` + fsync, so appends continue after it.
    static func recover(directory: String) throws(LogError) -> Recovered {
        var report = RecoveryReport()
        var found: [(lsn: UInt64, name: String)] = []
        do {
            for entry in try FileIO.listDirectory(directory) where !entry.isDirectory {
                if entry.name.hasSuffix(".seg.tmp") {
                    try FileIO.unlink(directory + "/" + entry.name, missingOK: true)
                    report.removedTemporaryFiles += 1
                } else if let lsn = LogFrame.firstLSN(fromFileName: entry.name) {
                    found.append((lsn, entry.name))
                }
            }
            if report.removedTemporaryFiles > 0 { try FileIO.fsyncDirectory(directory) }
            if found.isEmpty {
                let file = try LogSegmentFile.create(directory: directory, firstLSN: 0)
                report.segments = 1
                return Recovered(
                    segments: [LogState.Segment(file: file, offsets: [], endOffset: LogFrame.segmentHeaderSize)],
                    endLSN: 0, report: report)
            }
        } catch {
            throw .io(error)
        }
        found.sort { $0.lsn < $1.lsn }
        report.segments = found.count

        var segments: [LogState.Segment] = []
        var expectedLSN = found[0].lsn
        for (index, entry) in found.enumerated() {
            let path = directory + "/" + entry.name
            let isLast = index == found.count - 1
            if entry.lsn != expectedLSN {
                throw .corrupt(
                    file: path, offset: 0,
                    reason: "segment starts at position \(entry.lsn) but the previous segment ends at \(expectedLSN) (a segment is missing or damaged)")
            }
            let fd: Int32
            do { fd = try FileIO.open(path, isLast ? O_RDWR : O_RDONLY) } catch { throw .io(error) }
            let file = LogSegmentFile(path: path, fd: fd, firstLSN: entry.lsn)
            let scan = try LogSegmentScanner.scan(fd: fd, path: path, expectedFirstLSN: entry.lsn)
            if let stop = scan.stop {
                guard isLast else {
                    throw .corrupt(
                        file: path, offset: stop.offset,
                        reason: "\(stop.reason); this is not the last segment, so it is damage, not a torn write")
                }
                do {
                    try FileIO.ftruncate(fd, to: scan.validEnd, path: path)
                    try FileIO.fsync(fd, path: path)
                } catch {
                    throw .io(error)
                }
                report.truncatedBytes = scan.fileSize - scan.validEnd
                report.truncationReason = "\(path) at byte offset \(stop.offset): \(stop.reason)"
            }
            segments.append(LogState.Segment(file: file, offsets: scan.offsets, endOffset: scan.validEnd))
            expectedLSN = scan.nextLSN
        }
        report.firstPosition = LogPosition(found[0].lsn)
        report.endPosition = LogPosition(expectedLSN)
        return Recovered(segments: segments, endLSN: expectedLSN, report: report)
    }
}
