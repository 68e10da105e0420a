import Wire

/// Users: stored under `users/<name>` as `UserCredential` records.
extension RootCoord {
    static let userPrefix = "users/"
    public static let rootUser = "root"

    /// Creates `root` with `password` when no root record exists (first start).
    static func bootstrapRootUser(in store: MetaStore, password: String) throws {
        guard store.get(userPrefix + rootUser) == nil else { return }
        try store.put(userPrefix + rootUser, encode(UserCredential(password: password)))
    }

    private static func encode(_ c: UserCredential) -> [UInt8] {
        var w = WireWriter()
        c.encode(into: &w)
        return w.bytes
    }

    private func credential(_ name: String) throws -> UserCredential? {
        guard let entry = store.get(Self.userPrefix + name) else { return nil }
        var r = WireReader(entry.value)
        do {
            let c = try UserCredential(from: &r)
            try r.finish()
            return c
        } catch {
            throw MetaStoreError.corrupt("user record \(name): \(error)")
        }
    }

    /// Creates a user. Throws `UserError` (invalid name or password, exists) or `MetaStoreError`.
    public func createUser(name: String, password: String) throws {
        try UserCredential.validateName(name)
        try UserCredential.validatePassword(password)
        guard try credential(name) == nil else { throw UserError.userExists(name) }
        try store.put(Self.userPrefix + name, Self.encode(UserCredential(password: password)))
    }

    /// Drops a user other than root.
    public func dropUser(name: String) throws {
        guard name != Self.rootUser else { throw UserError.cannotDropRoot }
        guard try credential(name) != nil else { throw UserError.userNotFound(name) }
        _ = try store.delete(Self.userPrefix + name)
    }

    /// User names, sorted.
    public func listUsers() -> [String] {
        store.list(prefix: Self.userPrefix).map { String($0.key.dropFirst(Self.userPrefix.count)) }.sorted()
    }

    /// Replaces a user's password after checking the old one.
    public func updatePassword(name: String, oldPassword: String, newPassword: String) throws {
        guard let c = try credential(name) else { throw UserError.userNotFound(name) }
        guard c.matches(oldPassword) else { throw UserError.wrongPassword(name) }
        try UserCredential.validatePassword(newPassword)
        try store.put(Self.userPrefix + name, Self.encode(UserCredential(password: newPassword)))
    }

    /// Whether `password` is `name`'s password (false for unknown users).
    public func verifyUser(name: String, password: String) throws -> Bool {
        guard let c = try credential(name) else { return false }
        return c.matches(password)
    }
}
