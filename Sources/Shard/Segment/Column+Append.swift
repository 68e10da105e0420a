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
    /// Appends `other` (same case) in place. Each case first moves its array out of `self` so that the array is
    /// uniquely referenced and grows without a copy.
    mutating func append(_ other: ColumnData) {
        switch self {
        case .bool(var a):
            guard case .bool(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .bool(a)
        case .int8(var a):
            guard case .int8(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .int8(a)
        case .int16(var a):
            guard case .int16(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .int16(a)
        case .int32(var a):
            guard case .int32(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .int32(a)
        case .int64(var a):
            guard case .int64(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .int64(a)
        case .float(var a):
            guard case .float(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .float(a)
        case .double(var a):
            guard case .double(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .double(a)
        case .string(var a):
            guard case .string(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .string(a)
        case .json(var a):
            guard case .json(let b) = other else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .json(a)
        case .floatVector(let d, var a):
            guard case .floatVector(let d2, let b) = other, d == d2 else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .floatVector(dimension: d, values: a)
        case .float16Vector(let d, var a):
            guard case .float16Vector(let d2, let b) = other, d == d2 else { mismatch(other) }
            self = .bool([]); a.append(contentsOf: b); self = .float16Vector(dimension: d, values: a)
        case .array(var a):
            guard case .array(let b) = other else { mismatch(other) }
            self = .bool([])
            let base = a.offsets[a.offsets.count - 1]
            a.offsets.append(contentsOf: b.offsets.dropFirst().map { $0 + base })
            a.elements.append(b.elements)
            self = .array(a)
        }
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
