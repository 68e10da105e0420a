import HTTP
import JSON
import Net

/// A blocking keep-alive client for the Milvus REST v2 API of a running vecnode (proxy or standalone).
/// Blocks its thread: run it on a dedicated thread, never on Swift's cooperative pool.
public final class MilvusHTTPClient {
    private let connection: HTTPClientConnection
    private let host: String

    /// - Parameter timeout: seconds allowed per request.
    public init(host: String, port: UInt16, timeout: Double = 120) throws {
        connection = HTTPClientConnection(address: try SocketAddress(host: host, port: port), connectTimeout: 5,
                                          requestTimeout: timeout)
        self.host = host
    }

    /// `POST /v2/vectordb/<path>` with a JSON `body`; returns `data` of a `code: 0` reply.
    /// - Throws: `ScenarioError.request` for a transport failure, a non-200 status or a non-zero code.
    @discardableResult
    public func post(_ path: String, _ body: String) throws(ScenarioError) -> JSONValue {
        let reply = try send("POST", "/v2/vectordb/" + path, Array(body.utf8))
        let v: JSONValue
        do { v = try JSONValue.parse(reply.body) } catch {
            throw .request(path, "reply is not JSON: \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
        }
        guard let code = v["code"]?.int64Value, code == 0 else {
            throw .request(path, "code \(v["code"]?.int64Value ?? -1): \(v["message"]?.stringValue ?? "\(v)")")
        }
        return v["data"] ?? .null
    }

    /// `GET path`; returns the status and body.
    public func get(_ path: String) throws(ScenarioError) -> (status: Int, body: String) {
        let reply = try send("GET", path, [])
        return (reply.status, String(decoding: reply.body, as: UTF8.self))
    }

    private func send(_ method: String, _ path: String, _ body: [UInt8]) throws(ScenarioError) -> HTTPClientReply {
        let head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        switch connection.exchange(Array(head.utf8) + body, idempotent: method == "GET") {
        case .success(let reply):
            guard reply.status == 200 || method == "GET" else {
                throw .request(path, "HTTP \(reply.status): \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
            }
            return reply
        case .failure(let failure):
            connection.close()
            throw .request(path, "\(failure)")
        }
    }

    public func close() { connection.close() }
}

/// A failed step of the end-to-end scenario.
public enum ScenarioError: Error, CustomStringConvertible {
    /// A request failed: its path and why.
    case request(String, String)
    /// The dataset is missing or malformed.
    case dataset(String)
    /// A result did not meet the bar.
    case check(String)

    public var description: String {
        switch self {
        case let .request(path, why): return "\(path): \(why)"
        case let .dataset(why): return "dataset: \(why)"
        case let .check(why): return "check failed: \(why)"
        }
    }
}
