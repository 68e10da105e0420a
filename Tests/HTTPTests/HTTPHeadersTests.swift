import Testing
@testable import HTTP

@Suite struct HTTPHeadersTests {
    @Test func caseInsensitiveLookupAndOrder() {
        var h: HTTPHeaders = ["Content-Type": "application/json"]
        h.add(name: "X-A", value: "1")
        h.add(name: "x-a", value: " 2 ")
        #expect(h["content-type"] == "application/json")
        #expect(h["CONTENT-TYPE"] == "application/json")
        #expect(h.values(for: "X-a") == ["1", "2"])
        #expect(h.count == 3)
        h.set(name: "X-A", value: "3")
        #expect(h.values(for: "x-a") == ["3"])
        h.remove(name: "content-type")
        #expect(!h.contains("Content-Type"))
        #expect(Array(h).map(\.name) == ["X-A"])
    }

    @Test func tokenCharactersAreNotFoldedTogether() {
        let h: HTTPHeaders = ["a^b": "1"]
        #expect(h["a~b"] == nil)
        #expect(h["A^B"] == "1")
    }

    @Test func valuesCannotInjectLines() {
        var h = HTTPHeaders()
        h.add(name: "X", value: "a\r\nSet-Cookie: evil")
        #expect(h["x"] == "a  Set-Cookie: evil")
        #expect(h.count == 1)
    }
}
