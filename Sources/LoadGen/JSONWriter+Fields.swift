import JSON

/// `"key": value` shorthands for the reports: absent and non-finite numbers are written as `null`, so every key
/// is always present.
extension JSONWriter {
    mutating func field(_ key: String, _ value: Double?) {
        self.key(key)
        if let value, value.isFinite { try? write(value) } else { writeNull() }
    }

    mutating func field(_ key: String, _ value: UInt64) {
        self.key(key)
        write(Int64(clamping: value))
    }

    mutating func field(_ key: String, _ value: Int?) {
        self.key(key)
        if let value { write(value) } else { writeNull() }
    }

    mutating func field(_ key: String, _ value: String?) {
        self.key(key)
        if let value { write(value) } else { writeNull() }
    }

    mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        write(value)
    }

    /// Nanoseconds as milliseconds rounded to the microsecond (null when absent).
    mutating func milliseconds(_ key: String, _ ns: UInt64?) {
        field(key, ns.map { (Double($0) / 1e3).rounded() / 1e3 })
    }
}
