import Embedding
import Glibc
import Runtime

/// `vecnode embed`: prints one JSON array of floats per text, one per line, in input order.
///
/// Texts come from the arguments, or one per line of a file (`-` = standard input), read and embedded in
/// batches of `batchSize` so any input length runs in bounded memory and output streams. Processing stops at
/// the first rejected text (empty, invalid UTF-8): every text before it has been printed, the error names
/// its line, and the exit status is 1.
enum EmbedCommand {
    /// Texts embedded together (one `embed(utf8Batch:)` call, spread over the cores).
    static let batchSize = 64

    private struct Rejected: Error {
        let message: String
    }

    static func run(_ options: EmbedOptions) -> ExitStatus {
        let embedder: TextEmbedder
        do {
            embedder = try TextEmbedder(modelDirectory: options.modelDirectory)
        } catch {
            StandardStreams.error("vecnode embed: \(error)")
            return .failure
        }
        do {
            if let path = options.file {
                try embedFile(path, embedder: embedder)
            } else {
                try embed(options.texts.map { Array($0.utf8) }, firstNumber: 1, embedder: embedder) {
                    "argument \($0)"
                }
            }
            return .ok
        } catch {
            StandardStreams.error("vecnode embed: \(error.message)")
            return .failure
        }
    }

    private static func embedFile(_ path: String, embedder: TextEmbedder) throws(Rejected) {
        let fd: Int32
        let name: String
        if path == "-" {
            fd = 0
            name = "standard input"
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw Rejected(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
            name = path
        }
        defer { if fd != 0 { close(fd) } }
        var reader = LineReader(fd: fd)
        var batch: [[UInt8]] = []
        var first = 1
        var sawLine = false
        while true {
            let line: [UInt8]?
            do {
                line = try reader.next()
            } catch {
                switch error {
                case .lineTooLong(let n):
                    try embed(batch, firstNumber: first, embedder: embedder) { "line \($0) of \(name)" }
                    throw Rejected(message: "line \(n) of \(name) is longer than \(LineReader.maxLineBytes) bytes; "
                        + "split the text (only its first 256 tokens would be embedded anyway)")
                case .readFailed(let code):
                    throw Rejected(message: "cannot read \(name): \(String(cString: strerror(code)))")
                }
            }
            guard let line else { break }
            sawLine = true
            batch.append(line)
            if batch.count == batchSize {
                try embed(batch, firstNumber: first, embedder: embedder) { "line \($0) of \(name)" }
                first += batch.count
                batch.removeAll(keepingCapacity: true)
            }
        }
        try embed(batch, firstNumber: first, embedder: embedder) { "line \($0) of \(name)" }
        guard sawLine else { throw Rejected(message: "\(name) holds no text: put one text per line") }
    }

    /// Embeds `texts` (numbered from `firstNumber` for messages) and prints them. On a rejected text, prints
    /// the texts before it, then throws naming it.
    private static func embed(_ texts: [[UInt8]], firstNumber: Int, embedder: TextEmbedder,
                              label: (Int) -> String) throws(Rejected) {
        guard !texts.isEmpty else { return }
        let batch: EmbeddingBatch
        do {
            batch = try embedder.embed(utf8Batch: texts)
        } catch {
            let index: Int?
            let problem: String
            switch error {
            case let .emptyText(i):
                index = i
                problem = "is empty (no tokens after removing whitespace and control characters)"
            case let .invalidUTF8(i, offset):
                index = i
                problem = "is not valid UTF-8 (first bad byte at byte \(offset) of the text)"
            case .modelNotFound, .invalidModel:
                throw Rejected(message: error.description)
            }
            let bad = index ?? 0
            try embed(Array(texts[..<bad]), firstNumber: firstNumber, embedder: embedder, label: label)
            throw Rejected(message: "\(label(firstNumber + bad)) \(problem)")
        }
        var out = ""
        out.reserveCapacity(batch.count * batch.dimension * 12)
        for i in 0..<batch.count {
            if batch.truncated[i] {
                StandardStreams.error("vecnode embed: note: \(label(firstNumber + i)) was truncated to "
                    + "\(embedder.maxTokens) tokens; only its beginning is embedded")
            }
            out += "["
            var separator = ""
            for x in batch[i] {
                guard x.isFinite else {
                    throw Rejected(message: "\(label(firstNumber + i)) produced a non-finite value; the model "
                        + "files may be corrupt: re-run scripts/fetch-model.sh")
                }
                out += separator
                out += x.description
                separator = ","
            }
            out += "]\n"
        }
        guard StandardStreams.output(out) else {
            throw Rejected(message: "cannot write to standard output: \(String(cString: strerror(errno)))")
        }
    }
}
