@testable import API
import JSON
import Testing

struct MilvusBodyTests {
    func body(_ s: String, vectorKey: String? = nil) throws -> MilvusBody {
        try MilvusBody(Array(s.utf8), vectorKey: vectorKey)
    }

    @Test func lookupIgnoresCaseAndExactMatchWins() throws {
        let b = try body(#"{"COLLECTIONNAME": "upper", "collectionName": "exact", "Limit": "7", "flag": "true", "n": null}"#)
        #expect(try b.requiredString("collectionName") == "exact")
        #expect(try b.int("limit") == 7)
        #expect(try b.bool("FLAG") == true)
        #expect(b.value("n") == nil)
        #expect(try b.database() == "default")
    }

    @Test func typedGettersUseMilvusCodes() throws {
        let b = try body(#"{"name": 5, "limit": 1.5, "list": ["a", 1], "empty": ""}"#)
        #expect(throws: APIError.invalidParameter("name must be a string")) { try b.string("name") }
        #expect((try? b.int("limit")) == nil)
        #expect(throws: APIError.self) { try b.stringArray("list") }
        #expect(throws: APIError.missingParameter("empty")) { try b.requiredString("empty") }
        #expect(throws: APIError.missingParameter("absent")) { try b.requiredString("absent") }
    }

    @Test func malformedBodiesAre1801() {
        for text in [#"{"a": 1"#, "[]", "1", #"{"a": 1, "a": 2}"#, "{} x", "\u{FEFF}{}"] {
            #expect(throws: APIError.self, "\(text)") { _ = try body(text) }
            do { _ = try body(text) } catch { #expect((error as? APIError)?.code == 1801, "\(text)") }
        }
        #expect(throws: Never.self) { _ = try body("  \n") }  // empty body = {}
    }

    @Test func vectorsTakeTheFlatPath() throws {
        let b = try body(#"{"data": [[1, 2.5, -3e-2], [4, 5, 6]], "limit": 3}"#, vectorKey: "data")
        #expect(b.hasVectors && b.vectorCount == 2 && b.vectorDimension == 3)
        #expect(b.vectors == [1, 2.5, -0.03, 4, 5, 6])
        #expect(b.value("data") == nil)
        #expect(try b.int("limit") == 3)
        // Texts and other shapes fall back to the tree.
        let t = try body(#"{"data": ["hello", "world"]}"#, vectorKey: "data")
        #expect(!t.hasVectors && t.value("data") == ["hello", "world"])
        let mixed = try body(#"{"data": [[1, "x"]]}"#, vectorKey: "data")
        #expect(!mixed.hasVectors && mixed.value("data") == [[1, "x"]])
        #expect(throws: APIError.self) { _ = try body(#"{"data": [[1, 2], [3]]}"#, vectorKey: "data") }
        #expect(throws: APIError.self) { _ = try body(#"{"data": [[1, 2]], "data": [[3, 4]]}"#, vectorKey: "data") }
        #expect(throws: APIError.self) { _ = try body(#"{"data": [[1, 1e39]]}"#, vectorKey: "data") }  // beyond Float
    }

    @Test func primaryKeysStayExact() throws {
        #expect(try MilvusBody.primaryKeys(.int(9_007_199_254_740_993), name: "id") == [.int(9_007_199_254_740_993)])
        #expect(try MilvusBody.primaryKeys(["a", 2], name: "id") == [.string("a"), .int(2)])
        #expect(throws: APIError.self) { try MilvusBody.primaryKeys([1.5], name: "id") }
    }
}
