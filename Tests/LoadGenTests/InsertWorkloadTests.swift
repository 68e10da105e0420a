import HTTP
import JSON
import Net
import Testing
@testable import LoadGen

@Suite struct InsertWorkloadTests {
    let target = LoadTarget(address: try! SocketAddress(host: "127.0.0.1", port: 9))

    static func body(_ request: [UInt8]) throws -> JSONValue {
        let bytes = request
        var i = 0
        while !(bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10) { i += 1 }
        return try JSONValue.parse(Array(bytes[(i + 4)...]))
    }

    @Test func batchesCycleVectorsWithIdsFromTheStart() throws {
        let w = try InsertWorkload(target: target, collection: "pypi", vectors: [1, 2, 3, 4, 5, 6], dimension: 2, firstID: 500)
        let request = w.request(first: 2, count: 3)
        #expect(String(decoding: request.prefix(60), as: UTF8.self).hasPrefix("POST /v2/vectordb/entities/insert HTTP/1.1\r\n"))
        let b = try Self.body(request)
        #expect(b["collectionName"] == "pypi")
        #expect(b["data"] == [["id": 502, "vector": [5.0, 6.0]], ["id": 503, "vector": [1.0, 2.0]], ["id": 504, "vector": [3.0, 4.0]]])
    }

    @Test func autoIDCustomFieldNamesAndExtraFields() throws {
        let w = try InsertWorkload(target: target, collection: "c", vectors: [0.5], dimension: 1, vectorField: "emb", idField: "pk", autoID: true)
        #expect(try Self.body(w.request(first: 0, count: 1))["data"] == [["emb": [0.5]]])
        let x = try InsertWorkload(target: target, collection: "c", vectors: [0.5], dimension: 1, firstID: 7,
                                   extraFields: ["bucket": 3, "tag": "load"])
        #expect(try Self.body(x.request(first: 0, count: 1))["data"] == [["id": 7, "vector": [0.5], "bucket": 3, "tag": "load"]])
        #expect(throws: LoadError.self) {
            try InsertWorkload(target: target, collection: "c", vectors: [0.5], dimension: 1, extraFields: ["vector": 1])
        }
    }

    @Test func repliesAndInvalidStreams() throws {
        let w = try InsertWorkload(target: target, collection: "c", vectors: [1], dimension: 1)
        #expect(w.check(HTTPClientReply(status: 200, headers: [], body: Array(#"{"code":0,"data":{"insertCount":1}}"#.utf8), keepAlive: true)) == nil)
        #expect(w.check(HTTPClientReply(status: 200, headers: [], body: Array(#"{"code":65535,"message":"x"}"#.utf8), keepAlive: true)) == .envelope(code: 65535))
        #expect(w.check(HTTPClientReply(status: 500, headers: [], body: [], keepAlive: true)) == .http(status: 500))
        #expect(throws: LoadError.self) { try InsertWorkload(target: target, collection: "", vectors: [1], dimension: 1) }
        #expect(throws: LoadError.self) { try InsertWorkload(target: target, collection: "c", vectors: [.infinity], dimension: 1) }
        #expect(throws: LoadError.self) { try InsertWorkload(target: target, collection: "c", vectors: [1, 2, 3], dimension: 2) }
        #expect(throws: LoadError.self) { try InsertWorkload(target: target, collection: "c", vectors: [1], dimension: 1, firstID: -1) }
    }
}
