import Testing
import Net

@Suite struct OSThreadTests {
    @Test func osThreadRunsAndJoins() throws {
        final class Box: @unchecked Sendable { var v = 0 }
        let b = Box()
        let t = try OSThread(name: "test-thread") { b.v = 42 }
        t.join()
        #expect(b.v == 42)
        let t0 = monotonicNanoseconds()
        #expect(monotonicNanoseconds() >= t0)
    }
}
