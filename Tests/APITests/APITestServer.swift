import API
import APIConformance

/// The API tests' server: every route over an `InMemoryBackend` (APIConformance's `APIHarness`).
typealias APITestServer = APIHarness

/// Runs `body` with a fresh server over `backend`, always shutting it down.
func withAPIServer(auth: APIAuth = .disabled, backend: InMemoryBackend = InMemoryBackend(), defaultCollection: String? = nil,
                   _ body: (APITestServer) async throws -> Void) async throws {
    let s = try APIHarness(backend: backend, auth: auth, defaultCollection: defaultCollection)
    do {
        try await body(s)
    } catch {
        await s.stop()
        throw error
    }
    await s.stop()
}
