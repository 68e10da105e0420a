import API
import Coordinator
import Wire

/// Users (stored by the root coordinator), health, and the seed's default collection.
extension Proxy {
    public func createUser(name: String, password: String) async throws {
        try await api { _ = try await rootCoord.call(CreateUser(name: name, password: password), options: options(deadline())) }
    }

    public func listUsers() async throws -> [String] {
        try await api { try await rootCoord.call(ListUsers(), options: options(deadline())).names }
    }

    public func dropUser(name: String) async throws {
        try await api {
            _ = try await rootCoord.call(DropUser(name: name), options: options(deadline()))
            credentials.forget(name)
        }
    }

    public func updatePassword(name: String, oldPassword: String, newPassword: String) async throws {
        try await api {
            _ = try await rootCoord.call(UpdatePassword(name: name, oldPassword: oldPassword, newPassword: newPassword), options: options(deadline()))
            credentials.forget(name)
        }
    }

    /// Checks with the root coordinator, trusting a verified pair for `credentialCacheTTL`; false when the
    /// root coordinator cannot be reached.
    public func authenticate(user: String, password: String) async -> Bool {
        if credentials.isValid(user, password) { return true }
        guard let ok = try? await rootCoord.call(VerifyUser(name: user, password: password), options: options(deadline())) else { return false }
        if ok { credentials.remember(user, password, ttl: configuration.credentialCacheTTL) }
        return ok
    }

    /// Serving when the root coordinator and the query coordinator answer (each within 1 s).
    public func health() async -> HealthInfo {
        let deadline = ContinuousClock.now + .seconds(1)
        let rootOK = await Self.reachable { try await self.rootCoord.call(ListLiveNodes(role: .proxy), options: self.options(deadline)) }
        let queryOK = await Self.reachable { try await self.call(.queryCoord, GetCollectionRoutes(collectionID: CollectionID(0)), deadline: deadline) }
        let state: String
        switch (rootOK, queryOK) {
        case (true, true): state = "healthy"
        case (true, false): state = "degraded: query coordinator unreachable"
        case (false, _): state = "no root coordinator"
        }
        let up = ContinuousClock.now - startedAt
        return HealthInfo(serving: rootOK && queryOK, role: configuration.role, nodeID: "\(configuration.role)-\(configuration.nodeID)",
                          uptimeSeconds: Double(up.components.seconds) + Double(up.components.attoseconds) / 1e18, clusterState: state)
    }

    /// Whether a call reached its peer: any answer, even an error reply from the peer, counts; transport
    /// failures (unreachable, closed, deadline) and missing roles do not.
    static func reachable(_ body: () async throws -> some Sendable) async -> Bool {
        do {
            _ = try await body()
            return true
        } catch let e as WireError {
            return !(e.code == .unavailable || e.code == .connectionClosed || e.code == .deadlineExceeded || e.code == .shuttingDown
                || e.code == .cancelled)
        } catch {
            return false
        }
    }

    /// The configured collection, else the only collection of `default` with a text-embedding function
    /// (looked up at most every 5 s, so the seed's `/search` costs no root-coordinator call per request).
    public func defaultSearchCollection() async throws -> String? {
        if let name = configuration.defaultSearchCollection { return name }
        let now = ContinuousClock.now
        if let cached = defaultCollection.withLock({ $0 }), cached.until > now { return cached.name }
        let name = try await findDefaultCollection()
        defaultCollection.withLock { $0 = (name, now + .seconds(5)) }
        return name
    }

    private func findDefaultCollection() async throws -> String? {
        try await api {
            let deadline = deadline()
            var found: [String] = []
            for name in try await rootCoord.call(ListCollections(), options: options(deadline)).names {
                let info = try await collection(db: Catalog.defaultDatabase, name: name, deadline: deadline)
                if CollectionMapping.functions(of: info).contains(where: { $0.type == "TextEmbedding" }) { found.append(name) }
            }
            return found.count == 1 ? found[0] : nil
        }
    }
}
