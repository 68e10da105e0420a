import Foundation

extension NodeConfig {
    /// Largest config file accepted (a config is a few hundred bytes; this bounds what a wrong path can cost).
    public static let maxFileSize = 1 << 20

    /// Applies the settings in the config file at `path` on top of the current values.
    ///
    /// Format: UTF-8 text, one `key = value` per line (keys are the setting names, as in `--help`); blank lines
    /// and lines starting with `#` are ignored, as is a `#` comment after an unquoted value. A value may be
    /// written in double quotes to keep spaces or `#`, with `\"` and `\\` as escapes. Each key at most once.
    /// ```
    /// # vecnode.conf
    /// role = querynode
    /// listen = 0.0.0.0:19531
    /// advertise = 10.0.0.7:19531
    /// rootcoord = 10.0.0.2:19530
    /// cluster-secret = "k3#9…"
    /// ```
    /// - Throws: `ConfigError.unreadableFile`, `.malformedLine`, `.duplicateKey`, `.unknownKey`,
    ///   `.invalidValue` — all naming the file and line.
    public mutating func load(file path: String) throws(ConfigError) {
        let entries = try Self.parseFile(path: path)
        for e in entries {
            try set(e.key, to: e.value, source: .file(path: path, line: e.line))
        }
    }

    /// The `key = value` entries of a config file, validated for syntax (not for known keys).
    static func parseFile(path: String) throws(ConfigError) -> [(key: String, value: String, line: Int)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadableFile(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadableFile(path: path, reason: "it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied or not a regular file")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxFileSize + 1) ?? Data()
        } catch {
            throw .unreadableFile(path: path, reason: "\(error)")
        }
        guard data.count <= maxFileSize else {
            throw .unreadableFile(path: path, reason: "larger than \(maxFileSize) bytes; is this a config file?")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw .unreadableFile(path: path, reason: "not valid UTF-8 text")
        }
        return try parse(text: text, path: path)
    }

    /// Parses config-file text (see `load(file:)`); `path` only labels errors.
    static func parse(text: String, path: String) throws(ConfigError) -> [(key: String, value: String, line: Int)] {
        var entries: [(key: String, value: String, line: Int)] = []
        var firstLine: [String: Int] = [:]
        // Swift treats "\r\n" as one Character, so CRLF files need both separators.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (i, rawLine) in lines.enumerated() {
            let lineNumber = i + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw .malformedLine(path: path, line: lineNumber, reason: "no '='")
            }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw .malformedLine(path: path, line: lineNumber, reason: "no key before '='") }
            guard key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
            else {
                throw .malformedLine(path: path, line: lineNumber,
                                     reason: "key '\(key)' may only hold lower-case letters, digits and '-'")
            }
            let rest = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let value: String
            do {
                value = try parseValue(rest)
            } catch {
                throw .malformedLine(path: path, line: lineNumber, reason: error.reason)
            }
            if let first = firstLine[key] {
                throw .duplicateKey(key, path: path, line: lineNumber, firstLine: first)
            }
            firstLine[key] = lineNumber
            entries.append((key, value, lineNumber))
        }
        return entries
    }

    /// A value: `"quoted"` (with `\"`, `\\`) optionally followed by a comment, or bare text up to a `#`.
    private static func parseValue(_ text: String) throws(ValueError) -> String {
        guard text.hasPrefix("\"") else {
            let bare = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let value = bare.trimmingCharacters(in: .whitespaces)
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw ValueError("the value holds a control character")
            }
            return value
        }
        var out = ""
        var escaped = false
        var index = text.unicodeScalars.index(after: text.unicodeScalars.startIndex)
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let u = scalars[index]
            index = scalars.index(after: index)
            if escaped {
                guard u == "\"" || u == "\\" else { throw ValueError("unknown escape '\\\(u)' (only \\\" and \\\\)") }
                out.unicodeScalars.append(u)
                escaped = false
            } else if u == "\\" {
                escaped = true
            } else if u == "\"" {
                let tail = String(scalars[index...]).trimmingCharacters(in: .whitespaces)
                guard tail.isEmpty || tail.hasPrefix("#") else {
                    throw ValueError("text after the closing quote")
                }
                return out
            } else if u.value < 0x20 || u.value == 0x7F {
                throw ValueError("the value holds a control character")
            } else {
                out.unicodeScalars.append(u)
            }
        }
        throw ValueError("unterminated quoted value")
    }
}
