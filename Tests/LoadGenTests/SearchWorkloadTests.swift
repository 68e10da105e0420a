import Foundation
import HTTP
import JSON
import Net
import Testing
@testable import LoadGen

@Suite struct SearchWorkloadTests {
    let target = LoadTarget(address: try! SocketAddress(host: "127.0.0.1", port: 9))

    /// The JSON body of request bytes (after the blank line).
    static func body(_ request: [UInt8]) throws -> JSONValue {
        let text = String(decoding: request, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        return try JSONValue.parse(parts[1])
    }

    @Test func milvusBodiesCarryVectorLimitAndEf() throws {
        let w = try SearchWorkload.milvusVectors(target: target, collection: "pypi", vectors: [0.5, -1, 2, 0.25], dimension: 2,
                                                 topK: 7, ef: 64)
        #expect(w.count == 2 && w.api == .milvus)
        let head = String(decoding: w.request(0), as: UTF8.self)
        #expect(head.hasPrefix("POST /v2/vectordb/entities/search HTTP/1.1\r\n"))
        let b = try Self.body(w.request(3))            // wraps to query 1
        #expect(b["collectionName"] == "pypi")
        #expect(b["data"]?[0]?.floatArray() == [2, 0.25])
        #expect(b["limit"] == 7)
        #expect(b["searchParams"]?["params"]?["ef"] == 64)
        let noEf = try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: [1], dimension: 1, topK: 1, ef: nil)
        #expect(try Self.body(noEf.request(0))["searchParams"] == nil)
    }

    @Test func seedBodiesCarryTextTopKAndCollection() throws {
        let w = try SearchWorkload.seedTexts(target: target, collection: "pypi", texts: ["fast \"json\" parser", "http"], topK: 5)
        #expect(String(decoding: w.request(0), as: UTF8.self).hasPrefix("POST /search HTTP/1.1\r\n"))
        let b = try Self.body(w.request(0))
        #expect(b == ["query": "fast \"json\" parser", "top_k": 5, "collection": "pypi"])
    }

    @Test func invalidWorkloadsThrow() {
        #expect(throws: LoadError.self) { try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: [1, 2, 3], dimension: 2, topK: 1, ef: nil) }
        #expect(throws: LoadError.self) { try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: [.nan], dimension: 1, topK: 1, ef: nil) }
        #expect(throws: LoadError.self) { try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: [1], dimension: 1, topK: 0, ef: nil) }
        #expect(throws: LoadError.self) { try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: [1], dimension: 1, topK: 1, ef: 0) }
        #expect(throws: LoadError.self) { try SearchWorkload.milvusVectors(target: target, collection: "", vectors: [1], dimension: 1, topK: 1, ef: nil) }
        #expect(throws: LoadError.self) { try SearchWorkload.seedTexts(target: target, collection: "c", texts: [], topK: 1) }
        #expect(throws: LoadError.self) { try SearchWorkload.seedTexts(target: target, collection: "c", texts: ["a", ""], topK: 1) }
    }

    @Test func milvusRepliesAreCheckedAndIdsCollected() throws {
        let w = try SearchWorkload.milvusVectors(target: target, collection: "c", vectors: [1], dimension: 1, topK: 3, ef: nil)
        var ids: [Int64] = []
        func reply(_ s: String, status: Int = 200) -> HTTPClientReply { HTTPClientReply(status: status, headers: [], body: Array(s.utf8), keepAlive: true) }
        #expect(w.check(reply(#"{"code":0,"cost":0,"data":[{"distance":0.1,"id":7,"title":"x"},{"id":3,"distance":0.2}]}"#), ids: &ids) == nil)
        #expect(ids == [7, 3])
        #expect(w.check(reply(#"{"code":0,"data":[[{"id":1}],[{"id":2},{"id":4}]],"topks":[1,2]}"#), ids: &ids) == nil)
        #expect(ids == [1, 2, 4])
        #expect(w.check(reply(#"{"code":0,"data":[{"id":"pk-str"}]}"#), ids: &ids) == nil)
        #expect(ids.isEmpty)
        #expect(w.check(reply(#"{"code":1100,"message":"collection not found"}"#), ids: &ids) == .envelope(code: 1100))
        #expect(w.check(reply(#"{"error":"busy"}"#, status: 503), ids: &ids) == .http(status: 503))
        #expect(w.check(reply(#"{"data":[]}"#), ids: &ids) == .malformed)
        #expect(w.check(reply(#"{"code":"0"}"#), ids: &ids) == .malformed)
        #expect(w.check(reply(#"[1,2]"#), ids: &ids) == .malformed)
        #expect(w.check(reply("not json"), ids: &ids) == .malformed)
    }

    @Test func seedRepliesAreCheckedAndIdsCollected() throws {
        let w = try SearchWorkload.seedTexts(target: target, collection: "c", texts: ["q"], topK: 3)
        var ids: [Int64] = []
        let ok = HTTPClientReply(status: 200, headers: [], body: Array(#"{"collection":"c","results":[{"id":5,"score":0.9,"fields":{"id":99}},{"id":6,"score":0.8}]}"#.utf8), keepAlive: true)
        #expect(w.check(ok, ids: &ids) == nil)
        #expect(ids == [5, 6])
        #expect(w.check(HTTPClientReply(status: 200, headers: [], body: Array(#"{"collection":"c"}"#.utf8), keepAlive: true), ids: &ids) == .malformed)
        #expect(w.check(HTTPClientReply(status: 400, headers: [], body: Array(#"{"error":"bad"}"#.utf8), keepAlive: true), ids: &ids) == .http(status: 400))
    }
}
