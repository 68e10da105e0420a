import Glibc

/// Unbuffered writes to standard output and standard error through `write(2)`. Swift 6 rejects Glibc's
/// `stdout`/`stderr` globals, and `FileHandle.write(_:)` traps on EPIPE; these report failure instead.
enum StandardStreams {
    /// Writes `text` to standard output; false if it could not (e.g. the reader closed the pipe).
    @discardableResult
    static func output(_ text: String) -> Bool { writeAll(1, text) }

    /// Writes `line` and a newline to standard error.
    static func error(_ line: String) { _ = writeAll(2, line + "\n") }

    static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
