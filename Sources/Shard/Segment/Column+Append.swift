import VecCore

extension Column {
    /// Appends `other`'s rows (same field, same type) in place, in amortised O(other.count): how a growing
    /// segment accumulates batches and how compaction concatenates segments.
    mutating func append(_ other: Column) {
        precondition(other.name == name && other.dataType == dataType, "appending \(other.name) to \(name)")
        let oldCount = count
        if validity != nil || other.validity != nil {
            var v = validity ?? Bitset(count: oldCount, allSet: true)
            validity = nil  // drop our reference so `v` is unique and grows in place
            v.resize(to: oldCount + other.count)
            if let o = other.validity {
                o.forEachSet { v.insert(oldCount + $0) }
            } else {
                for i in 0..<other.count { v.insert(oldCount + i) }
            }
            data.append(other.data)
            validity = v
        } else {
            data.append(other.data)
        }
    }
}

extension ColumnData {
    /// Appends `other` (same case) in place, in amortised O(other.count).
    ///
    /// `ColumnData` is an indirect enum: each payload lives in a heap box, and an array read out of a box is a
    /// second reference until the box dies — appending to it would copy the whole column every time. So
    /// each case reads the array (statement ends, no temporary copy of `self` survives), replaces `self`
    /// (freeing the box, leaving the array uniquely referenced), appends, and stores it back.
    mutating func append(_ other: ColumnData) {
        switch (dataType, other.dataType) {
        case (.bool, .bool): Self.extend(&self, other, { if case .bool(let v) = $0 { v } else { nil } }, { .bool($0) })
        case (.int8, .int8): Self.extend(&self, other, { if case .int8(let v) = $0 { v } else { nil } }, { .int8($0) })
        case (.int16, .int16): Self.extend(&self, other, { if case .int16(let v) = $0 { v } else { nil } }, { .int16($0) })
        case (.int32, .int32): Self.extend(&self, other, { if case .int32(let v) = $0 { v } else { nil } }, { .int32($0) })
        case (.int64, .int64): Self.extend(&self, other, { if case .int64(let v) = $0 { v } else { nil } }, { .int64($0) })
        case (.float, .float): Self.extend(&self, other, { if case .float(let v) = $0 { v } else { nil } }, { .float($0) })
        case (.double, .double): Self.extend(&self, other, { if case .double(let v) = $0 { v } else { nil } }, { .double($0) })
        case (.varChar, .varChar): Self.extend(&self, other, { if case .string(let v) = $0 { v } else { nil } }, { .string($0) })
        case (.json, .json): Self.extend(&self, other, { if case .json(let v) = $0 { v } else { nil } }, { .json($0) })
        case (.floatVector, .floatVector):
            guard case .floatVector(let d, _) = self, case .floatVector(d, _) = other else { mismatch(other) }
            Self.extend(&self, other, { if case .floatVector(_, let v) = $0 { v } else { nil } }, { .floatVector(dimension: d, values: $0) })
        case (.float16Vector, .float16Vector):
            guard case .float16Vector(let d, _) = self, case .float16Vector(d, _) = other else { mismatch(other) }
            Self.extend(&self, other, { if case .float16Vector(_, let v) = $0 { v } else { nil } }, { .float16Vector(dimension: d, values: $0) })
        case (.array, .array):
            guard case .array(let b) = other else { mismatch(other) }
            var a: ArrayColumn
            if case .array(let x) = self { a = x } else { mismatch(other) }
            self = .bool([])
            let base = a.offsets[a.offsets.count - 1]
            a.offsets.append(contentsOf: b.offsets.dropFirst().map { $0 + base })
            a.elements.append(b.elements)
            self = .array(a)
        default:
            mismatch(other)
        }
    }

    private static func extend<T>(_ me: inout ColumnData, _ other: ColumnData, _ get: (ColumnData) -> [T]?,
                                  _ make: ([T]) -> ColumnData) {
        guard var a = get(me), let b = get(other) else { preconditionFailure("column kinds differ") }
        me = .bool([])  // frees the box: `a` is now the only reference
        a.append(contentsOf: b)
        me = make(a)
    }

    private func mismatch(_ other: ColumnData) -> Never {
        preconditionFailure("cannot append \(other.dataType) to \(dataType)")
    }

    /// Vector rows as Float32, row-major (Float16 widened); nil for non-vector columns.
    var floatVectors: (dimension: Int, values: [Float])? {
        switch self {
        case .floatVector(let d, let v): (d, v)
        case .float16Vector(let d, let v): (d, v.map { Float($0) })
        default: nil
        }
    }
}
