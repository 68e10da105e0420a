import Proxy

/// What the scenario tests need from a cluster: its proxy and a way to stop it. `TestCluster` (test
/// stand-ins for the worker roles) and `RealCluster` (the real roles) both provide it.
protocol ClusterUnderTest: AnyObject {
    var proxy: Proxy { get }
    func shutdown() async
}

extension TestCluster: ClusterUnderTest {}
extension RealCluster: ClusterUnderTest {}

/// A cluster of `queryNodes` query nodes: the real roles when `real`, else the stand-ins.
func makeCluster(real: Bool, queryNodes: Int) async throws -> any ClusterUnderTest {
    real ? try await RealCluster(queryNodes: queryNodes) : try await TestCluster(queryNodes: queryNodes)
}
