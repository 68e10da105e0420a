import Foundation
import Glibc
import Synchronization
import Testing
@testable import Runtime

/// Monotonic nanoseconds (CLOCK_MONOTONIC).
func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The calling thread's nice value, from /proc/thread-self/stat (field 19).
func currentThreadNiceness() -> Int? {
    guard let stat = try? String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    return fields.count > 16 ? Int(fields[16]) : nil  // fields[0] is field 3 (state)
}

/// A shared counter / flag for closures that run on other threads.
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)
    func add(_ n: Int = 1) { value.add(n, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

@Suite(.serialized) struct CPUExecutorTests {
    @Test func jobsRunOnTheExecutorsNamedThreads() async throws {
        let cpu = try CPUExecutor(name: "cpu-test", threads: 2)
        defer { cpu.shutdown() }
        let viaPreference = await withTaskExecutorPreference(cpu) { currentThreadName() }
        let viaRun = await cpu.run { currentThreadName() }
        let viaTask = await Task(executorPreference: cpu) { currentThreadName() }.value
        for name in [viaPreference, viaRun, viaTask] {
            #expect(name == "cpu-test-0" || name == "cpu-test-1", "ran on \(name)")
        }
        // And the default pool is not one of them.
        let onPool = await Task.detached { currentThreadName() }.value
        #expect(!onPool.hasPrefix("cpu-test"))
    }

    @Test func everyThreadTakesJobsAndNicenessIsApplied() async throws {
        let cpu = try CPUExecutor(name: "nice-test", threads: 2, niceness: 7)
        defer { cpu.shutdown() }
        let base = currentThreadNiceness() ?? 0
        // Two jobs that each wait (bounded) until both have started: only possible on two threads.
        let started = SharedCounter()
        let job: @Sendable () -> (String, Int?) = {
            started.add()
            let deadline = nowNanoseconds() + 5_000_000_000
            while started.count < 2 && nowNanoseconds() < deadline {}
            return (currentThreadName(), currentThreadNiceness())
        }
        async let a = cpu.run { job() }
        async let b = cpu.run { job() }
        let (ra, rb) = await (a, b)
        #expect(Set([ra.0, rb.0]) == ["nice-test-0", "nice-test-1"])
        #expect(ra.1 == min(19, base + 7) && rb.1 == min(19, base + 7), "niceness \(String(describing: ra.1))")
    }

    @Test func errorsAndResultsPassThrough() async throws {
        struct Boom: Error, Equatable {}
        let cpu = try CPUExecutor(name: "err-test", threads: 1)
        defer { cpu.shutdown() }
        #expect(await cpu.run { 6 * 7 } == 42)
        await #expect(throws: Boom.self) { try await cpu.run { () throws(Boom) -> Int in throw Boom() } }
    }

    @Test func rejectsBadArguments() {
        #expect(throws: RuntimeError.self) { _ = try CPUExecutor(name: "x", threads: 0) }
        #expect(throws: RuntimeError.self) { _ = try CPUExecutor(name: "x", threads: 2, niceness: 20) }
        #expect(throws: RuntimeError.self) { _ = try CPUExecutor(name: "x", threads: 2, niceness: -1) }
    }

    @Test func threadNamesFitTheKernelLimitAndKeepTheIndex() {
        #expect(CPUExecutor.threadName("search", 3) == "search-3")
        let long = CPUExecutor.threadName("indexbuilder-executor", 12)
        #expect(long.utf8.count == 15 && long.hasSuffix("-12") && long.hasPrefix("indexbuilder"))
    }

    @Test func shutdownRunsEveryQueuedJobFirst() async throws {
        let cpu = try CPUExecutor(name: "drain-test", threads: 1)
        let done = SharedCounter()
        let gate = SharedCounter()
        // The first job holds the only thread until the others are queued.
        let first = Task(executorPreference: cpu) {
            let deadline = nowNanoseconds() + 5_000_000_000
            while gate.count == 0 && nowNanoseconds() < deadline {}
            done.add()
        }
        var tasks: [Task<Void, Never>] = []
        for _ in 0..<20 { tasks.append(Task(executorPreference: cpu) { done.add() }) }
        while cpu.pendingJobs < 20 { try await Task.sleep(for: .milliseconds(1)) }
        gate.add()
        cpu.shutdown()  // returns after every queued job ran
        #expect(done.count == 21)
        _ = await first.value
        for t in tasks { await t.value }
    }

    /// The point of the executor: with every executor thread busy on CPU-bound work, async work on the
    /// default pool still gets answered promptly. (On the cooperative pool itself the same load starves
    /// pings for seconds: /work/shared/design/swift-on-linux.md.)
    @Test func defaultPoolStaysResponsiveWhileEveryExecutorThreadSpins() async throws {
        let threads = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let cpu = try CPUExecutor(name: "spin", threads: threads, niceness: 10)
        defer { cpu.shutdown() }
        let stop = SharedCounter()
        let spinning = SharedCounter()
        var spinners: [Task<(String, UInt64), Never>] = []
        for _ in 0..<threads {
            spinners.append(Task(executorPreference: cpu) {
                spinning.add()
                var x: UInt64 = 0x9E37_79B9_7F4A_7C15
                var iterations: UInt64 = 0
                let deadline = nowNanoseconds() + 20_000_000_000  // safety bound
                while stop.count == 0 && nowNanoseconds() < deadline {
                    for _ in 0..<1000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
                    iterations &+= 1
                }
                return (currentThreadName(), iterations &+ (x & 1))
            })
        }
        while spinning.count < threads { try await Task.sleep(for: .milliseconds(1)) }

        var latencies: [UInt64] = []
        for _ in 0..<200 {
            let t0 = nowNanoseconds()
            let t1 = await Task.detached { nowNanoseconds() }.value  // a hop onto the default pool and back
            _ = t1
            latencies.append(nowNanoseconds() - t0)
            try await Task.sleep(for: .milliseconds(2))
        }
        stop.add()
        var names: Set<String> = []
        var work: UInt64 = 0
        for s in spinners {
            let (name, iterations) = await s.value
            names.insert(name)
            work &+= iterations
        }
        latencies.sort()
        let p50 = Double(latencies[latencies.count / 2]) / 1e6
        let p99 = Double(latencies[latencies.count * 99 / 100]) / 1e6
        print("CPUExecutor: default-pool ping while \(threads) executor threads spin at nice 10: "
            + "p50 \(String(format: "%.3f", p50)) ms, p99 \(String(format: "%.3f", p99)) ms, max "
            + "\(String(format: "%.3f", Double(latencies.last!) / 1e6)) ms")
        #expect(names.count == threads && names.allSatisfy { $0.hasPrefix("spin-") }, "spun on \(names)")
        #expect(work > 0)
        #expect(p99 < 50, "p99 ping \(p99) ms while the executor is saturated")
    }

    /// A micro-benchmark of the hop: from the default pool to an executor thread and back.
    @Test func hopCost() async throws {
        let cpu = try CPUExecutor(name: "hop", threads: 1)
        defer { cpu.shutdown() }
        for _ in 0..<200 { _ = await cpu.run { 1 } }  // warm up
        let n = 5000
        let t0 = nowNanoseconds()
        var sum = 0
        for i in 0..<n { sum &+= await cpu.run { i } }
        let perHop = Double(nowNanoseconds() - t0) / Double(n)
        print("CPUExecutor: round trip default pool → executor thread → default pool: "
            + "\(String(format: "%.1f", perHop / 1000)) µs (\(n) hops)")
        #expect(sum == n * (n - 1) / 2)
    }
}
