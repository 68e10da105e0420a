import Glibc

/// Names the calling OS thread (the kernel keeps the first 15 bytes), as `top -H`, `ps -L` and
/// /proc/<pid>/task/<tid>/comm show it.
func setCurrentThreadName(_ name: String) {
    // prctl(PR_SET_NAME) is variadic in C and not imported; /proc/thread-self/comm is the same setting.
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

/// The kernel's name of the calling OS thread (see `setCurrentThreadName`); empty if it cannot be read.
public func currentThreadName() -> String {
    let fd = open("/proc/thread-self/comm", O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 32)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return "" }
    var bytes = buffer[0..<n]
    if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
    return String(decoding: bytes, as: UTF8.self)
}
