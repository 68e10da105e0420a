import Foundation
import Testing

@testable import Shard

/// Flips and truncates bytes at many offsets of every segment file and checks that opening the log gives either
/// a clear `LogError.corrupt` naming the damaged file or a clean recovery to an exact prefix — never a crash,
/// never wrong data.
@Suite struct ChannelLogCorruptionTests {
    /// A closed log of several small segments, with its files' bytes and its records.
    struct Fixture {
        let directory: String
        /// Segment file names in order and their original bytes.
        let names: [String]
        let originals: [[UInt8]]
        /// Per file: the global index of its first record and the byte range of each record.
        let firstRecord: [Int]
        let recordRanges: [[Range<Int>]]
        let records: [LogRecord]

        init(directory: String) throws {
            self.directory = directory
            let log = try ChannelLog(directory: directory, options: .init(segmentBytes: 4096))
            for i in 0..<40 {
                let kinds: [LogRecordKind] = [.insertBatch, .deleteBatch, .timeTick, .user(9)]
                _ = try log.appendSynchronously(
                    kind: kinds[i % 4], timestamp: UInt64(i) * 1_000_003,
                    payload: StorageTestSupport.bytes(count: 40 + (i * 97) % 400, seed: UInt64(i) + 7))
            }
            records = try log.read(from: .start, maxRecords: 100)
            log.close()
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".seg") }.sorted()
            originals = names.map { StorageTestSupport.readFile(directory + "/" + $0) }
            var first: [Int] = []
            var ranges: [[Range<Int>]] = []
            var count = 0
            for bytes in originals {
                first.append(count)
                var fileRanges: [Range<Int>] = []
                var offset = LogFrame.segmentHeaderSize
                while offset < bytes.count {
                    let length = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
                    fileRanges.append(offset..<(offset + LogFrame.recordHeaderSize + length))
                    offset += LogFrame.recordHeaderSize + length
                }
                ranges.append(fileRanges)
                count += fileRanges.count
            }
            firstRecord = first
            recordRanges = ranges
        }

        func path(_ file: Int) -> String { directory + "/" + names[file] }

        func restore() {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name != "LOCK" {
                StorageTestSupport.remove(directory + "/" + name)
            }
            for (i, bytes) in originals.enumerated() { StorageTestSupport.writeFile(path(i), bytes) }
        }

        /// Opens the damaged log and checks the outcome; returns what went wrong, `nil` if all is well.
        /// `survivors` is how many records a clean recovery must keep (`nil` when the damage must be reported as
        /// corruption naming one of the `blamed` files). Runs on a plain thread, so it reports instead of
        /// recording issues itself.
        func check(_ what: String, survivors: Int?, blamed: Set<String>) -> String? {
            do {
                let log = try ChannelLog(directory: directory, options: .init(segmentBytes: 4096))
                defer { log.close() }
                let got = try log.read(from: .start, maxRecords: 1000)
                guard let survivors else { return "\(what): damage was not detected (recovered \(got.count) records)" }
                guard got == Array(records.prefix(survivors)) else {
                    return "\(what): recovered \(got.count) records, not the exact prefix of \(survivors)"
                }
                // The repaired log accepts appends right after the prefix.
                let next = try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: Data([1]))
                return next == LogPosition(UInt64(survivors)) ? nil : "\(what): next append got \(next)"
            } catch let error as LogError {
                guard case .corrupt(let file, let offset, let reason) = error, survivors == nil else {
                    return "\(what): unexpected error \(error)"
                }
                guard blamed.contains(file), offset >= 0, !reason.isEmpty else {
                    return "\(what): error names \(file) at \(offset), expected one of \(blamed)"
                }
                return nil
            } catch {
                return "\(what): unexpected error type \(error)"
            }
        }
    }

    /// Offsets to damage in a file of `size` bytes: every byte of the segment header and of the first record
    /// headers, then a stride through the rest.
    static func offsets(size: Int) -> [Int] {
        Array(Set(Array(0..<min(size, 96)) + Array(stride(from: 0, to: size, by: 5)) + [size - 1])).sorted()
    }

    @Test func flippedBytesAreDetectedOrCutOffCleanly() async throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-flip", memoryBacked: true)
        defer { StorageTestSupport.remove(dir) }
        let fixture = try Fixture(directory: dir)
        #expect(fixture.names.count >= 3, "the fixture needs several segments")
        let problems = try await StorageTestSupport.onDedicatedThread { () -> [String] in
            var problems: [String] = []
            let last = fixture.names.count - 1
            for file in 0...last {
                for offset in Self.offsets(size: fixture.originals[file].count) {
                    var bytes = fixture.originals[file]
                    bytes[offset] ^= offset % 2 == 0 ? 0x01 : 0xA5
                    StorageTestSupport.writeFile(fixture.path(file), bytes)
                    var survivors: Int? = nil
                    if file == last && offset >= LogFrame.segmentHeaderSize {
                        let index = fixture.recordRanges[file].firstIndex { $0.contains(offset) }!
                        survivors = fixture.firstRecord[file] + index
                    }
                    problems += [fixture.check("flip \(fixture.names[file])+\(offset)", survivors: survivors, blamed: [fixture.path(file)])].compactMap { $0 }
                    fixture.restore()
                }
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.prefix(5))")
    }

    @Test func truncatedFilesAreDetectedOrCutOffCleanly() async throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-cut", memoryBacked: true)
        defer { StorageTestSupport.remove(dir) }
        let fixture = try Fixture(directory: dir)
        let problems = try await StorageTestSupport.onDedicatedThread { () -> [String] in
            var problems: [String] = []
            let last = fixture.names.count - 1
            for file in 0...last {
                let size = fixture.originals[file].count
                for length in Self.offsets(size: size) where length < size {
                    StorageTestSupport.writeFile(fixture.path(file), Array(fixture.originals[file].prefix(length)))
                    var survivors: Int? = nil
                    if file == last && length >= LogFrame.segmentHeaderSize {
                        survivors = fixture.firstRecord[file] + fixture.recordRanges[file].filter { $0.upperBound <= length }.count
                    }
                    // Cutting a middle segment exactly at a record boundary leaves it valid but short; the gap is
                    // then reported on the next segment.
                    let blamed: Set<String> = file < last ? [fixture.path(file), fixture.path(file + 1)] : [fixture.path(file)]
                    problems += [fixture.check("truncate \(fixture.names[file]) to \(length)", survivors: survivors, blamed: blamed)].compactMap { $0 }
                    fixture.restore()
                }
            }
            // A missing middle segment is a gap, reported on the segment after it.
            StorageTestSupport.remove(fixture.path(1))
            problems += [fixture.check("delete \(fixture.names[1])", survivors: nil, blamed: [fixture.path(2)])].compactMap { $0 }
            fixture.restore()
            // A missing first segment is indistinguishable from truncation: the log starts later.
            StorageTestSupport.remove(fixture.path(0))
            let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096))
            defer { log.close() }
            let remaining = try log.read(from: log.firstPosition, maxRecords: 1000)
            if log.firstPosition != LogPosition(UInt64(fixture.firstRecord[1]))
                || remaining != Array(fixture.records[fixture.firstRecord[1]...])
            {
                problems.append("without its first segment the log must start at the second one's first record")
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.prefix(5))")
    }

    @Test func damageAfterOpenIsReportedOnRead() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-rot")
        defer { StorageTestSupport.remove(dir) }
        let fixture = try Fixture(directory: dir)
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096))
        defer { log.close() }
        // Bit rot in the first segment behind the open log's back.
        var bytes = fixture.originals[0]
        let target = fixture.recordRanges[0][1]
        bytes[target.lowerBound + 40] ^= 0x10
        let fd = open(fixture.path(0), O_WRONLY)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress!, bytes.count, 0) }
        close(fd)
        #expect(try log.read(from: .start, maxRecords: 1).count == 1)
        #expect(throws: LogError.corrupt(file: fixture.path(0), offset: target.lowerBound, reason: "record checksum mismatch")) {
            try log.read(from: .start, maxRecords: 10)
        }
    }
}
