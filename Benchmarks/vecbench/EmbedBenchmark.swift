import Embedding
import Foundation

/// `vecbench embed`: throughput and latency of the native all-MiniLM-L6-v2 embedder, and the matmul
/// kernel's GFLOP/s against the machine's AVX2 peak.
let embedCommand = BenchCommand(
    name: "embed",
    summary: "text embedding: sentences/s (1 thread, 2-thread batches), latency, matmul GFLOP/s",
    run: { args in
        if args.contains("--help") {
            print("""
                usage: vecbench embed [--model DIR] [--data DIR] [--count N] [--threads N] [--seconds S]
                  --model    model directory (default $VECNODE_MODEL_DIR or models/all-MiniLM-L6-v2)
                  --data     pypi-minilm-100k directory with query_texts.tsv and texts.tsv
                             (default ../shared/datasets/pypi-minilm-100k)
                  --count    texts per workload (default 256)
                  --threads  worker threads for the batched runs (default 2)
                  --seconds  minimum time per measurement (default 2)
                  --only     kernel | texts: run only the matmul or only the sentence measurements
                Latency and "per CPU-second" figures use this thread's CPU time as well as wall time, so
                other processes competing for the cores show up as the gap between the two.
                """)
            return
        }
        let flags = try FlagParser(args, valued: ["--model", "--data", "--count", "--threads", "--seconds", "--only"])
        let model = flags.string("--model") ?? ProcessInfo.processInfo.environment["VECNODE_MODEL_DIR"]
            ?? "models/all-MiniLM-L6-v2"
        let data = flags.string("--data") ?? EmbedBench.defaultDataDirectory()
        let count = try flags.int("--count", default: 256)
        let threads = try flags.int("--threads", default: 2)
        guard count > 0, threads > 0 else { throw BenchError("--count and --threads must be positive") }
        let secondsText = flags.string("--seconds") ?? "2"
        guard let seconds = Double(secondsText), seconds > 0 else { throw BenchError("--seconds expects a positive number") }

        let only = flags.string("--only")
        guard only == nil || only == "kernel" || only == "texts" else { throw BenchError("--only expects kernel or texts") }
        if only != "kernel" {
        let shortTexts = try EmbedBench.shortQueries(path: data + "/query_texts.tsv", count: count)
        let longTexts = try EmbedBench.thirtyWordTexts(path: data + "/texts.tsv", count: count)
        // Texts long enough to be truncated at 256 tokens, the worst case per text.
        let maxTexts = (0..<min(count, 16)).map { i in
            (0..<12).map { longTexts[(i * 12 + $0) % longTexts.count] }.joined(separator: " ")
        }

        let loadStart = Date()
        let single = try TextEmbedder(modelDirectory: model, threads: 1)
        let batched = try TextEmbedder(modelDirectory: model, threads: threads)
        print("model loaded twice in \(EmbedBench.f(Date().timeIntervalSince(loadStart), 2)) s; dimension \(single.dimension)")

        for (name, texts) in [("short queries (≤ 8 words)", shortTexts), ("30-word texts", longTexts),
                              ("360-word texts (truncated to 256 tokens)", maxTexts)] {
            let tokens = try texts.map { try single.tokenize($0).ids.count }
            let meanTokens = Double(tokens.reduce(0, +)) / Double(tokens.count)
            print("\n\(name): \(texts.count) texts, mean \(EmbedBench.f(meanTokens, 1)) tokens incl. [CLS]/[SEP]")
            // One at a time on this thread: latency per query.
            _ = try single.embed(texts[0])
            var latencies: [Double] = [], cpu: [Double] = []
            let s0 = Date()
            var i = 0
            while Date().timeIntervalSince(s0) < seconds || i < texts.count {
                let c0 = threadCPUSeconds()
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try single.embed(texts[i % texts.count])
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                cpu.append((threadCPUSeconds() - c0) * 1000)
                i += 1
            }
            let total = latencies.reduce(0, +), cpuTotal = cpu.reduce(0, +)
            latencies.sort()
            cpu.sort()
            print("  1 thread, one at a time: \(EmbedBench.f(Double(latencies.count) / total * 1000, 1)) sentences/s "
                + "(\(EmbedBench.f(Double(cpu.count) / cpuTotal * 1000, 1)) per CPU-second); "
                + "latency p50 \(EmbedBench.f(EmbedBench.pct(latencies, 0.5), 2)) ms, "
                + "p99 \(EmbedBench.f(EmbedBench.pct(latencies, 0.99), 2)) ms; "
                + "CPU time p50 \(EmbedBench.f(EmbedBench.pct(cpu, 0.5), 2)) ms, p99 \(EmbedBench.f(EmbedBench.pct(cpu, 0.99), 2)) ms")
            for (label, embedder) in [("1 thread, batched", single), ("\(threads) threads, batched", batched)] {
                _ = try embedder.embed(batch: Array(texts.prefix(16)))
                var n = 0
                let b0 = Date()
                let p0 = processCPUSeconds()
                repeat {
                    _ = try embedder.embed(batch: texts)
                    n += texts.count
                } while Date().timeIntervalSince(b0) < seconds
                let wall = Date().timeIntervalSince(b0), cpu = processCPUSeconds() - p0
                print("  \(label): \(EmbedBench.f(Double(n) / wall, 1)) sentences/s (batches of \(texts.count)); "
                    + "\(EmbedBench.f(Double(n) / cpu, 1)) per CPU-second, \(EmbedBench.f(cpu / wall, 2)) cores busy")
            }
        }

        }

        if only != "texts" {
        let ghz = EmbedBench.clockGHz()
        let peak = 2 * 8 * 2 * ghz
        let measuredPeak = KernelBenchmark.registerFMAPeakGFLOPS(seconds: min(seconds, 0.5))
        print("\nmatmul kernel, 1 thread, GFLOP/s per CPU-second")
        print("  peak estimate: 2 FMA ports × 8 floats × 2 flops × \(EmbedBench.f(ghz, 2)) GHz (/proc/cpuinfo) "
            + "= \(EmbedBench.f(peak, 1)) GFLOP/s")
        print("  measured register-only AVX2 FMA peak: \(EmbedBench.f(measuredPeak, 1)) GFLOP/s "
            + "(implies \(EmbedBench.f(measuredPeak / 32, 2)) GHz: the cpuinfo clock is nominal)")
        for (m, k, n, what) in [(8, 384, 1152, "QKV, one short query"), (8, 384, 1536, "FFN up, one short query"),
                                (192, 384, 1536, "FFN up, one batch work item"),
                                (192, 1536, 384, "FFN down, one batch work item"),
                                (192, 384, 1152, "QKV, one batch work item")] {
            let g = KernelBenchmark.matrixMultiplyGFLOPS(m: m, k: k, n: n, seconds: min(seconds, 1))
            print("  \(m)×\(k) · \(k)×\(n) (\(what)): \(EmbedBench.f(g, 1)) GFLOP/s = \(EmbedBench.f(100 * g / peak, 0))% of cpuinfo peak, \(EmbedBench.f(100 * g / measuredPeak, 0))% of measured")
        }
        for m in [12, 48, 192] {
            let g = KernelBenchmark.modelStreamGFLOPS(m: m, seconds: min(seconds, 1))
            print("  \(m) rows through all 24 weight matrices of the model (42 MB, streamed from L3/DRAM): "
                + "\(EmbedBench.f(g, 1)) GFLOP/s = \(EmbedBench.f(100 * g / measuredPeak, 0))% of measured peak")
        }
        }
    })

