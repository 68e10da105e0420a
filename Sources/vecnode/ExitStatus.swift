/// `vecnode`'s exit statuses (documented in `--help` and docs/runtime.md; scripts rely on them).
enum ExitStatus: Int32 {
    /// Success.
    case ok = 0
    /// A failure at run time: the model is missing, a text was rejected, output could not be written.
    case failure = 1
    /// Bad flags or configuration (the one-line reason is on standard error).
    case usage = 2
    /// The configuration is valid, but this build cannot run the requested role.
    case notImplemented = 3
}
