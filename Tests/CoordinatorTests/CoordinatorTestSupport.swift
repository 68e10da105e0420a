import TestSupport
import Foundation
import Shard
import Synchronization

@testable import Coordinator

/// A fresh directory under the system temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String
    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "coord-\(safe)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A wall clock the test sets by hand (also backwards).
final class ManualWallClock: WallClock {
    private let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    func nowMilliseconds() -> Int64 { value.withLock { $0 } }
    func set(_ ms: Int64) { value.withLock { $0 = ms } }
    func advance(_ ms: Int64) { value.withLock { $0 += ms } }
}

/// A small valid schema: Int64 primary key, an 8-d float vector, a VarChar.
func sampleSchema(dimension: Int = 8) -> CollectionSchema {
    CollectionSchema(fields: [
        FieldSchema(name: "id", dataType: .int64, isPrimaryKey: true),
        FieldSchema(name: "embedding", dataType: .floatVector, dimension: dimension),
        FieldSchema(name: "title", dataType: .varChar, maxLength: 256),
    ])
}

/// Deterministic SplitMix64 for randomised tests.
/// The shared seeded generator (TestSupport.SplitMix64).
typealias SeededRandom = SplitMix64

import Wire

enum WireWriterBox {
    static func encode(_ value: some WireCodable) -> [UInt8] {
        var w = WireWriter()
        value.encode(into: &w)
        return w.bytes
    }
}

enum WireReaderBox {
    static func reader(_ bytes: [UInt8]) -> WireReader { WireReader(bytes) }
}
