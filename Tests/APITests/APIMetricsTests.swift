import API
import APIConformance
import JSON
import Testing

@Suite(.serialized) struct APIMetricsTests {
    @Test func metricsEndpointCountsEveryResponse() async throws {
        try await withAPIServer { (s: APITestServer) async throws in
            _ = try s.milvus("collections/list", "{}")
            _ = try s.milvus("collections/describe", #"{"collectionName": "nope"}"#)
            _ = try s.request("GET", "/health")
            _ = try s.request("GET", "/nowhere")
            // The observer runs when the response is queued: scrape twice so the first scrape is counted.
            _ = try s.request("GET", "/metrics")
            let r = try s.request("GET", "/metrics")
            #expect(r.status == 200)
            #expect(r.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
            let text = r.bodyText
            for line in [
                #"vecnode_http_requests_total{method="POST",route="/v2/vectordb/collections/list",status="200"} 1"#,
                #"vecnode_http_requests_total{method="GET",route="/health",status="200"} 1"#,
                #"vecnode_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
                #"vecnode_http_requests_total{method="GET",route="/metrics",status="200"} 1"#,
                #"vecnode_milvus_requests_total{code="0",endpoint="/v2/vectordb/collections/list"} 1"#,
                #"vecnode_milvus_requests_total{code="100",endpoint="/v2/vectordb/collections/describe"} 1"#,
                #"vecnode_http_request_duration_seconds_count{route="/health",status="200"} 1"#,
                #"vecnode_http_request_duration_seconds_bucket{route="/health",status="200",le="+Inf"} 1"#,
            ] {
                #expect(text.contains(line + "\n"), "missing \(line)")
            }
            #expect(text.contains("# TYPE vecnode_http_request_duration_seconds histogram\n"))
            #expect(text.contains("# TYPE vecnode_process_resident_memory_bytes gauge\n"))
            // Every sample line is `name{labels} value` with a parseable value; every family is documented.
            var families = Set<String>()
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# TYPE ") { families.insert(String(line.split(separator: " ")[2])) }
                if line.hasPrefix("#") { continue }
                let value = line.split(separator: " ").last.map(String.init) ?? ""
                #expect(Double(value) != nil || value == "+Inf", "bad sample \(line)")
            }
            let doc = try String(contentsOfFile: repoFile("docs/metrics.md"), encoding: .utf8)
            for f in families { #expect(doc.contains("`\(f)`"), "docs/metrics.md does not document \(f)") }
        }
    }
}

/// A file of this repository, found from this source file's path.
func repoFile(_ relative: String) -> String {
    let here = #filePath
    let root = here.components(separatedBy: "/Tests/APITests/")[0]
    return root + "/" + relative
}
