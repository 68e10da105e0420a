import Glibc

/// Reads a file descriptor line by line (split on `\n`, a trailing `\r` dropped) as raw bytes, so invalid
/// UTF-8 can be reported with its line number instead of being repaired. A final line without a newline
/// counts; the empty remainder after a final newline does not.
struct LineReader {
    /// Longest line accepted: far more text than the model reads (256 tokens), small enough to hold.
    static let maxLineBytes = 1 << 20

    enum Failure: Error {
        case lineTooLong(line: Int)
        case readFailed(errno: Int32)
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// Number of lines returned so far (the next line's number is `lineNumber + 1`).
    private(set) var lineNumber = 0

    init(fd: Int32) { self.fd = fd }

    /// The next line's bytes, or nil at the end of input.
    mutating func next() throws(Failure) -> [UInt8]? {
        var scanFrom = start
        while true {
            if let nl = buffer[scanFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[start..<nl])
                start = nl + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                lineNumber += 1
                return line
            }
            guard buffer.count - start <= Self.maxLineBytes else { throw .lineTooLong(line: lineNumber + 1) }
            if atEnd {
                guard start < buffer.count else { return nil }
                var line = Array(buffer[start...])
                start = buffer.count
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                lineNumber += 1
                return line
            }
            // Compact, then read more.
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            scanFrom = buffer.count
            let chunk = 64 * 1024
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            var n: Int
            repeat {
                n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, chunk) }
            } while n < 0 && errno == EINTR
            if n < 0 {
                buffer.removeLast(chunk)
                throw .readFailed(errno: errno)
            }
            buffer.removeLast(chunk - n)
            if n == 0 { atEnd = true }
        }
    }
}
