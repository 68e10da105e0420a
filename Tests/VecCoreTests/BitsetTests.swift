import Testing
import VecCore

@Suite struct BitsetTests {
    @Test func insertRemoveCount() {
        var b = Bitset(count: 130)
        for i in [0, 63, 64, 127, 129] { b.insert(i) }
        #expect(b.popcount == 5)
        #expect(b.contains(64) && !b.contains(65))
        b.remove(64)
        #expect(!b.contains(64) && b.popcount == 4)
        var seen: [Int] = []
        b.forEachSet { seen.append($0) }
        #expect(seen == [0, 63, 127, 129])
    }

    @Test func allSetHasNoStrayTailBits() {
        var b = Bitset(count: 70, allSet: true)
        #expect(b.popcount == 70)
        b.invert()
        #expect(b.popcount == 0)
        b.invert()
        #expect(b.popcount == 70)
    }

    @Test func setAlgebra() {
        var a = Bitset(count: 100), c = Bitset(count: 100)
        for i in stride(from: 0, to: 100, by: 2) { a.insert(i) }
        for i in stride(from: 0, to: 100, by: 3) { c.insert(i) }
        var i = a; i.formIntersection(c)
        #expect(i.popcount == 17)  // multiples of 6 in 0..<100
        var u = a; u.formUnion(c)
        #expect(u.popcount == 50 + 34 - 17)
        var d = a; d.subtract(c)
        #expect(d.popcount == 50 - 17)
    }

    @Test func fromWordsClearsTheTail() {
        let b = Bitset(words: [~0, ~0], count: 70)
        #expect(b.popcount == 70 && b.contains(69))
    }

    @Test func resizeKeepsAndClears() {
        var b = Bitset(count: 10, allSet: true)
        b.resize(to: 200)
        #expect(b.popcount == 10 && !b.contains(150))
        b.resize(to: 5)
        #expect(b.popcount == 5)
    }
}
