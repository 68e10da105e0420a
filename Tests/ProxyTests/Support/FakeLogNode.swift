import Node
import Shard
import Synchronization
import Wire

/// A test stand-in for the log node: channels as in-memory record lists, with the message contract's
/// timestamp rule (stored timestamp = max(given, last)). No durability, no long poll.
final class FakeLogNode: Sendable {
    private let channels = Mutex<[ChannelName: [ChannelRecord]]>([:])
    let appends = Atomic<Int>(0)

    func router() -> WireRouter {
        var r = WireRouter()
        r.on(AppendToChannel.self) { req, _ in
            self.appends.add(1, ordering: .relaxed)
            return self.channels.withLock { c in
                var list = c[req.channel] ?? []
                let ts = max(req.timestamp, list.last?.timestamp ?? 0)
                let position = LogPosition(UInt64(list.count))
                list.append(ChannelRecord(position: position, recordKind: req.recordKind, timestamp: ts, payload: req.payload))
                c[req.channel] = list
                return AppendAck(position: position, timestamp: ts)
            }
        }
        r.on(ReadChannel.self) { req, _ in
            self.channels.withLock { c in
                let list = c[req.channel] ?? []
                let from = Int(min(UInt64(list.count), req.from.rawValue))
                let upTo = min(list.count, from + req.maxRecords)
                return ChannelRecords(records: Array(list[from..<upTo]), end: LogPosition(UInt64(list.count)))
            }
        }
        r.on(DescribeChannel.self) { req, _ in
            self.channels.withLock { c in
                let list = c[req.channel] ?? []
                return ChannelState(first: LogPosition(0), end: LogPosition(UInt64(list.count)), lastTimestamp: list.last?.timestamp ?? 0)
            }
        }
        r.on(DropChannel.self) { req, _ in
            _ = self.channels.withLock { $0.removeValue(forKey: req.channel) }
            return WireEmpty()
        }
        return r
    }

    func records(_ channel: ChannelName) -> [ChannelRecord] { channels.withLock { $0[channel] ?? [] } }
    var channelNames: [ChannelName] { channels.withLock { Array($0.keys) } }
}
