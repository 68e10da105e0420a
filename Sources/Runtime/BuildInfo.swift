/// Facts about this build of vecnode, for `--version` and start-up logs.
public enum BuildInfo {
    /// The package version (semantic versioning). Bump it with each release.
    public static let version = "0.1.0"
}
