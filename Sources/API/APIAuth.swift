import HTTP

/// Client authentication for the HTTP API, Milvus-style: off by default; when enabled every Milvus
/// request and the seed's `POST /search` need `Authorization: Bearer <token>`, where the token is
/// `user:password` (checked by ``APIBackend/authenticate(user:password:)``) or one of ``apiKeys``.
/// Failures answer 1800 "user hasn't authenticated" on Milvus routes and 401 on the seed routes.
/// `GET /health`, `/metrics` and `/openapi.json` stay open (probes and scrapers carry no credentials).
public struct APIAuth: Sendable {
    /// Whether credentials are required.
    public var enabled: Bool
    /// API key → the user it acts as.
    public var apiKeys: [String: String]

    public init(enabled: Bool, apiKeys: [String: String] = [:]) {
        self.enabled = enabled
        self.apiKeys = apiKeys
    }

    /// No authentication (standalone default).
    public static let disabled = APIAuth(enabled: false)

    /// The outcome of checking a request.
    public enum Outcome: Sendable, Equatable {
        /// Auth is off.
        case anonymous
        /// Authenticated as this user.
        case user(String)
        case rejected
    }

    /// Checks the request's `Authorization` header.
    public func check(_ request: HTTPRequest, backend: any APIBackend) async -> Outcome {
        guard enabled else { return .anonymous }
        guard let header = request.headers["authorization"] else { return .rejected }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .rejected }
        let token = String(parts[1].trimmingPrefix(while: { $0 == " " }))
        if let user = apiKeys[token] { return .user(user) }
        guard let colon = token.firstIndex(of: ":") else { return .rejected }
        let user = String(token[..<colon])
        let password = String(token[token.index(after: colon)...])
        guard !user.isEmpty else { return .rejected }
        return await backend.authenticate(user: user, password: password) ? .user(user) : .rejected
    }

    /// Milvus's rules for new credentials: user names like other identifiers (≤ 32 characters), passwords
    /// 6…256 bytes.
    static func checkCredentials(user: String, password: String) throws(APIError) {
        let bytes = Array(user.utf8)
        func letter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
        guard !bytes.isEmpty, bytes.count <= 32, letter(bytes[0]), bytes.allSatisfy({ letter($0) || ($0 >= 48 && $0 <= 57) }) else {
            throw .invalidParameter("user name '\(user.prefix(40))' must start with a letter or '_', contain only letters, digits and '_', at most 32 characters")
        }
        guard (6...256).contains(password.utf8.count) else {
            throw .invalidParameter("password must be 6 to 256 bytes long")
        }
    }
}
