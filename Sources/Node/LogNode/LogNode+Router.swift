import Wire

extension LogNode {
    /// The wire routes of every log-node call; serve it with `transport.listen(on:handler:)`.
    public func router() -> WireRouter {
        var r = WireRouter()
        r.on(AppendToChannel.self) { request, _ in try await self.append(request) }
        r.on(ReadChannel.self) { request, _ in try await self.read(request) }
        r.on(DescribeChannel.self) { request, _ in try self.describe(request.channel) }
        r.on(TruncateChannel.self) { request, _ in try await self.truncate(request.channel, below: request.below) }
        r.on(DropChannel.self) { request, _ in
            try await self.drop(request.channel)
            return WireEmpty()
        }
        return r
    }
}
