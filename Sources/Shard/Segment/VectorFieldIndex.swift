import HNSW
import IVF
import VecCore

/// The index of one vector field in one segment, over the segment's row positions (the index ids are row
/// numbers): an exact scan (`FlatIndex`) for FLAT fields and for growing segments; an `HNSWIndex` for HNSW
/// fields once the segment is large enough to matter (built incrementally while growing); and, built when
/// the segment is sealed, an `HNSWSQ8Index` (HNSW_SQ8, re-ranking on the segment's own float column) or an
/// `IVFIndex` (IVF_FLAT, IVF_SQ8).
///
/// Searches take an allow-list over rows (MVCC visibility ∧ filter) and map it to the index's slots.
/// Not thread-safe on its own: the owning `Shard` serialises appends against searches.
final class VectorFieldIndex: @unchecked Sendable {
    let spec: IndexSpec
    let dimension: Int
    let metric: Metric
    private(set) var flat: FlatIndex?
    private(set) var hnsw: HNSWIndex?
    private(set) var hnswSQ8: HNSWSQ8Index?
    private(set) var ivf: IVFIndex?
    /// Index slot of each row; nil while the mapping is the identity (slot == row).
    private var slotOfRow: [Int32]?

    static func metric(of spec: IndexSpec) -> Metric {
        switch spec.metric {
        case .l2: .l2
        case .innerProduct: .ip
        case .cosine: .cosine
        }
    }

    /// The parameters of an HNSW field (the kind growing segments build incrementally), else nil.
    var hnswParameters: HNSWParameters? {
        if case .hnsw(let m, let ef) = spec.kind { return HNSWParameters(connectivity: m, efConstruction: ef) }
        return nil
    }

    /// Whether a sealed segment builds an index for this field (every kind but FLAT).
    var buildsIndex: Bool { spec.kind != .flat }

    /// An empty exact-scan index.
    init(spec: IndexSpec, dimension: Int) throws(VecError) {
        self.spec = spec
        self.dimension = dimension
        self.metric = Self.metric(of: spec)
        self.flat = try FlatIndex(dimension: dimension, metric: metric)
    }

    /// An index over an existing HNSW graph whose ids are row numbers `0..<rows`.
    init(spec: IndexSpec, hnsw: HNSWIndex, rows: Int) throws(ShardError) {
        self.spec = spec
        self.dimension = hnsw.dimension
        self.metric = hnsw.metric
        self.hnsw = hnsw
        guard hnsw.count == rows, hnsw.slotCount == rows else {
            throw .corrupt(what: "index of \(spec.fieldName)", reason: "holds \(hnsw.count) vectors, segment has \(rows) rows")
        }
        try mapSlots(rows: rows) { hnsw.slot(of: $0) }
    }

    /// Loads the index object of a sealed segment's field (`serializedIndex()` output) for `rows` rows whose
    /// vectors are `values` (HNSW_SQ8 re-ranks on them).
    /// - Throws: `ShardError.corrupt` when the bytes do not decode or do not match the spec or the rows.
    init(spec: IndexSpec, loading bytes: [UInt8], name: String, rows: Int, values: [Float], dimension: Int) throws(ShardError) {
        self.spec = spec
        self.dimension = dimension
        self.metric = Self.metric(of: spec)
        func bad(_ reason: String) -> ShardError { .corrupt(what: "index object \(name)", reason: reason) }
        let count: Int, slots: Int, lookup: (Int64) -> Int?
        do {
            switch spec.kind {
            case .flat:
                throw bad("FLAT fields have no index object")
            case .hnsw:
                let g = try HNSWIndex.deserialize(bytes, name: name)
                guard g.dimension == dimension, g.metric == metric else { throw bad("dimension or metric differs from the schema") }
                hnsw = g
                (count, slots, lookup) = (g.count, g.slotCount, { g.slot(of: $0) })
            case .hnswSQ8(let m, _):
                let g = try HNSWSQ8Index.deserialize(bytes, name: name, refine: try RefineVectors(values: values, dimension: dimension))
                guard g.dimension == dimension, g.metric == metric, g.parameters.connectivity == m else {
                    throw bad("dimension, metric or M differs from the schema")
                }
                hnswSQ8 = g
                (count, slots, lookup) = (g.count, g.slotCount, { g.slot(of: $0) })
            case .ivfFlat(let nlist), .ivfSQ8(let nlist):
                let i = try IVFIndex.deserialize(bytes, name: name)
                let storage: IVFParameters.Storage = if case .ivfSQ8 = spec.kind { .sq8 } else { .flat }
                guard i.dimension == dimension, i.metric == metric, i.parameters.nlist == nlist, i.parameters.storage == storage else {
                    throw bad("dimension, metric, nlist or storage differs from the schema")
                }
                ivf = i
                (count, slots, lookup) = (i.count, i.slotCount, { i.slot(of: $0) })
            }
        } catch let e as ShardError {
            throw e
        } catch {
            throw bad("\(error)")
        }
        guard count == rows, slots == rows else { throw bad("holds \(count) vectors, segment has \(rows) rows") }
        try mapSlots(rows: rows, lookup)
    }

    private func mapSlots(rows: Int, _ slotOf: (Int64) -> Int?) throws(ShardError) {
        var map = [Int32](repeating: -1, count: rows)
        var identity = true
        for row in 0..<rows {
            guard let s = slotOf(Int64(row)) else {
                throw .corrupt(what: "index of \(spec.fieldName)", reason: "row \(row) missing from the index")
            }
            map[row] = Int32(s)
            if s != row { identity = false }
        }
        slotOfRow = identity ? nil : map
    }

