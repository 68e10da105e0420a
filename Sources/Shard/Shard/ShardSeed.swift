#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Seeds a shard's scratch object store from a shared one (the cluster's object store): the manifest and every
/// object of the segments it names, so that `Shard.open(location:…)` on the scratch directory loads exactly
/// the shared flushed state. Query nodes do this before loading a replica (docs/cluster.md, "Data
/// coordinator and data node").
///
/// Segment objects are hard-linked (falling back to a copy across file systems): they are immutable, and an
/// atomic put in either store replaces a file by rename, so neither side ever writes through the other's
/// link. The manifest is read once, validated, and written last, so a seed racing a data node's flush sees
/// one consistent manifest (segments are never deleted from the shared store while a collection exists).
public enum ShardSeed {
    /// What was seeded.
    public struct Report: Sendable, Equatable {
        /// The seeded manifest's channel checkpoint (nil: it records none).
        public var channelCheckpoint: LogPosition?
        /// Segments and files (data and index objects) linked or copied.
        public var segments: Int
        public var files: Int
        /// Files that could not be hard-linked and were copied.
        public var copied: Int
    }

    /// Seeds `scratchObjects` (which should be empty) from `sharedObjects`.
    /// - Returns: nil when the shared store holds no manifest (nothing flushed yet).
    /// - Throws: `ShardError.corrupt` (a damaged manifest or a missing segment object), `.objectStore` (I/O).
    public static func seed(from sharedObjects: String, to scratchObjects: String) throws(ShardError) -> Report? {
        guard FileManager.default.fileExists(atPath: sharedObjects + "/" + ShardManifest.key.rawValue) else { return nil }
        let shared: LocalObjectStore
        let scratch: LocalObjectStore
        do {
            shared = try LocalObjectStore(root: sharedObjects)
            scratch = try LocalObjectStore(root: scratchObjects)
        } catch {
            throw .objectStore("\(error)")
        }
        let bytes: Data
        do { bytes = try shared.get(ShardManifest.key) } catch {
            if let e = error as? ObjectStoreError, case .corrupt = e { throw .corrupt(what: "shared shard manifest", reason: "\(e)") }
            throw .objectStore("reading the shared manifest in \(sharedObjects): \(error)")
        }
        let manifest = try ShardManifest(decoding: [UInt8](bytes))
        var report = Report(channelCheckpoint: manifest.channelCheckpoint, segments: 0, files: 0, copied: 0)
        let fm = FileManager.default
        for entry in manifest.segments {
            let dataKey = SealedSegment.dataKey(entry.id).rawValue
            let segmentDirectory = String(dataKey.dropLast("/data".count))
            let source = sharedObjects + "/" + segmentDirectory
            let target = scratchObjects + "/" + segmentDirectory
            let names: [String]
            do { names = try fm.contentsOfDirectory(atPath: source).filter { !$0.hasPrefix(".") }.sorted() } catch {
                throw .corrupt(what: "segment \(entry.id)", reason: "the shared store has no directory \(source)")
            }
            guard names.contains("data") else {
                throw .corrupt(what: "segment \(entry.id)", reason: "the shared store has no data object in \(source)")
            }
            do { try fm.createDirectory(atPath: target, withIntermediateDirectories: true) } catch {
                throw .objectStore("creating \(target): \(error)")
            }
            for name in names {
                let from = source + "/" + name
                let to = target + "/" + name
                if link(from, to) != 0 {
                    do {
                        if fm.fileExists(atPath: to) { try fm.removeItem(atPath: to) }
                        try fm.copyItem(atPath: from, toPath: to)
                    } catch {
                        throw .objectStore("neither linking nor copying \(from) to \(to) worked: \(error)")
                    }
                    report.copied += 1
                }
                report.files += 1
            }
            report.segments += 1
        }
        do { try scratch.put(ShardManifest.key, bytes) } catch {
            throw .objectStore("writing the seeded manifest in \(scratchObjects): \(error)")
        }
        return report
    }
}
