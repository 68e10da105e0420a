import Testing
import JSON

@Suite struct JSONValueTests {
    @Test func caseInsensitiveLookup() throws {
        let v = try JSONValue.parse(#"{"CollectionName": "a", "collectionname": "b", "Limit": 3}"#)
        #expect(v.value(forKeyIgnoringCase: "collectionName") == "a")      // first case-insensitive match
        #expect(v.value(forKeyIgnoringCase: "collectionname") == "b")      // exact match wins
        #expect(v.value(forKeyIgnoringCase: "LIMIT")?.int64Value == 3)
        #expect(v.value(forKeyIgnoringCase: "limits") == nil)
        #expect(v["limit"] == nil)
        #expect(JSONValue.int(1).value(forKeyIgnoringCase: "a") == nil)
    }

    @Test func accessors() {
        let v: JSONValue = ["ids": [1, 2], "f": 1.5, "s": "x", "b": true, "n": nil, "v": [0.5, 1]]
        #expect(v["ids"]?[1]?.int64Value == 2)
        #expect(v["ids"]?[2] == nil)
        #expect(v["f"]?.doubleValue == 1.5 && v["f"]?.int64Value == nil)
        #expect(v["s"]?.stringValue == "x" && v["b"]?.boolValue == true && v["n"]?.isNull == true)
        #expect(v["v"]?.floatArray() == [0.5, 1])
        #expect(v["ids"]?.floatArray() == [1, 2])
        #expect(v["s"]?.floatArray() == nil)
        var o = JSONObject()
        o["a"] = 1
        o["b"] = 2
        o["a"] = 3
        o["b"] = nil
        #expect(o == ["a": 3])
    }
}
