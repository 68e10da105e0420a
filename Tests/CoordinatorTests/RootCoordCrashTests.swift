import Foundation
import Testing

@testable import Coordinator

/// The restart bar with a real crash: a child process drives a root coordinator and prints every
/// acknowledgement; it is killed with SIGKILL at a random moment, then the coordinator is reopened here and
/// every acknowledged collection must be back, new timestamps above every acknowledged one, new ids above
/// every acknowledged id.
@Suite struct RootCoordCrashTests {
    struct CrashTestError: Error, CustomStringConvertible {
        let description: String
    }

    static func helperPath() throws -> String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("CoordinatorCrashHelper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw CrashTestError(description: "CoordinatorCrashHelper not found near \(exe.path); run `swift build --product CoordinatorCrashHelper`")
    }

    @Test func sigkillLosesNothingAcknowledged() async throws {
        let helper = try Self.helperPath()
        let dir = TemporaryDirectory()
        defer { dir.cleanup() }
        let seed: UInt64 = 20_261_128
        var rng = SeededRandom(seed: seed)
        var collections: [String: Int64] = [:]
        var maxTS: UInt64 = 0
        var maxID: Int64 = 0
        for round in 0..<6 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: helper)
            process.arguments = [dir.path, String(round)]
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let reader = out.fileHandleForReading
            var head = Data()
            if Int.random(in: 0..<6, using: &rng) == 0 {
                // Sometimes during start-up and recovery.
                usleep(UInt32.random(in: 0..<20_000, using: &rng))
            } else {
                let wanted = 2 + Int.random(in: 0..<60, using: &rng)  // "ready", then acknowledgements
                while head.reduce(0, { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }) < wanted {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    head.append(chunk)
                }
                usleep(UInt32.random(in: 0..<3_000, using: &rng))
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            head.append(reader.readDataToEndOfFile())
            guard process.terminationReason == .uncaughtSignal else {
                let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw CrashTestError(description: "seed \(seed) round \(round): child exited by itself: \(message)")
            }
            let text = String(decoding: head, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if !text.hasSuffix("\n") { lines.removeLast() }  // a line cut by the kill is not an acknowledgement
            for line in lines where line.hasPrefix("ack ") {
                let f = line.split(separator: " ")
                switch (f.count, f.count > 1 ? f[1] : "") {
                case (4, "collection"): collections[String(f[2])] = Int64(f[3])!
                case (3, "ts"): maxTS = max(maxTS, UInt64(f[2])!)
                case (3, "id"): maxID = max(maxID, Int64(f[2])!)
                default: throw CrashTestError(description: "malformed helper line '\(line)'")
                }
            }
            // Reopen here and check everything acknowledged so far.
            let coord = try RootCoord(configuration: RootCoord.Configuration(dataDirectory: dir.path))
            for (name, id) in collections {
                let info = try await coord.describeCollection(CollectionRef(name: name))
                #expect(info.id.rawValue == id, "seed \(seed) round \(round) collection \(name)")
                maxID = max(maxID, id + 1)  // the collection's partition id
            }
            let ts = try await coord.allocateTimestamps(count: 1)
            #expect(ts.first.rawValue > maxTS, "seed \(seed) round \(round): TSO went backwards")
            maxTS = ts.last.rawValue
            let ids = try await coord.allocateIDs(count: 1)
            #expect(ids.lowerBound > maxID, "seed \(seed) round \(round): id reused")
            maxID = ids.upperBound - 1
            await coord.close()
        }
        #expect(collections.count >= 5, "the child acknowledged too little to test anything")
    }
}
