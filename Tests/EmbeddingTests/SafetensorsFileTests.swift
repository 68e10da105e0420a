import Foundation
import Testing
@testable import Embedding

/// The reader against hand-built files: a valid one, and each way a file can be corrupt or truncated.
@Suite struct SafetensorsFileTests {
    /// A temporary file holding `bytes`; removed by the caller via `defer`.
    static func write(_ bytes: [UInt8]) -> String {
        let path = NSTemporaryDirectory() + "vecnode-st-\(UUID().uuidString).safetensors"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// `u64 length ‖ header ‖ data`.
    static func file(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        let n = declaredLength ?? UInt64(h.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + h + data
    }

    static func floatBytes(_ v: [Float]) -> [UInt8] { v.flatMap { f in (0..<4).map { UInt8(truncatingIfNeeded: f.bitPattern >> (8 * UInt32($0))) } } }

    static let validHeader = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"ids":{"dtype":"I64","shape":[2],"data_offsets":[24,40]}}"#
    static let validData = floatBytes([1, 2, 3, 4, 5, 6]) + [UInt8](repeating: 0, count: 16)

    func open(_ bytes: [UInt8]) throws(SafetensorsError) -> SafetensorsFile {
        let path = Self.write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try SafetensorsFile(path: path)
    }

    @Test func readsAValidFile() throws {
        let f = try open(Self.file(header: Self.validHeader, data: Self.validData))
        #expect(f.tensors.count == 2)
        #expect(try f.floats("w", shape: [2, 3]) == [1, 2, 3, 4, 5, 6])
        #expect(throws: SafetensorsError.unexpectedTensor(name: "w", dtype: "F32", shape: [2, 3], expectedShape: [3, 2])) {
            try f.floats("w", shape: [3, 2])
        }
        #expect(throws: SafetensorsError.unexpectedTensor(name: "ids", dtype: "I64", shape: [2], expectedShape: [2])) {
            try f.floats("ids", shape: [2])
        }
        #expect(throws: SafetensorsError.missingTensor("nope")) { try f.floats("nope", shape: [1]) }
    }

    @Test func rejectsFilesTooSmallForAHeader() {
        #expect(throws: SafetensorsError.tooSmall(fileSize: 5)) { try open([1, 2, 3, 4, 5]) }
    }

    @Test func rejectsHeaderLengthsBeyondTheFile() {
        let bytes = Self.file(header: Self.validHeader, data: Self.validData, declaredLength: 1 << 40)
        #expect(throws: SafetensorsError.headerLengthOutOfRange(length: 1 << 40, fileSize: bytes.count)) { try open(bytes) }
        let huge = Self.file(header: "{}", data: [], declaredLength: UInt64.max)
        #expect(throws: SafetensorsError.headerLengthOutOfRange(length: .max, fileSize: huge.count)) { try open(huge) }
    }

    @Test func rejectsHeadersThatAreNotJSONObjects() {
        #expect(performing: { try open(Self.file(header: "{not json", data: [])) },
                throws: { if case .headerNotJSON = $0 as? SafetensorsError { true } else { false } })
        #expect(performing: { try open(Self.file(header: "[1,2]", data: [])) },
                throws: { if case .headerNotJSON = $0 as? SafetensorsError { true } else { false } })
    }

    @Test func rejectsMalformedEntries() {
        for header in [
            #"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#,
            #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
            #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
            #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,
            #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,
            #"{"w":[1,2,3]}"#,
        ] {
            #expect("header \(header)", performing: { try open(Self.file(header: header, data: [0, 0, 0, 0])) },
                    throws: { if case .malformedEntry(name: "w", _) = $0 as? SafetensorsError { true } else { false } })
        }
    }

    @Test func rejectsShapesThatOverflow() {
        let header = #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#
        #expect(performing: { try open(Self.file(header: header, data: [0, 0, 0, 0])) },
                throws: { if case .malformedEntry(name: "w", _) = $0 as? SafetensorsError { true } else { false } })
    }

    @Test func rejectsTruncatedData() {
        let bytes = Array(Self.file(header: Self.validHeader, data: Self.validData).dropLast(3))
        #expect(throws: SafetensorsError.dataOutOfBounds(name: "ids", begin: 24, end: 40, dataSize: 37)) { try open(bytes) }
    }

    @Test func rejectsSizeMismatchesAndOverlaps() {
        let mismatch = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}}"#
        #expect(throws: SafetensorsError.sizeMismatch(name: "w", shape: [2], dtype: "F32", byteCount: 12)) {
            try open(Self.file(header: mismatch, data: [UInt8](repeating: 0, count: 12)))
        }
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(performing: { try open(Self.file(header: overlap, data: [UInt8](repeating: 0, count: 12))) },
                throws: { if case .overlapping = $0 as? SafetensorsError { true } else { false } })
    }

    @Test func reportsMissingFiles() {
        #expect(performing: { try SafetensorsFile(path: "/nonexistent/model.safetensors") },
                throws: { if case .cannotOpen = $0 as? SafetensorsError { true } else { false } })
    }

    @Test func acceptsTheRealModel() throws {
        guard TestResources.requireModel("real safetensors file") else { return }
        let f = try SafetensorsFile(path: TestResources.modelDirectory + "/model.safetensors")
        #expect(f.tensors["embeddings.word_embeddings.weight"]?.shape == [30522, 384])
    }
}
