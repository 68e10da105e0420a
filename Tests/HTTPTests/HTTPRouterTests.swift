import Testing
@testable import HTTP

@Suite struct HTTPRouterTests {
    func router() -> HTTPRouter {
        var r = HTTPRouter()
        r.get("/health") { _ in .text("ok") }
        r.post("/v2/vectordb/entities/search") { req in .text("search \(req.body.count)") }
        r.post("/fail") { _ in throw HTTPError(.badRequest, "nope") }
        r.post("/crash") { _ in struct E: Error {}; throw E() }
        return r
    }

    @Test func routesAndStatuses() async {
        let r = router()
        #expect(await r.respond(to: HTTPRequest(method: .GET, target: "/health")).body == Array("ok".utf8))
        #expect(await r.respond(to: HTTPRequest(method: .POST, target: "/v2/vectordb/entities/search", body: [1, 2])).body
                == Array("search 2".utf8))
        #expect(await r.respond(to: HTTPRequest(method: .GET, target: "/nothing")).status == .notFound)
        let m = await r.respond(to: HTTPRequest(method: .POST, target: "/health"))
        #expect(m.status == .methodNotAllowed)
        #expect(m.headers["Allow"] == "GET, HEAD")
        #expect(await r.respond(to: HTTPRequest(method: .HEAD, target: "/health?x=1")).status == .ok)
        #expect(await r.respond(to: HTTPRequest(method: .POST, target: "/fail")).status == .badRequest)
        #expect(await r.respond(to: HTTPRequest(method: .POST, target: "/crash")).status == .internalServerError)
        #expect(await r.respond(to: HTTPRequest(method: .GET, target: "/Health")).status == .notFound)
    }
}
