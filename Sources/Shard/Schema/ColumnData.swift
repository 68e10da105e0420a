/// The typed values of one column, one case per storage layout.
///
/// Rows that are null (see ``Column/validity``) hold a placeholder (`false`, `0`, `""`, `.null`, an empty
/// array) so every array has exactly one entry per row. Vectors are one contiguous block of
/// `rows × dimension` scalars, row-major.
public indirect enum ColumnData: Sendable, Equatable {
    case bool([Bool])
    case int8([Int8])
    case int16([Int16])
    case int32([Int32])
    case int64([Int64])
    case float([Float])
    case double([Double])
    case string([String])
    /// One JSON value per row (objects for the dynamic `$meta` column).
    case json([FieldValue])
    case array(ArrayColumn)
    case floatVector(dimension: Int, values: [Float])
    case float16Vector(dimension: Int, values: [Float16])

    /// Number of rows.
    public var count: Int {
        switch self {
        case .bool(let v): v.count
        case .int8(let v): v.count
        case .int16(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .float(let v): v.count
        case .double(let v): v.count
        case .string(let v): v.count
        case .json(let v): v.count
        case .array(let a): a.count
        case .floatVector(let d, let v): d > 0 ? v.count / d : 0
        case .float16Vector(let d, let v): d > 0 ? v.count / d : 0
        }
    }

    /// The storage type (for arrays: `.array`; the element type is ``ArrayColumn/elementType``).
    public var dataType: DataType {
        switch self {
        case .bool: .bool
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .float: .float
        case .double: .double
        case .string: .varChar
        case .json: .json
        case .array: .array
        case .floatVector: .floatVector
        case .float16Vector: .float16Vector
        }
    }

    /// Row `i` as a dynamic value (for output and tests; hot paths switch on the case once instead).
    public func value(at i: Int) -> FieldValue {
        switch self {
        case .bool(let v): .bool(v[i])
        case .int8(let v): .int(Int64(v[i]))
        case .int16(let v): .int(Int64(v[i]))
        case .int32(let v): .int(Int64(v[i]))
        case .int64(let v): .int(v[i])
        case .float(let v): .double(Double(v[i]))
        case .double(let v): .double(v[i])
        case .string(let v): .string(v[i])
        case .json(let v): v[i]
        case .array(let a): .array(a.elements.values(in: a.range(ofRow: i)))
        case .floatVector(let d, let v): .floatVector(Array(v[i * d..<(i + 1) * d]))
        case .float16Vector(let d, let v): .floatVector(v[i * d..<(i + 1) * d].map { Float($0) })
        }
    }

    func values(in range: Range<Int>) -> [FieldValue] { range.map { value(at: $0) } }

    /// The rows at `positions`, in that order (positions may repeat).
    public func selecting(_ positions: [Int]) -> ColumnData {
        switch self {
        case .bool(let v): .bool(positions.map { v[$0] })
        case .int8(let v): .int8(positions.map { v[$0] })
        case .int16(let v): .int16(positions.map { v[$0] })
        case .int32(let v): .int32(positions.map { v[$0] })
        case .int64(let v): .int64(positions.map { v[$0] })
        case .float(let v): .float(positions.map { v[$0] })
        case .double(let v): .double(positions.map { v[$0] })
        case .string(let v): .string(positions.map { v[$0] })
        case .json(let v): .json(positions.map { v[$0] })
        case .array(let a): .array(a.selecting(positions))
        case .floatVector(let d, let v): .floatVector(dimension: d, values: Self.gather(v, d, positions))
        case .float16Vector(let d, let v): .float16Vector(dimension: d, values: Self.gather(v, d, positions))
        }
    }

    private static func gather<T>(_ v: [T], _ d: Int, _ positions: [Int]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(positions.count * d)
        for p in positions { out.append(contentsOf: v[p * d..<(p + 1) * d]) }
        return out
    }
}

/// An Array column: every row's elements back to back in one typed element column, and `rows + 1`
/// offsets so row `i` is `elements[offsets[i] ..< offsets[i + 1]]`.
public struct ArrayColumn: Sendable, Equatable {
    /// `count + 1` non-decreasing positions into ``elements``, starting at 0.
    public internal(set) var offsets: [Int]
    /// All elements of all rows; never itself `.array`, `.json` or a vector.
    public internal(set) var elements: ColumnData

    /// An array column; `offsets` must start at 0, never decrease, and end at `elements.count`, and
    /// `elements` must hold a scalar element type (not arrays, JSON or vectors). Violations are programming
    /// errors (decoders validate bytes before building one).
    public init(offsets: [Int], elements: ColumnData) {
        precondition(offsets.first == 0 && offsets.last == elements.count, "array offsets must span the elements")
        precondition(zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }, "array offsets must not decrease")
        precondition(elements.dataType.isArrayElement, "\(elements.dataType) cannot be an array element")
        self.offsets = offsets
        self.elements = elements
    }

    public var count: Int { offsets.count - 1 }
    public var elementType: DataType { elements.dataType }
    /// The element positions of row `i`.
    public func range(ofRow i: Int) -> Range<Int> { offsets[i]..<offsets[i + 1] }

    func selecting(_ positions: [Int]) -> ArrayColumn {
        var offs = [0]
        offs.reserveCapacity(positions.count + 1)
        var picked: [Int] = []
        for p in positions {
            picked.append(contentsOf: range(ofRow: p))
            offs.append(picked.count)
        }
        return ArrayColumn(offsets: offs, elements: elements.selecting(picked))
    }
}
