/// A network address as written in flags and config files: `HOST:PORT`, or `[IPv6]:PORT`.
///
/// Parsing validates the syntax only (no DNS lookup): a host name of letters, digits, `.`, `-`, `_`, or a
/// bracketed IPv6 literal; a decimal port 0…65535.
public struct HostPort: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The host without brackets (`127.0.0.1`, `node-3.local`, `::1`).
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; the error string says what is wrong (used inside `ConfigError`).
    public init(parsing text: String) throws(HostPortError) {
        guard !text.isEmpty else { throw HostPortError("empty address: expected HOST:PORT") }
        guard let colon = text.lastIndex(of: ":") else {
            throw HostPortError("no port: expected HOST:PORT, e.g. 127.0.0.1:19530")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { throw HostPortError("bad IPv6 literal: write [ADDR]:PORT") }
            host = String(host.dropFirst().dropLast())
            guard host.unicodeScalars.allSatisfy({ $0.properties.isASCIIHexDigit || $0 == ":" || $0 == "." }),
                  host.contains(":") else {
                throw HostPortError("bad IPv6 literal '[\(host)]'")
            }
        } else {
            guard !host.isEmpty else { throw HostPortError("empty host: expected HOST:PORT, e.g. 127.0.0.1:19530") }
            guard !host.contains(":") else { throw HostPortError("IPv6 addresses need brackets: [ADDR]:PORT") }
            guard host.utf8.count <= 253, host.unicodeScalars.allSatisfy({ Self.isHostCharacter($0) }) else {
                throw HostPortError("bad host '\(host)': use a name or IP of letters, digits, '.', '-', '_'")
            }
        }
        guard !portText.isEmpty else { throw HostPortError("empty port: expected HOST:PORT") }
        guard portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let port = Int(portText), port <= 65535 else {
            throw HostPortError("bad port '\(portText)': must be a number 0...65535")
        }
        self.init(host: host, port: UInt16(port))
    }

    private static func isHostCharacter(_ u: Unicode.Scalar) -> Bool {
        switch u {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_": return true
        default: return false
        }
    }

    /// Whether the host is a wildcard (`0.0.0.0`, `::`) that peers cannot dial.
    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a `HOST:PORT` string was rejected.
public struct HostPortError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
