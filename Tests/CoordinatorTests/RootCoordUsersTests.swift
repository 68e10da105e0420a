import Testing
import Wire

@testable import Coordinator

@Suite struct RootCoordUsersTests {
    @Test func credentialsAreSaltedAndCheckedInConstantTimeDigests() throws {
        let a = UserCredential(password: "secret1")
        let b = UserCredential(password: "secret1")
        #expect(a.salt != b.salt && a.digest != b.digest)  // random salts
        #expect(a.matches("secret1") && !a.matches("secret2") && !a.matches(""))
        let fixed = UserCredential(salt: Array(repeating: 1, count: 16), password: "x")
        #expect(fixed.digest == SHA256.hash(Array(repeating: 1, count: 16) + Array("x".utf8)))
        var w = WireWriter()
        a.encode(into: &w)
        var r = WireReader(w.bytes)
        #expect(try UserCredential(from: &r) == a)
        #expect(throws: UserError.invalidName("1abc")) { try UserCredential.validateName("1abc") }
        #expect(throws: UserError.invalidName(String(repeating: "a", count: 33))) { try UserCredential.validateName(String(repeating: "a", count: 33)) }
        #expect(throws: UserError.invalidPassword) { try UserCredential.validatePassword("12345") }
    }

    /// Users survive a restart; root starts with the configured password; root cannot be dropped.
    @Test func usersArePersistedAndRootIsBootstrapped() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        var config = RootCoord.Configuration(dataDirectory: dir.path)
        config.rootPassword = "rootpw1"
        var root = try RootCoord(configuration: config)
        #expect(try await root.verifyUser(name: "root", password: "rootpw1"))
        #expect(try await !root.verifyUser(name: "root", password: "Milvus"))
        try await root.createUser(name: "alice", password: "alicepw")
        await #expect(throws: UserError.userExists("alice")) { try await root.createUser(name: "alice", password: "otherpw") }
        await #expect(throws: UserError.cannotDropRoot) { try await root.dropUser(name: "root") }
        await #expect(throws: UserError.wrongPassword("alice")) { try await root.updatePassword(name: "alice", oldPassword: "nope", newPassword: "newpw12") }
        try await root.updatePassword(name: "alice", oldPassword: "alicepw", newPassword: "newpw12")
        await root.close()
        config.rootPassword = "ignored"  // only used on first start
        root = try RootCoord(configuration: config)
        #expect(await root.listUsers() == ["alice", "root"])
        #expect(try await root.verifyUser(name: "alice", password: "newpw12"))
        #expect(try await root.verifyUser(name: "root", password: "rootpw1"))
        #expect(try await !root.verifyUser(name: "bob", password: "whatever"))
        try await root.dropUser(name: "alice")
        await #expect(throws: UserError.userNotFound("alice")) { try await root.dropUser(name: "alice") }
        await root.close()
    }

    @Test func alterPropertiesSetsAndRemovesKeys() async throws {
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let root = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir.path))
        _ = try await root.createCollection(Catalog.CollectionRequest(name: "c", schema: sampleSchema(),
                                                                      properties: [CollectionProperty(key: "a", value: "1")]))
        let ref = CollectionRef(name: "c")
        try await root.alterCollectionProperties(ref, set: [CollectionProperty(key: "b", value: "2"), CollectionProperty(key: "a", value: "3")], remove: [])
        #expect(try await root.describeCollection(ref).properties == [CollectionProperty(key: "a", value: "3"), CollectionProperty(key: "b", value: "2")])
        try await root.alterCollectionProperties(ref, set: [], remove: ["a", "missing"])
        #expect(try await root.describeCollection(ref).properties == [CollectionProperty(key: "b", value: "2")])
        await #expect(throws: CatalogError.self) {
            try await root.alterCollectionProperties(ref, set: [CollectionProperty(key: "", value: "x")], remove: [])
        }
        await root.close()
    }
}
