/// A background loop that runs `body` on its owner every `interval` until the task is cancelled or the owner
/// is gone — the coordinators' membership polls, catalog polls and maintenance passes.
///
/// Why a helper: every coordinator needs several such loops, and each must hold its owner weakly (so a closed
/// coordinator is freed, not kept alive by its own loop) and stop on cancellation; one implementation keeps
/// those two rules in one place.
public enum PeriodicLoop {
    /// Starts the loop. With `pauseFirst`, the loop sleeps one interval before the first pass (for work that
    /// `start()` has just done, or that should wait for the first membership poll).
    /// - Returns: the loop's task; cancel it to stop the loop after the pass in progress.
    public static func start<Owner: AnyObject & Sendable>(
        on owner: Owner, every interval: Duration, pauseFirst: Bool = false,
        _ body: @escaping @Sendable (Owner) async -> Void
    ) -> Task<Void, Never> {
        Task { [weak owner] in
            if pauseFirst { try? await Task.sleep(for: interval) }
            while !Task.isCancelled {
                guard let o = owner else { return }
                await body(o)
                try? await Task.sleep(for: interval)
            }
        }
    }
}
