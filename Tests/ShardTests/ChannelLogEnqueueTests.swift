import Foundation
import Synchronization
import Testing

@testable import Shard

/// `ChannelLog.enqueueAppend`: positions follow the order of the calls, every completion runs once, and the
/// up-front rejections behave as documented.
@Suite struct ChannelLogEnqueueTests {
    @Test func positionsFollowCallOrderAndCompletionsRunOnce() throws {
        let dir = StorageTestSupport.makeTemporaryDirectory("log-enqueue")
        defer { StorageTestSupport.remove(dir) }
        let log = try ChannelLog(directory: dir, options: .init(segmentBytes: 4096, maxRecordBytes: 1024))
        let results = Mutex<[Int: LogPosition]>([:])
        let done = DispatchSemaphore(value: 0)
        let count = 300
        for i in 0..<count {
            try log.enqueueAppend(kind: .opaque, timestamp: UInt64(i), payload: Data([UInt8(i & 0xFF)])) { result in
                let position = try? result.get()
                results.withLock { r in
                    #expect(r[i] == nil, "completion of append \(i) ran twice")
                    r[i] = position
                }
                done.signal()
            }
        }
        for _ in 0..<count { done.wait() }
        let positions = results.withLock { $0 }
        #expect(positions.count == count)
        for i in 0..<count { #expect(positions[i] == LogPosition(UInt64(i))) }
        let records = try log.read(from: .start, maxRecords: count)
        #expect(records.map(\.timestamp) == (0..<count).map(UInt64.init))

        // Too large: thrown, nothing queued, no completion.
        #expect(throws: LogError.recordTooLarge(size: 2048, limit: 1024)) {
            try log.enqueueAppend(kind: .opaque, timestamp: 0, payload: Data(count: 2048)) { _ in
                Issue.record("completion of a rejected append ran")
            }
        }
        // Closed: completed at once with `.closed`.
        log.close()
        let closed = Mutex<LogError?>(nil)
        try log.enqueueAppend(kind: .opaque, timestamp: 0, payload: Data()) { result in
            if case .failure(let e) = result { closed.withLock { $0 = e } }
        }
        #expect(closed.withLock { $0 } == .closed)
        #expect(log.endPosition == LogPosition(UInt64(count)))
    }
}
