import Foundation
import Testing

@testable import Shard

@Suite struct ChannelLogTests {
    private func payload(_ i: Int, size: Int? = nil) -> Data {
        StorageTestSupport.bytes(count: size ?? (i * 37 % 500), seed: UInt64(i))
    }

    @Test func appendsReadBackInOrderAcrossReopen() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-basic")
        defer { StorageTestSupport.remove(dir) }
        do {
            let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096))
            #expect(log.endPosition == .start)
            #expect(try log.read(from: .start, maxRecords: 10).isEmpty)
            for i in 0..<100 {
                let p = try log.appendSynchronously(kind: .insertBatch, timestamp: UInt64(1000 + i), payload: payload(i))
                #expect(p == LogPosition(UInt64(i)))
            }
            #expect(log.endPosition == LogPosition(100))
            #expect(log.statistics.segmentsCreated > 3, "small segments must roll over")
            log.close()
        }
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096))
        defer { log.close() }
        #expect(log.recoveryReport.truncatedBytes == 0)
        #expect(log.recoveryReport.endPosition == LogPosition(100))
        let records = try log.read(from: .start, maxRecords: 1000)
        #expect(records.count == 100)
        for (i, r) in records.enumerated() {
            #expect(r.position == LogPosition(UInt64(i)))
            #expect(r.timestamp == UInt64(1000 + i))
            #expect(r.kind == .insertBatch)
            #expect(r.payload == payload(i))
        }
        // Appending continues after the recovered end.
        #expect(try log.appendSynchronously(kind: .timeTick, timestamp: 9, payload: Data()) == LogPosition(100))
        let tail = try log.read(from: LogPosition(95), maxRecords: 100)
        #expect(tail.map(\.position.rawValue) == Array(95...100))
        #expect(tail.last?.kind == .timeTick)
    }

    @Test func unsyncedLogAppendsReadBackAndSurviveReopen() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-nosync")
        defer { StorageTestSupport.remove(dir) }
        #expect(ChannelLog.Options().syncOnCommit, "the default must stay durable")
        do {
            let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096, syncOnCommit: false))
            for i in 0..<60 {
                #expect(try log.appendSynchronously(kind: .insertBatch, timestamp: UInt64(i), payload: payload(i)) == LogPosition(UInt64(i)))
            }
            #expect(log.statistics.appendedRecords == 60)
            #expect(try log.read(from: .start, maxRecords: 100).map(\.payload) == (0..<60).map { payload($0) })
            log.close()
        }
        // Without a machine crash the page cache holds everything: reopening recovers every record.
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096, syncOnCommit: false))
        defer { log.close() }
        #expect(log.recoveryReport.truncatedBytes == 0)
        #expect(log.endPosition == LogPosition(60))
        #expect(try log.read(from: LogPosition(55), maxRecords: 10).map(\.timestamp) == Array(55..<60))
    }

    @Test func readHonoursLimitsAndBounds() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-limits")
        defer { StorageTestSupport.remove(dir) }
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096))
        defer { log.close() }
        for i in 0..<50 { _ = try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: payload(i, size: 300)) }
        #expect(try log.read(from: LogPosition(10), maxRecords: 7).map(\.position.rawValue) == Array(10..<17))
        // 300-byte payloads make 328-byte frames: 1000 bytes fit 3 records (984); the 4th would exceed.
        #expect(try log.read(from: LogPosition(3), maxRecords: 100, maxBytes: 1000).count == 3)
        // A record larger than maxBytes is still returned alone.
        #expect(try log.read(from: LogPosition(3), maxRecords: 100, maxBytes: 1).count == 1)
        #expect(try log.read(from: LogPosition(50), maxRecords: 5).isEmpty)
        #expect(throws: LogError.positionBeyondEnd(requested: LogPosition(51), end: LogPosition(50))) {
            try log.read(from: LogPosition(51), maxRecords: 5)
        }
    }

    @Test func appendRejectsOversizedPayloadsAndBadOptions() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-limits2")
        defer { StorageTestSupport.remove(dir) }
        #expect(throws: LogError.self) { try ChannelLog(directory: dir, options: .init(segmentBytes: 100)) }
        #expect(throws: LogError.self) { try ChannelLog(directory: dir, options: .init(maxRecordBytes: 1 << 30)) }
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096, maxRecordBytes: 10_000))
        defer { log.close() }
        #expect(throws: LogError.recordTooLarge(size: 10_001, limit: 10_000)) {
            try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: Data(count: 10_001))
        }
        // A record larger than a segment gets a segment of its own.
        _ = try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: Data(count: 9_000))
        _ = try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: Data(count: 9_000))
        #expect(try log.read(from: .start, maxRecords: 10).map(\.payload.count) == [9_000, 9_000])
    }

    @Test func secondOpenOfSameDirectoryIsRefused() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-lock")
        defer { StorageTestSupport.remove(dir) }
        let log = try ChannelLog(directory: dir)
        #expect(throws: LogError.locked(directory: dir)) { try ChannelLog(directory: dir, options: .init(lockWait: .milliseconds(30))) }
        log.close()
        #expect(throws: LogError.closed) { try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: Data()) }
        let again = try ChannelLog(directory: dir)
        again.close()
    }

    @Test func concurrentAppendsShareFsyncs() async throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-group")
        defer { StorageTestSupport.remove(dir) }
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 1 << 20))
        defer { log.close() }
        let writers = 16, perWriter = 40
        let positions = try await withThrowingTaskGroup(of: [(Int, LogPosition)].self) { group in
            for w in 0..<writers {
                group.addTask {
                    var mine: [(Int, LogPosition)] = []
                    for s in 0..<perWriter {
                        let id = w * perWriter + s
                        mine.append((id, try await log.append(kind: .insertBatch, timestamp: UInt64(id), payload: self.payload(id))))
                    }
                    return mine
                }
            }
            var all: [(Int, LogPosition)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(Set(positions.map(\.1)).count == writers * perWriter, "every append gets its own position")
        let stats = log.statistics
        #expect(stats.appendedRecords == writers * perWriter)
        #expect(stats.groupCommits < stats.appendedRecords / 2, "group commit must batch: \(stats)")
        let records = try log.read(from: .start, maxRecords: 10_000)
        #expect(records.count == writers * perWriter)
        for (id, position) in positions {
            let r = records[Int(position.rawValue)]
            #expect(r.timestamp == UInt64(id) && r.payload == payload(id))
        }
    }

    @Test func tailWaitsForNewRecordsAndTimesOut() async throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-tail")
        defer { StorageTestSupport.remove(dir) }
        let log = try ChannelLog(directory: dir)
        defer { log.close() }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await log.tail(from: .start, maxRecords: 10, timeout: .milliseconds(100)).isEmpty)
        #expect(clock.now - start >= .milliseconds(100))

        let reader = Task { try await log.tail(from: .start, maxRecords: 10, timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        _ = try await log.append(kind: .timeTick, timestamp: 77, payload: Data([1, 2, 3]))
        let got = try await reader.value
        #expect(got.count == 1 && got[0].timestamp == 77 && got[0].payload == Data([1, 2, 3]))
        #expect(await log.waitForRecord(at: .start, timeout: .seconds(1)))

        // Cancellation and close both release waiters with `false`.
        let cancelled = Task { await log.waitForRecord(at: LogPosition(5), timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        #expect(await cancelled.value == false)
        let closing = Task { await log.waitForRecord(at: LogPosition(5), timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(20))
        log.close()
        #expect(await closing.value == false)
    }

    @Test func truncateDeletesWholeSegmentsBelowCheckpoint() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-trunc")
        defer { StorageTestSupport.remove(dir) }
        do {
            let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096))
            for i in 0..<60 { _ = try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: payload(i, size: 500)) }
            // 528-byte frames, 7 per 4 KiB segment: segments start at 0, 7, 14, ...
            #expect(try log.truncate(below: LogPosition(3)) == 0)
            #expect(try log.truncate(below: LogPosition(16)) == 2)
            #expect(log.firstPosition == LogPosition(14))
            #expect(throws: LogError.positionTruncated(requested: LogPosition(13), first: LogPosition(14))) {
                try log.read(from: LogPosition(13), maxRecords: 1)
            }
            #expect(try log.read(from: LogPosition(14), maxRecords: 100).count == 46)
            // Never the active segment, even for a checkpoint past the end.
            #expect(try log.truncate(below: LogPosition(1000)) > 0)
            #expect(log.firstPosition <= LogPosition(59))
            #expect(try log.read(from: log.firstPosition, maxRecords: 100).last?.position == LogPosition(59))
            log.close()
        }
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096))
        defer { log.close() }
        #expect(log.firstPosition > LogPosition(14))
        #expect(log.endPosition == LogPosition(60))
        #expect(try log.appendSynchronously(kind: .opaque, timestamp: 0, payload: Data()) == LogPosition(60))
    }

    @Test func recoveryCutsTornTailAndContinues() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-torn")
        defer { StorageTestSupport.remove(dir) }
        do {
            let log = try ChannelLog(directory: dir)
            for i in 0..<10 { _ = try log.appendSynchronously(kind: .insertBatch, timestamp: 0, payload: payload(i, size: 100)) }
            log.close()
        }
        // Simulate a crash mid-write: half a record, then zeros as a filesystem may leave after a power loss.
        let segment = dir + "/" + LogFrame.segmentFileName(firstLSN: 0)
        var bytes = StorageTestSupport.readFile(segment)
        let cleanSize = bytes.count
        bytes += [UInt8](bytes[32..<(32 + 60)]) + [UInt8](repeating: 0, count: 4000)
        StorageTestSupport.writeFile(segment, bytes)
        let log = try ChannelLog(directory: dir)
        defer { log.close() }
        #expect(log.recoveryReport.truncatedBytes == 4060)
        #expect(log.recoveryReport.truncationReason?.contains("offset \(cleanSize)") == true)
        #expect(StorageTestSupport.readFile(segment).count == cleanSize)
        #expect(try log.appendSynchronously(kind: .opaque, timestamp: 1, payload: Data([9])) == LogPosition(10))
        let records = try log.read(from: .start, maxRecords: 100)
        #expect(records.count == 11 && records[10].payload == Data([9]))
    }

    @Test func leftoverTemporarySegmentIsRemoved() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-tmp")
        defer { StorageTestSupport.remove(dir) }
        do { try ChannelLog(directory: dir).close() }
        StorageTestSupport.writeFile(dir + "/" + LogFrame.segmentFileName(firstLSN: 0) + ".tmp", [1, 2, 3])
        let log = try ChannelLog(directory: dir)
        defer { log.close() }
        #expect(log.recoveryReport.removedTemporaryFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + LogFrame.segmentFileName(firstLSN: 0) + ".tmp"))
    }

    @Test func recordKindsRoundTrip() {
        #expect(LogRecordKind(rawValue: 0) == nil)
        #expect(LogRecordKind(rawValue: 5) == nil)
        #expect(LogRecordKind(rawValue: 3) == .timeTick)
        #expect(LogRecordKind.user(0).rawValue == 128)
        #expect(LogRecordKind(rawValue: 255) == .user(127))
        #expect(LogFrame.firstLSN(fromFileName: LogFrame.segmentFileName(firstLSN: 123_456)) == 123_456)
        #expect(LogFrame.firstLSN(fromFileName: "0000000000000000012x.seg") == nil)
    }
}
