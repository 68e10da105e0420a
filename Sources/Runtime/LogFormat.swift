import Glibc

/// The logfmt encoding of one log event (see `Logger`). Separate from `Logger` so the format is testable with
/// a fixed clock.
///
/// Quoting (logfmt): a value is written bare unless it is empty or contains a space, `=`, `"`, `\` or a
/// control character (C0, DEL, C1, U+2028/U+2029); then it is written in double quotes with `"` → `\"`,
/// `\` → `\\`, newline → `\n`, carriage return → `\r`, tab → `\t`, and other control characters →
/// `\uXXXX`. An event is therefore always exactly one line. Keys may only contain characters above U+0020 other than `=` and `"`;
/// anything else in a key is replaced by `_` (an empty key becomes `_`).
public enum LogFormat {
    /// Wall-clock time as seconds and milliseconds since the Unix epoch.
    public struct Timestamp: Sendable, Equatable {
        public var seconds: Int
        public var milliseconds: Int
        public init(seconds: Int, milliseconds: Int) {
            self.seconds = seconds
            self.milliseconds = milliseconds
        }
    }

    /// The current wall-clock time (CLOCK_REALTIME).
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int(ts.tv_sec), milliseconds: Int(ts.tv_nsec) / 1_000_000)
    }

    /// `2026-11-28T09:48:50.123Z`: RFC 3339, UTC, millisecond precision.
    public static func rfc3339(_ t: Timestamp) -> String {
        var time = time_t(t.seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var s = ""
        s.reserveCapacity(24)
        appendPadded(&s, Int(parts.tm_year) + 1900, 4); s += "-"
        appendPadded(&s, Int(parts.tm_mon) + 1, 2); s += "-"
        appendPadded(&s, Int(parts.tm_mday), 2); s += "T"
        appendPadded(&s, Int(parts.tm_hour), 2); s += ":"
        appendPadded(&s, Int(parts.tm_min), 2); s += ":"
        appendPadded(&s, Int(parts.tm_sec), 2); s += "."
        appendPadded(&s, t.milliseconds, 3); s += "Z"
        return s
    }

    private static func appendPadded(_ s: inout String, _ value: Int, _ width: Int) {
        let digits = String(value)
        if digits.count < width { s += String(repeating: "0", count: width - digits.count) }
        s += digits
    }

    /// One complete line, newline included.
    public static func line(time: Timestamp, level: LogLevel, role: String, nodeID: String, message: String,
                            fields: KeyValuePairs<String, Any>) -> String {
        var s = "ts="
        s.reserveCapacity(96 + message.utf8.count)
        s += rfc3339(time)
        s += " level="; s += level.name
        s += " role="; appendValue(&s, role)
        s += " node="; appendValue(&s, nodeID)
        s += " msg="; appendValue(&s, message)
        for (key, value) in fields {
            s += " "
            appendKey(&s, key)
            s += "="
            appendValue(&s, String(describing: value))
        }
        s += "\n"
        return s
    }

    /// Appends `value`, quoted and escaped only if logfmt requires it.
    public static func appendValue(_ s: inout String, _ value: String) {
        guard needsQuoting(value) else {
            s += value
            return
        }
        s += "\""
        for u in value.unicodeScalars {
            switch u {
            case "\"": s += "\\\""
            case "\\": s += "\\\\"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            default:
                if isControl(u) {
                    s += "\\u"
                    let hex = String(u.value, radix: 16)
                    s += String(repeating: "0", count: 4 - hex.count)
                    s += hex
                } else {
                    s.unicodeScalars.append(u)
                }
            }
        }
        s += "\""
    }

    static func needsQuoting(_ value: String) -> Bool {
        if value.isEmpty { return true }
        for b in value.utf8 where b <= 0x20 || b == 0x7F || b == UInt8(ascii: "=") || b == UInt8(ascii: "\"")
            || b == UInt8(ascii: "\\") {
            return true
        }
        // Non-ASCII control characters (C1, line/paragraph separators) are rare: only look for them when the
        // value has non-ASCII bytes at all.
        if value.utf8.contains(where: { $0 >= 0x80 }) { return value.unicodeScalars.contains(where: isControl) }
        return false
    }

    /// Characters escaped inside quotes: C0 controls, DEL, C1 controls, and the Unicode line and paragraph
    /// separators (which some tools treat as line breaks).
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }

    /// Appends `key` with every character logfmt does not allow in a key replaced by `_`.
    public static func appendKey(_ s: inout String, _ key: String) {
        if key.isEmpty {
            s += "_"
            return
        }
        for u in key.unicodeScalars {
            if u.value <= 0x20 || u.value == 0x7F || u == "=" || u == "\"" || u == "\\" {
                s += "_"
            } else {
                s.unicodeScalars.append(u)
            }
        }
    }
}
