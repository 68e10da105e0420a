import API
import APIConformance
import JSON
import Testing
import TestSupport

/// Bounded fuzzing of the API routes over a live server: random JSON trees, mutated valid bodies (byte
/// flips, truncation, splices, key case changes, huge numbers) to every Milvus endpoint and to the seed's
/// `/search`. Every reply must be a well-formed envelope (Milvus: HTTP 200 with an integer code; seed:
/// 200 with results or 4xx with `error`), and the server must stay healthy. Fixed seed.
@Suite(.serialized) struct MilvusRESTFuzzTests {
    static let seed: UInt64 = 0xA11_F0CC_5EED
    static let iterations = 3_000

    static let validBodies: [String] = [
        MilvusEndpointCases.quickSetup, MilvusEndpointCases.customSetup, MilvusEndpointCases.insertBody,
        #"{"collectionName": "quick_setup", "data": [[0.1, 0.2, 0.3, 0.4, 0.5]], "annsField": "vector", "filter": "likes > 5", "limit": 3, "outputFields": ["color"], "searchParams": {"metricType": "COSINE", "params": {"ef": 64, "radius": 0.1, "range_filter": 0.9}}, "groupingField": "color", "groupSize": 2}"#,
        #"{"collectionName": "quick_setup", "filter": "id in [1, 2, 9007199254740993]", "outputFields": ["count(*)"], "limit": 10, "offset": 1}"#,
        #"{"collectionName": "quick_setup", "id": [1, 2], "outputFields": ["*"]}"#,
        #"{"collectionName": "quick_setup", "indexParams": [{"fieldName": "vector", "metricType": "L2", "params": {"index_type": "HNSW", "M": 8}}]}"#,
        #"{"collectionName": "quick_setup", "partitionName": "p1", "partitionNames": ["p1"], "aliasName": "a1", "newCollectionName": "qs"}"#,
        #"{"userName": "bob", "password": "secret123", "newPassword": "secret456"}"#,
        #"{"vector": [1, 0, 0, 0, 0], "top_k": 3, "collection": "quick_setup", "filter": "likes > 1"}"#,
        #"{"query": "hello", "top_k": 5}"#,
    ]

    static func randomJSON(_ rng: inout SplitMix64, depth: Int = 0) -> String {
        let keys = ["collectionName", "COLLECTIONNAME", "data", "dimension", "limit", "offset", "filter", "id", "schema",
                    "fields", "searchParams", "params", "indexParams", "outputFields", "partitionNames", "vector", "top_k", "query", "dbName"]
        switch rng.next() % (depth > 3 ? 6 : 9) {
        case 0: return "null"
        case 1: return rng.next() % 2 == 0 ? "true" : "false"
        case 2: return String(Int64(bitPattern: rng.next()) >> (rng.next() % 64))
        case 3: return ["1e308", "-0.0", "3.5", "1e-320", "16385", "-1", "0", "32769", "9007199254740993"][Int(rng.next() % 9)]
        case 4: return ["\"quick_setup\"", "\"\"", "\"FloatVector\"", "\"id > 1\"", "\"count(*)\"", "\"\\u00e9\\n\"", "\"5\""][Int(rng.next() % 7)]
        case 5: return "[" + (0..<Int(rng.next() % 6)).map { _ in String(Float(Int(rng.next() % 2000)) / 1000 - 1) }.joined(separator: ",") + "]"
        case 6, 7: return "[" + (0..<Int(rng.next() % 4)).map { _ in randomJSON(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            var seen = Set<String>()
            let members = (0..<Int(rng.next() % 6)).compactMap { _ -> String? in
                let k = keys[Int(rng.next() % UInt64(keys.count))]
                guard seen.insert(k).inserted else { return nil }
                return "\"\(k)\":" + randomJSON(&rng, depth: depth + 1)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    static func mutate(_ body: String, _ rng: inout SplitMix64) -> [UInt8] {
        var b = Array(body.utf8)
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !b.isEmpty else { break }
            let i = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 6 {
            case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b.removeSubrange(i...)
            case 2: b.insert(contentsOf: Array(["[", "{", "\"", ",", "-", "e", "99999999999999999999", "\\u0000", "null"][Int(rng.next() % 9)].utf8), at: i)
            case 3: b.remove(at: i)
            case 4: if b[i] >= 97 && b[i] <= 122 { b[i] -= 32 }
            default:
                let j = Int(rng.next() % UInt64(b.count))
                b.insert(contentsOf: b[min(i, j)..<min(max(i, j), min(i, j) + 64)], at: i)
            }
        }
        return b
    }

    @Test func randomAndMutatedBodies() async throws {
        try await withAPIServer(defaultCollection: "quick_setup") { (s: APITestServer) async throws in
            #expect(try s.milvus("collections/create", MilvusEndpointCases.quickSetup).code == 0)
            #expect(try s.milvus("entities/insert", MilvusEndpointCases.insertBody).code == 0)
            var rng = SplitMix64(seed: Self.seed)
            let paths = MilvusRESTRoutes.paths + ["/search"]
            for _ in 0..<Self.iterations {
                let path = paths[Int(rng.next() % UInt64(paths.count))]
                let body: [UInt8] = rng.next() % 3 == 0
                    ? Array(Self.randomJSON(&rng).utf8)
                    : Self.mutate(Self.validBodies[Int(rng.next() % UInt64(Self.validBodies.count))], &rng)
                if path == "/search" {
                    let r = try s.request("POST", path, body: body)
                    // 503 only for "collection not loaded" (a fuzzed body may have released it).
                    let v = try JSONValue.parse(r.body)
                    #expect([200, 400, 404].contains(r.status) || (r.status == 503 && v["code"] == 101),
                            "\(r.status) for \(String(decoding: body, as: UTF8.self))")
                    if r.status == 200 { #expect(v["results"]?.arrayValue != nil) } else { #expect(v["error"]?.stringValue != nil) }
                } else {
                    _ = try s.milvus(path, bytes: body)
                }
            }
            #expect(try s.request("GET", "/health").status == 200)
            #expect(try s.milvus("collections/list", "{}").code == 0)
        }
    }
}
