import Foundation
import Synchronization
import Testing
@testable import Runtime

/// Collects lines written by a `Logger`.
final class LineCapture: Sendable {
    let lines = Mutex<[String]>([])
    var sink: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite(.serialized) struct LoggerTests {
    let t = LogFormat.Timestamp(seconds: 1_764_322_130, milliseconds: 7)

    @Test func timestampIsRFC3339UTCWithMilliseconds() {
        #expect(LogFormat.rfc3339(t) == "2025-11-28T09:28:50.007Z")
        #expect(LogFormat.rfc3339(.init(seconds: 0, milliseconds: 999)) == "1970-01-01T00:00:00.999Z")
        let now = LogFormat.rfc3339(LogFormat.now())
        #expect(now.utf8.count == 24 && now.hasSuffix("Z"))
    }

    @Test func lineHasFixedFieldsThenEventFieldsInOrder() {
        let line = LogFormat.line(time: t, level: .warn, role: "proxy", nodeID: "3", message: "slow search",
                                  fields: ["took_ms": 12.5, "collection": "docs", "shards": 4])
        #expect(line == "ts=2025-11-28T09:28:50.007Z level=warn role=proxy node=3 msg=\"slow search\" "
            + "took_ms=12.5 collection=docs shards=4\n")
    }

    @Test func valuesAreQuotedAndEscapedOnlyWhenNeeded() {
        func v(_ s: String) -> String {
            var out = ""
            LogFormat.appendValue(&out, s)
            return out
        }
        #expect(v("plain") == "plain")
        #expect(v("127.0.0.1:19530") == "127.0.0.1:19530")
        #expect(v("héllo") == "héllo")
        #expect(v("") == "\"\"")
        #expect(v("two words") == "\"two words\"")
        #expect(v("a=b") == "\"a=b\"")
        #expect(v("say \"hi\"") == "\"say \\\"hi\\\"\"")
        #expect(v("back\\slash") == "\"back\\\\slash\"")
        #expect(v("line1\nline2\r\tx") == "\"line1\\nline2\\r\\tx\"")
        #expect(v("bell\u{07}del\u{7F}") == "\"bell\\u0007del\\u007f\"")
        #expect(v("nel\u{85}ls\u{2028}é") == "\"nel\\u0085ls\\u2028é\"")
    }

    @Test func keysAreSanitised() {
        func k(_ s: String) -> String {
            var out = ""
            LogFormat.appendKey(&out, s)
            return out
        }
        #expect(k("shard_id") == "shard_id")
        #expect(k("") == "_")
        #expect(k("a b=c\"d\n") == "a_b_c_d_")
    }

    @Test func levelThresholdDropsEventsWithoutEvaluatingThem() {
        let saved = Logger.level
        defer { Logger.level = saved }
        let capture = LineCapture()
        let log = Logger(role: "querynode", nodeID: "7", sink: capture.sink)
        let evaluated = SharedCounter()
        func expensive() -> String {
            evaluated.add()
            return "built"
        }
        Logger.level = .warn
        log.info(expensive())
        log.debug(expensive(), ["k": expensive()])
        log.trace(expensive())
        #expect(evaluated.count == 0)
        #expect(capture.all.isEmpty)
        log.warn(expensive())
        log.error("failed", ["why": "disk full"])
        #expect(evaluated.count == 1)
        let lines = capture.all
        #expect(lines.count == 2)
        #expect(lines[0].contains(" level=warn role=querynode node=7 msg=built\n"))
        #expect(lines[1].hasSuffix(" level=error role=querynode node=7 msg=failed why=\"disk full\"\n"))
        Logger.level = .trace
        #expect(Logger.isEnabled(.trace))
        log.trace("now visible")
        #expect(capture.all.count == 3)
    }

    @Test func levelNamesParse() {
        for level in LogLevel.allCases { #expect(LogLevel(name: level.name) == level) }
        #expect(LogLevel(name: "WARNING") == .warn)
        #expect(LogLevel(name: "verbose") == nil)
        #expect(LogLevel.trace < LogLevel.error)
    }

    @Test func withReplacesRoleAndNode() {
        let capture = LineCapture()
        let log = Logger(role: "-", sink: capture.sink).with(role: "datanode", nodeID: "12")
        log.error("x")
        #expect(capture.all.first?.contains(" role=datanode node=12 msg=x") == true)
    }

    @Test func concurrentEventsStayWholeLines() async {
        let capture = LineCapture()
        let log = Logger(role: "proxy", sink: capture.sink)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask { for i in 0..<100 { log.error("event", ["task": task, "i": i]) } }
            }
        }
        let lines = capture.all
        #expect(lines.count == 800)
        #expect(lines.allSatisfy { $0.hasPrefix("ts=") && $0.hasSuffix("\n") && $0.dropLast().firstIndex(of: "\n") == nil })
    }
}