/// Helpers of the embed benchmark.
enum EmbedBench {
    static func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    static func pct(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    static func defaultDataDirectory() -> String {
        for d in ["../shared/datasets/pypi-minilm-100k", "/work/shared/datasets/pypi-minilm-100k"]
        where FileManager.default.fileExists(atPath: d + "/query_texts.tsv") { return d }
        return "../shared/datasets/pypi-minilm-100k"
    }

    /// The `text` column of an `id<TAB>text` file.
    static func texts(path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path), let s = String(data: data, encoding: .utf8) else {
            throw BenchError("cannot read \(path) (use --data)")
        }
        return s.split(separator: "\n").compactMap { line in
            line.split(separator: "\t", maxSplits: 1).dropFirst().first.map(String.init)
        }
    }

    /// Query texts of at most 8 words, cycled to `count`.
    static func shortQueries(path: String, count: Int) throws -> [String] {
        let short = try texts(path: path).filter { $0.split(separator: " ").count <= 8 }
        guard !short.isEmpty else { throw BenchError("no query of ≤ 8 words in \(path)") }
        return (0..<count).map { short[$0 % short.count] }
    }

    /// Base texts concatenated and cut into 30-word texts.
    static func thirtyWordTexts(path: String, count: Int) throws -> [String] {
        var out: [String] = []
        var words: [Substring] = []
        for t in try texts(path: path) {
            words += t.split(separator: " ")
            while words.count >= 30 {
                out.append(words.prefix(30).joined(separator: " "))
                words.removeFirst(30)
                if out.count == count { return out }
            }
        }
        guard !out.isEmpty else { throw BenchError("\(path) has too few words") }
        return out
    }

    /// The clock from /proc/cpuinfo's first "cpu MHz" line, in GHz (2.0 if unreadable).
    static func clockGHz() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return 2 }
        for line in s.split(separator: "\n") where line.hasPrefix("cpu MHz") {
            if let v = line.split(separator: ":").last.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
                return v / 1000
            }
        }
        return 2
    }
}
