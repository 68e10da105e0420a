/// Public facts about the cluster protocol, for `vecnode --version` and diagnostics.
public enum WireProtocol {
    /// The frame-format version this build speaks (byte 4 of every frame header; see `FrameHeader`).
    public static let version: UInt8 = FrameHeader.currentVersion
}
