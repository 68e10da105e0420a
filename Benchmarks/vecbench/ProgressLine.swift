import Foundation
import Synchronization

/// The stderr progress line of long runs. On a terminal each line overwrites the previous one (`\r`, clear to
/// end of line) and `finish()` ends it with a newline; otherwise (a file, a pipe, CI) every update is a plain
/// line, so logs stay readable.
final class ProgressLine: Sendable {
    /// Whether stderr is a terminal.
    let isTerminal: Bool
    private let open = Mutex(false)

    init() { isTerminal = isatty(STDERR_FILENO) == 1 }

    /// Seconds between updates when the user gave none: 1 s on a terminal (cheap to overwrite), 5 s otherwise.
    var defaultInterval: Double { isTerminal ? 1 : 5 }

    /// Shows `line` (no newline in it).
    func update(_ line: String) {
        open.withLock { isOpen in
            if isTerminal {
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                isOpen = true
            } else {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    /// Ends an overwritten line so the next output starts on a fresh line.
    func finish() {
        open.withLock { isOpen in
            if isOpen { FileHandle.standardError.write(Data("\n".utf8)) }
            isOpen = false
        }
    }

    /// Writes a whole line (ending any overwritten one first).
    func note(_ line: String) {
        finish()
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
