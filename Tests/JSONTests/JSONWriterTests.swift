import TestSupport
import Testing
import JSON

@Suite struct JSONWriterTests {
    @Test func escapes() throws {
        let v: JSONValue = .string("q\" b\\ n\n r\r t\t \u{08}\u{0c}\u{01}\u{1f} é 😀 /")
        let s = try v.serializedString()
        #expect(s == #""q\" b\\ n\n r\r t\t \b\f\u0001\u001f é 😀 /""#)
        #expect(try JSONValue.parse(s) == v)
    }

    @Test func nonFiniteNumbersAreErrors() {
        #expect(throws: JSONError(.nonFiniteNumber, at: 0)) { try JSONValue.double(.nan).serialized() }
        #expect(throws: JSONError(.nonFiniteNumber, at: 0)) { try JSONValue.array([.double(.infinity)]).serialized() }
        var w = JSONWriter()
        #expect(throws: JSONError.self) { try w.write(-Float.infinity) }
    }

    @Test func streamingWriterMatchesTree() throws {
        var w = JSONWriter()
        w.beginObject()
        w.key("code"); w.write(0)
        w.key("data"); w.beginArray()
        for i in 0..<2 {
            w.beginObject()
            w.key("id"); w.write(Int64(448_300_048_035_776_800 + i))
            w.key("distance"); try w.write(Float(0.1) * Float(i + 1))
            w.key("ok"); w.write(i == 0)
            w.key("n"); w.writeNull()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        let s = String(decoding: w.bytes, as: UTF8.self)
        #expect(s == #"{"code":0,"data":[{"id":448300048035776800,"distance":0.1,"ok":true,"n":null},{"id":448300048035776801,"distance":0.2,"ok":false,"n":null}]}"#)
        #expect(try JSONValue.parse(w.bytes)["data"]?[1]?["id"] == .int(448_300_048_035_776_801))
    }

    @Test func seededRandomTreesRoundTrip() throws {
        var rng = SplitMix64(seed: 7)
        func random(_ depth: Int) -> JSONValue {
            switch rng.next() % (depth > 3 ? 5 : 7) {
            case 0: return .null
            case 1: return .bool(rng.next() & 1 == 0)
            case 2: return .int(Int64(bitPattern: rng.next()))
            case 3:
                let d = Double(bitPattern: rng.next())
                return d.isFinite ? .double(d) : .double(0.5)
            case 4: return .string(String((0..<(rng.next() % 8)).map { _ in Character(Unicode.Scalar(UInt8(rng.next() % 128))) }))
            case 5: return .array((0..<(rng.next() % 5)).map { _ in random(depth + 1) })
            default:
                var o = JSONObject()
                for i in 0..<(rng.next() % 5) { o.append("k\(i)", random(depth + 1)) }
                return .object(o)
            }
        }
        for _ in 0..<500 {
            let v = random(0)
            #expect(try JSONValue.parse(try v.serialized()) == v, "seed 7")
        }
    }
}
