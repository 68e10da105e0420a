import Testing
@testable import LoadGen

@Suite struct KillSpecTests {
    @Test func parsesNameAndSeconds() throws {
        #expect(try KillSpec.parse("querynode-2@8") == KillSpec(process: "querynode-2", seconds: 8))
        #expect(try KillSpec.parse("proxy-1@2.5") == KillSpec(process: "proxy-1", seconds: 2.5))
        #expect(try KillSpec.parse("gateway@0") == KillSpec(process: "gateway", seconds: 0))
        #expect(try KillSpec.parse("lognode@12s") == KillSpec(process: "lognode", seconds: 12))
        #expect(try KillSpec.parse("querynode-12@8").description == "querynode-12@8")
        #expect(try KillSpec.parse("proxy-1@2.5").description == "proxy-1@2.5")
    }

    @Test(arguments: ["querynode-2", "@8", "querynode-2@", "querynode-2@x", "querynode-2@-1", "querynode-2@inf",
                      "querynode-2@nan", "QueryNode-2@8", "querynode-0@8", "querynode-02@8", "querynode-@8", "querynode-2-3@8",
                      "query node@8", "querynode-2@8@9", "querynode-x@8", "querynode-2@100000", "../etc@1"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: LoadError.self) { try KillSpec.parse(text) }
    }

    @Test func errorNamesTheFlagAndTheExpectedForm() {
        do {
            _ = try KillSpec.parse("querynode-2@soon")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "--kill 'querynode-2@soon': 'soon' is not a time in seconds (0…86400); expected ROLE-N@SECONDS, e.g. querynode-2@8")
        }
    }
}
