import Glibc

/// The process's memory use as the kernel reports it, for metrics (`/metrics`, query-node metrics).
public enum ProcessMemory {
    /// Resident set size in bytes, from `/proc/self/statm` (resident pages × page size); 0 where that file
    /// cannot be read (not Linux, restricted /proc).
    public static func residentBytes() -> UInt64 {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 127) }
        guard n > 0 else { return 0 }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return 0 }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        return pages &* UInt64(max(0, pageSize))
    }
}
