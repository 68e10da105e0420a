import Foundation
import Testing
@testable import LoadGen

@Suite struct LoadPlotTests {
    static func count(_ s: String, _ needle: String) -> Int { s.components(separatedBy: needle).count - 1 }

    @Test func drawsBarsLinesAndMarks() {
        let timeline = LoadTimeline(origin: 0)
        for second in 0..<5 where second != 2 {                 // second 2: the server was down
            for i in 0..<100 {
                timeline.recordSuccess(completedAt: UInt64(second) * 1_000_000_000 + UInt64(i) * 1_000_000,
                                       latency: UInt64(1 + i) * 100_000)    // 0.1 … 10 ms
            }
        }
        for i in 0..<7 { timeline.recordFailure(at: 2_000_000_000 + UInt64(i)) }
        timeline.addMark("closed c=8", at: 0)
        timeline.addMark("kill <querynode-1> & restart", at: 2_100_000_000)
        let buckets = timeline.buckets
        #expect(buckets.count == 5)
        #expect(buckets[2] == LoadTimeline.Bucket(second: 2, completed: 0, failed: 7, p50: 0, p99: 0))
        #expect(buckets[0].completed == 100 && buckets[0].p50 >= 5_000_000 && buckets[0].p50 < 5_100_000)
        #expect(buckets[0].p99 >= 9_900_000 && buckets[0].p99 <= 10_000_000)

        let svg = LoadPlot(title: "load: pypi").svg(buckets: buckets, marks: timeline.marks)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        // p50 and p99 each break at the empty second: two segments apiece.
        #expect(Self.count(svg, "<polyline") == 4)
        #expect(Self.count(svg, "stroke-dasharray") == 2)
        #expect(svg.contains("kill &lt;querynode-1&gt; &amp; restart"))
        #expect(!svg.contains("<querynode"))
        // Latency axis: whole decades around the data (p50 ≈ 5 ms, p99 ≈ 10 ms).
        #expect(svg.contains(">1 ms<") && svg.contains(">10 ms<") && !svg.contains(">100 µs<"))
        #expect(svg.contains(">failed/s<"))
        // Four grey throughput bars and one red failure bar (plus the legend swatches).
        #expect(Self.count(svg, "height=\"") >= 5 + 4 + 1)
        // Balanced elements: every opened <g> is closed.
        #expect(Self.count(svg, "<g ") == Self.count(svg, "</g>"))
    }

    @Test func emptyTimelineSaysNoData() {
        let svg = LoadPlot(title: "empty").svg(buckets: [], marks: [])
        #expect(svg.contains(">no data<") && svg.hasSuffix("</svg>\n"))
    }

    @Test func axisHelpers() {
        #expect(LoadPlot.niceCeiling(7) == 10 && LoadPlot.niceCeiling(120) == 200 && LoadPlot.niceCeiling(0.3) == 0.5)
        #expect(LoadPlot.niceCeiling(1) == 1 && LoadPlot.niceCeiling(450) == 500)
        #expect(LoadPlot.msLabel(-1) == "100 µs" && LoadPlot.msLabel(3) == "1 s" && LoadPlot.msLabel(-4) == "100 ns")
    }

    @Test func killsAndRestartsAreSolidColouredLinesWithLabels() {
        let timeline = LoadTimeline(origin: 0)
        for second in 0..<10 { timeline.recordSuccess(completedAt: UInt64(second) * 1_000_000_000, latency: 2_000_000) }
        timeline.addMark("closed c=8", at: 0)
        timeline.addMark("kill querynode-2", at: 4_000_000_000, kind: .kill)
        timeline.addMark("restart querynode-2", at: 7_000_000_000, kind: .restart)
        #expect(timeline.marks.map(\.kind) == [.run, .kill, .restart])
        #expect(timeline.buckets[3].max == 2_000_000)               // the slowest search of each second, exact
        let svg = LoadPlot(title: "t").svg(buckets: timeline.buckets, marks: timeline.marks)
        // The run start stays dashed; the kill is a solid red line and the restart a solid green one, each labelled.
        #expect(Self.count(svg, "stroke-dasharray") == 1)
        #expect(Self.count(svg, "stroke=\"#d62728\" stroke-width=\"2\"/>") == 1)
        #expect(Self.count(svg, "stroke=\"#2ca02c\" stroke-width=\"2\"/>") == 1)
        #expect(svg.contains("fill=\"#d62728\">kill querynode-2</text>"))
        #expect(svg.contains("fill=\"#2ca02c\">restart querynode-2</text>"))
        // The kill line sits at 4 s of the 10 s axis: x = 72 + 0.4 × (960 − 144).
        #expect(svg.contains("<line x1=\"398.4\" x2=\"398.4\""))
    }
}
