import Testing
@testable import Shard

@Suite struct IndexSpecTests {
    @Test func parameterRanges() throws {
        try IndexSpec(fieldName: "v", kind: .flat, metric: .l2).validate()
        try IndexSpec(fieldName: "v", kind: .hnsw(m: 2, efConstruction: 1), metric: .innerProduct).validate()
        try IndexSpec(fieldName: "v", kind: .hnsw(m: 2048, efConstruction: Int(Int32.max)), metric: .cosine).validate()
        #expect(throws: SchemaError.invalid(field: "v", reason: "HNSW M 2049 is out of range 2…2048")) {
            try IndexSpec(fieldName: "v", kind: .hnsw(m: 2049, efConstruction: 100), metric: .l2).validate()
        }
        #expect(throws: SchemaError.invalid(field: "v", reason: "HNSW efConstruction 0 is out of range 1…2147483647")) {
            try IndexSpec(fieldName: "v", kind: .hnsw(m: 16, efConstruction: 0), metric: .l2).validate()
        }
    }

    @Test func encodingRoundTripsAndRejectsDamage() throws {
        for spec in [
            IndexSpec(fieldName: "v", kind: .flat, metric: .cosine),
            IndexSpec(fieldName: "embedding", kind: .hnsw(m: 32, efConstruction: 400), metric: .innerProduct),
        ] {
            let bytes = spec.encode()
            #expect(try IndexSpec(decoding: bytes) == spec)
            for n in 0..<bytes.count {
                #expect(throws: SchemaError.self) { try IndexSpec(decoding: Array(bytes.prefix(n))) }
            }
            for i in 0..<bytes.count {
                var damaged = bytes
                damaged[i] ^= 0x10
                #expect(throws: SchemaError.self) { try IndexSpec(decoding: damaged) }
            }
        }
    }
}
