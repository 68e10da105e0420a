/// A streaming JSON serializer into a reusable byte buffer, for hot paths that answer without building a
/// `JSONValue` tree (and the engine behind `JSONValue.serialized()`).
///
/// Output is compact (no whitespace). Commas are inserted automatically: call `beginObject()`, then
/// `key(_:)` before each member value, `endObject()`; arrays likewise. Strings escape `"`, `\` and
/// control characters (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00XX`); other UTF-8 is written as is.
/// NaN and infinity throw `JSONError(.nonFiniteNumber)` — JSON has no spelling for them.
/// Doubles use Swift's shortest round-trip form, so they parse back to the same value.
public struct JSONWriter {
    /// The bytes written so far.
    public var bytes: [UInt8]
    private var needsComma: [Bool] = []
    private var afterKey = false

    /// Creates a writer, optionally reusing `buffer`'s capacity (its contents are discarded).
    public init(reusing buffer: [UInt8] = []) {
        bytes = buffer
        bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always) private mutating func separate() {
        if afterKey { afterKey = false; return }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
        }
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// Writes an object key; the next write is its value.
    public mutating func key(_ k: String) {
        separate()
        writeEscaped(k)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func writeNull() { separate(); bytes.append(contentsOf: [0x6e, 0x75, 0x6c, 0x6c]) }

    public mutating func write(_ b: Bool) {
        separate()
        if b { bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { bytes.append(contentsOf: [0x66, 0x61, 0x6c, 0x73, 0x65]) }
    }

    /// Writes an integer exactly (no conversion through Double).
    public mutating func write(_ i: Int64) {
        separate()
        var v = i.magnitude
        if i < 0 { bytes.append(UInt8(ascii: "-")) }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes of stack for ≤ 20 digits
        withUnsafeMutableBytes(of: &tmp) { buf in
            var n = 0
            repeat {
                buf[23 - n] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                n += 1
            } while v > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(24 - n)...]))
        }
    }

    public mutating func write(_ i: Int) { write(Int64(i)) }

    /// Writes a Double in shortest round-trip form.
    /// - Throws: `JSONError(.nonFiniteNumber)` for NaN or ±infinity.
    public mutating func write(_ d: Double) throws {
        guard d.isFinite else { throw JSONError(.nonFiniteNumber, at: 0) }
        separate()
        var s = d.description
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Writes a Float in its own shortest round-trip form (`0.1`, not `0.10000000149011612`).
    /// - Throws: `JSONError(.nonFiniteNumber)` for NaN or ±infinity.
    public mutating func write(_ f: Float) throws {
        guard f.isFinite else { throw JSONError(.nonFiniteNumber, at: 0) }
        separate()
        var s = f.description
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ s: String) { separate(); writeEscaped(s) }

    /// Writes a whole `JSONValue`.
    public mutating func write(_ v: JSONValue) throws {
        switch v {
        case .null: writeNull()
        case .bool(let b): write(b)
        case .int(let i): write(i)
        case .double(let d): try write(d)
        case .string(let s): write(s)
        case .array(let a):
            beginArray()
            for e in a { try write(e) }
            endArray()
        case .object(let o):
            beginObject()
            for m in o { key(m.key); try write(m.value) }
            endObject()
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeEscaped(_ s: String) {
        var s = s
        bytes.append(UInt8(ascii: "\""))
        s.withUTF8 { u in
            var runStart = 0
            for i in 0..<u.count {
                let b = u[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i])) }
                runStart = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
                case 0x0a: bytes.append(UInt8(ascii: "n"))
                case 0x0d: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0c: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, JSONWriter.hex[Int(b >> 4)], JSONWriter.hex[Int(b & 15)]])
                }
            }
            if runStart < u.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
