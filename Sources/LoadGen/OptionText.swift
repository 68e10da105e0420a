/// Parsers for command-line option values shared by `vecbench load` and `vecbench compare`; each failure is a
/// `LoadError.invalidConfiguration` naming the flag, what was given and what is expected.
public enum OptionText {
    /// `30s`, `500ms`, `2m`, `1h`, or plain seconds (`1.5`); must be > 0 (≥ 0 with `allowZero`) and ≤ 24 h.
    public static func duration(_ text: String, flag: String, allowZero: Bool = false) throws(LoadError) -> Double {
        var number = Substring(text), scale = 1.0
        if text.hasSuffix("ms") { number = text.dropLast(2); scale = 0.001 }
        else if text.hasSuffix("s") { number = text.dropLast() }
        else if text.hasSuffix("m") { number = text.dropLast(); scale = 60 }
        else if text.hasSuffix("h") { number = text.dropLast(); scale = 3_600 }
        guard let v = Double(number), v.isFinite, allowZero ? v >= 0 : v > 0, v * scale <= 86_400 else {
            throw .invalidConfiguration("\(flag) expects a duration like 30s, 500ms or 2m, got '\(text)'")
        }
        return v * scale
    }

    /// An integer in `range`.
    public static func integer(_ text: String, flag: String, in range: ClosedRange<Int>) throws(LoadError) -> Int {
        guard let n = Int(text) else { throw .invalidConfiguration("\(flag) expects an integer, got '\(text)'") }
        guard range.contains(n) else {
            throw .invalidConfiguration("\(flag) must be in \(range.lowerBound)…\(range.upperBound), got \(n)")
        }
        return n
    }

    /// Comma-separated integers, each in `range`, at least one; returned sorted without duplicates.
    public static func integerList(_ text: String, flag: String, in range: ClosedRange<Int>) throws(LoadError) -> [Int] {
        var out: [Int] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let t = piece.trimmingASCIISpaces
            guard let n = Int(t) else { throw .invalidConfiguration("\(flag) expects comma-separated integers, got '\(text)'") }
            guard range.contains(n) else {
                throw .invalidConfiguration("\(flag) values must be in \(range.lowerBound)…\(range.upperBound), got \(n)")
            }
            out.append(n)
        }
        return Array(Set(out)).sorted()
    }
}

extension Substring {
    var trimmingASCIISpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