    var isHNSW: Bool { hnsw != nil }
    /// Whether an index other than the exact scan is in place.
    var isBuilt: Bool { hnsw != nil || hnswSQ8 != nil || ivf != nil }
    var count: Int { hnsw?.count ?? hnswSQ8?.count ?? ivf?.count ?? flat?.slotCount ?? 0 }

    /// The built index in its serialized format (the segment's index object), or nil for an exact scan.
    func serializedIndex() -> [UInt8]? {
        if let hnsw { return hnsw.serializedBytes() }
        if let hnswSQ8 { return hnswSQ8.serializedBytes() }
        if let ivf { return ivf.serializedBytes() }
        return nil
    }

    /// Appends rows `firstRow..<firstRow + n` (`values` holds `n × dimension` floats) to a flat or HNSW index
    /// (sealed-only kinds are never appended to once built).
    func append(values: [Float], firstRow: Int, pool: WorkerPool?) throws(VecError) {
        let n = values.count / dimension
        if let hnsw {
            let ids = (0..<n).map { Int64(firstRow + $0) }
            try values.withUnsafeBufferPointer { (b) throws(VecError) in try hnsw.add(ids: ids, vectors: b, pool: pool) }
            if slotOfRow != nil || (0..<n).contains(where: { hnsw.slot(of: Int64(firstRow + $0)) != firstRow + $0 }) {
                rebuildSlotMap(rows: firstRow + n)
            }
        } else if let flat {
            try values.withUnsafeBufferPointer { (b) throws(VecError) in
                for r in 0..<n {
                    try flat.add(id: Int64(firstRow + r), vector: UnsafeBufferPointer(rebasing: b[(r * dimension)..<((r + 1) * dimension)]))
                }
            }
        } else {
            preconditionFailure("append to a sealed-only \(spec.kind.name) index")
        }
    }

    private func rebuildSlotMap(rows: Int) {
        guard let hnsw else { return }
        slotOfRow = (0..<rows).map { Int32(hnsw.slot(of: Int64($0)) ?? -1) }
    }

    /// Replaces the exact scan by an HNSW graph over all `rows` vectors in `values` (HNSW fields only).
    func buildHNSW(values: [Float], rows: Int, pool: WorkerPool?) throws(VecError) {
        guard let parameters = hnswParameters, hnsw == nil else { return }
        let graph = try HNSWIndex(dimension: dimension, metric: metric, parameters: parameters, capacity: max(rows, 1024))
        let ids = (0..<rows).map { Int64($0) }
        try values.withUnsafeBufferPointer { (b) throws(VecError) in try graph.add(ids: ids, vectors: b, pool: pool) }
        hnsw = graph
        flat = nil
        slotOfRow = nil
        if (0..<rows).contains(where: { graph.slot(of: Int64($0)) != $0 }) { rebuildSlotMap(rows: rows) }
    }

    /// Replaces the exact scan by the spec's index over all `rows` vectors in `values` (row-major, the
    /// segment's column: HNSW_SQ8 keeps a copy-on-write reference to it for re-ranking). FLAT keeps the scan;
    /// an empty segment keeps the scan for the sealed-only kinds.
    func buildIndex(values: [Float], rows: Int, pool: WorkerPool?) throws(VecError) {
        guard !isBuilt else { return }
        switch spec.kind {
        case .flat:
            return
        case .hnsw:
            try buildHNSW(values: values, rows: rows, pool: pool)
            return
        case .hnswSQ8(let m, let ef):
            guard rows > 0 else { return }
            let graph = try HNSWIndex(dimension: dimension, metric: metric,
                                      parameters: HNSWParameters(connectivity: m, efConstruction: ef), capacity: rows)
            let ids = (0..<rows).map { Int64($0) }
            try values.withUnsafeBufferPointer { (b) throws(VecError) in try graph.add(ids: ids, vectors: b, pool: pool) }
            hnswSQ8 = try HNSWSQ8Index(graph: graph, refine: try RefineVectors(values: values, dimension: dimension))
        case .ivfFlat(let nlist), .ivfSQ8(let nlist):
            guard rows > 0 else { return }
            let storage: IVFParameters.Storage = if case .ivfSQ8 = spec.kind { .sq8 } else { .flat }
            let index = try values.withUnsafeBufferPointer { (b) throws(VecError) in
                let i = try IVFIndex(dimension: dimension, metric: metric,
                                     parameters: IVFParameters(nlist: nlist, storage: storage), training: b, pool: pool)
                try i.add(ids: (0..<rows).map { Int64($0) }, vectors: b, pool: pool)
                return i
            }
            ivf = index
        }
        flat = nil
        slotOfRow = nil
    }

    /// The `k` nearest allowed rows to `query` (hit ids are row numbers), closest first. `ef` drives the HNSW
    /// kinds, `nprobe` the IVF kinds; the exact scan ignores both.
    func search(_ query: UnsafeBufferPointer<Float>, k: Int, ef: Int, nprobe: Int, allowRows: Bitset) throws(VecError) -> [SearchHit] {
        if allowRows.popcount == 0 { return [] }
        if isBuilt {
            var allow = allowRows
            if let map = slotOfRow {
                allow = Bitset(count: map.count)
                allowRows.forEachSet { r in if r < map.count, map[r] >= 0 { allow.insert(Int(map[r])) } }
            }
            if let hnsw { return try hnsw.search(query, k: k, ef: max(ef, k), filter: allow) }
            if let hnswSQ8 { return try hnswSQ8.search(query, k: k, ef: max(ef, k), filter: allow) }
            if let ivf { return try ivf.search(query, k: k, nprobe: nprobe, filter: allow) }
        }
        guard let flat else { return [] }
        var allow = allowRows
        if allow.count != flat.slotCount { allow.resize(to: flat.slotCount) }
        return try flat.search(Array(query), k: k, filter: allow)
    }
}
