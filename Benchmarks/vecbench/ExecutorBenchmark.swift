// `vecbench executor`: what Runtime.CPUExecutor costs and what it buys.
//  1. hop cost: `await cpu.run { … }` from a default-pool task (pool → executor thread → pool), p50/p99;
//  2. responsiveness: pings onto the default pool (from the main thread: start a task, wait for it) while
//     CPU-bound loops occupy (a) every executor thread at nice 0, (b) at nice 10, (c) the cooperative pool
//     itself — the case the executor exists to avoid.
import Dispatch
import Foundation
import Glibc
import Runtime
import Synchronization

let executorCommand = BenchCommand(
    name: "executor",
    summary: "CPUExecutor: hop cost, and default-pool ping latency while CPU work saturates the cores",
    run: runExecutorBenchmark)

private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func stop() { value.store(true, ordering: .relaxed) }
    var stopped: Bool { value.load(ordering: .relaxed) }
}

private func nanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

private func spin(until flag: StopFlag, limit: UInt64) {
    var x: UInt64 = 1
    while !flag.stopped && nanos() < limit {
        for _ in 0..<1000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
    }
    if x == 0 { print("") }  // keep the loop
}

private func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
}

private func summary(_ samples: [UInt64]) -> String {
    let s = samples.sorted()
    return String(format: "p50 %8.1f µs   p99 %10.1f µs   max %10.1f µs", percentile(s, 0.5), percentile(s, 0.99),
                  Double(s.last!) / 1000)
}

/// `count` pings from the main thread, `gapMicros` apart: each starts a detached task and waits for it to run.
private func pings(_ count: Int, gapMicros: UInt32) -> [UInt64] {
    var out: [UInt64] = []
    for _ in 0..<count {
        let sem = DispatchSemaphore(value: 0)
        let t0 = nanos()
        Task.detached { sem.signal() }
        sem.wait()
        out.append(nanos() - t0)
        usleep(gapMicros)
    }
    return out
}

private func runExecutorBenchmark(_ args: [String]) throws {
    if args == ["--help"] {
        print("""
            usage: vecbench executor [--hops N] [--pings N] [--threads N]
              --hops N     round trips for the hop-cost measurement (default 20000)
              --pings N    pings per load scenario, 2 ms apart (default 500)
              --threads N  executor threads / spinning loops (default: one per core)
            """)
        return
    }
    let flags = try FlagParser(args, valued: ["--hops", "--pings", "--threads"])
    let hops = try flags.int("--hops", default: 20_000)
    let pingCount = try flags.int("--pings", default: 500)
    let threads = try flags.int("--threads", default: ProcessInfo.processInfo.activeProcessorCount)
    guard hops > 0, pingCount > 0, (1...64).contains(threads) else {
        throw BenchError("--hops and --pings must be positive, --threads 1...64")
    }

    // 1. Hop cost.
    let cpu = try CPUExecutor(name: "bench", threads: 1)
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<[UInt64]>([])
    Task.detached {
        for _ in 0..<500 { _ = await cpu.run { 0 } }
        var samples: [UInt64] = []
        samples.reserveCapacity(hops)
        for i in 0..<hops {
            let t0 = nanos()
            _ = await cpu.run { i }
            samples.append(nanos() - t0)
        }
        result.withLock { $0 = samples }
        done.signal()
    }
    done.wait()
    cpu.shutdown()
    print("hop: default pool → executor thread → default pool, \(hops) round trips")
    print("  " + summary(result.withLock { $0 }))

    // 2. Ping latency under load.
    print("\nping onto the default pool from the main thread, \(pingCount) pings 2 ms apart, while "
        + "\(threads) CPU-bound loops run on:")
    print("  nothing (idle)           " + summary(pings(pingCount, gapMicros: 2000)))
    for niceness: Int32 in [0, 10] {
        let exec = try CPUExecutor(name: "spin", threads: threads, niceness: niceness)
        let flag = StopFlag()
        let limit = nanos() + 30_000_000_000
        for _ in 0..<threads { Task(executorPreference: exec) { spin(until: flag, limit: limit) } }
        usleep(50_000)
        let label = "CPUExecutor, nice \(niceness)".padding(toLength: 25, withPad: " ", startingAt: 0)
        print("  \(label)" + summary(pings(pingCount, gapMicros: 2000)))
        flag.stop()
        exec.shutdown()
    }
    // The loops on the cooperative pool itself: bounded to 1 s, since nothing else runs meanwhile.
    let flag = StopFlag()
    let limit = nanos() + 1_000_000_000
    for _ in 0..<threads { Task.detached { spin(until: flag, limit: limit) } }
    usleep(50_000)
    let starved = pings(min(pingCount, 50), gapMicros: 2000)
    flag.stop()
    print("  cooperative pool (1 s)   " + summary(starved) + "   (loops end after 1 s)")
}
