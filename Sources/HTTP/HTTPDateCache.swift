#if canImport(Glibc)
import Glibc
#endif

/// The `date:` response field (RFC 9110 IMF-fixdate), formatted once per second per event loop.
struct HTTPDateCache {
    private(set) var field: [UInt8] = []
    private var second = -1

    private static let days: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Refreshes the field if the wall-clock second changed.
    mutating func update() {
        var t = time(nil)
        guard t != second else { return }
        second = t
        var tmv = tm()
        gmtime_r(&t, &tmv)
        var f: [UInt8] = Array("date: ".utf8)
        func two(_ v: Int32) { f.append(UInt8(v / 10) + 0x30); f.append(UInt8(v % 10) + 0x30) }
        func lit(_ s: StaticString) { f.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        lit(HTTPDateCache.days[Int(tmv.tm_wday) % 7]); lit(", ")
        two(tmv.tm_mday); f.append(0x20)
        lit(HTTPDateCache.months[Int(tmv.tm_mon) % 12]); f.append(0x20)
        f.append(contentsOf: String(tmv.tm_year + 1900).utf8); f.append(0x20)
        two(tmv.tm_hour); f.append(0x3a); two(tmv.tm_min); f.append(0x3a); two(tmv.tm_sec)
        lit(" GMT\r\n")
        field = f
    }
}
