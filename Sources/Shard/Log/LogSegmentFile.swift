/// An open segment file. Shared by reference between the writer thread and readers; the descriptor closes when
/// the last reference goes, so a reader holding a segment that `truncate` just unlinked can still finish.
final class LogSegmentFile: Sendable {
    let path: String
    let fd: Int32
    /// Position of the segment's first record (also encoded in its name and header).
    let firstLSN: UInt64

    init(path: String, fd: Int32, firstLSN: UInt64) {
        self.path = path
        self.fd = fd
        self.firstLSN = firstLSN
    }

    deinit { FileIO.close(fd) }
}

#if canImport(Glibc)
import Glibc
#endif

extension LogSegmentFile {
    /// Creates the segment starting at `firstLSN` in `directory` atomically: the header goes to
    /// `<name>.seg.tmp`, is fsynced, the file is renamed to its final name and the directory is fsynced. So a
    /// segment file under its final name always has a valid header, and recovery can treat a bad header as
    /// damage rather than a torn creation.
    static func create(directory: String, firstLSN: UInt64) throws(IOFailure) -> LogSegmentFile {
        let path = directory + "/" + LogFrame.segmentFileName(firstLSN: firstLSN)
        let temporary = path + ".tmp"
        let fd = try FileIO.open(temporary, O_RDWR | O_CREAT | O_TRUNC, mode: 0o644)
        do {
            let header = LogFrame.segmentHeader(firstLSN: firstLSN)
            var result: Result<Void, IOFailure> = .success(())
            header.withUnsafeBytes { b in
                result = Result { () throws(IOFailure) in try FileIO.pwriteAll(fd, b, at: 0, path: temporary) }
            }
            try result.get()
            try FileIO.fdatasync(fd, path: temporary)
            try FileIO.rename(temporary, path)
            try FileIO.fsyncDirectory(directory)
        } catch {
            FileIO.close(fd)
            try? FileIO.unlink(temporary, missingOK: true)
            throw error
        }
        return LogSegmentFile(path: path, fd: fd, firstLSN: firstLSN)
    }
}
