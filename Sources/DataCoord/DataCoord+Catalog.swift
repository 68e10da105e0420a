import Coordinator
import Foundation
import Node
import Wire

// Following the root coordinator's catalog: which collections exist, with how many shards.
extension DataCoord {
    /// Reads every collection of every database. Only a complete read (every call answered) may drop
    /// collections; a partial one only adds.
    func pollCatalog() async {
        let options = CallOptions(timeout: configuration.callTimeout)
        var found: [CollectionID: CollectionInfo] = [:]
        do {
            let databases = try await rootClient.call(ListDatabases(), options: options).names
            for database in databases {
                let names = try await rootClient.call(ListCollections(database: database), options: options).names
                for name in names {
                    do {
                        let info = try await rootClient.call(DescribeCollection(CollectionRef(database: database, name: name)), options: options)
                        found[info.id] = info
                    } catch where error.code == .collectionNotFound {
                        continue  // dropped between the list and the describe
                    }
                }
            }
        } catch {
            logger.debug("catalog poll failed", ["error": "\(error)"])
            for (id, info) in found where collections[id] == nil { collections[id] = info }
            return
        }
        applyCatalog(found)
    }

    /// Adopts a complete catalog read: records for new collections, dropped ones cleaned up.
    func applyCatalog(_ found: [CollectionID: CollectionInfo]) {
        let known = catalogKnown
        collections = found
        catalogKnown = true
        var changed = !known
        for (id, info) in found where records[id] == nil || records[id]!.shards.count != info.shardsNum {
            do { try persist(CollectionChannels(id: id, shardsNum: info.shardsNum)) } catch {
                logger.error("persisting a new collection failed", ["collection": id.rawValue, "error": "\(error)"])
                continue
            }
            logger.info("collection followed", ["collection": id.rawValue, "shards": info.shardsNum])
            changed = true
        }
        for id in records.keys.sorted() where found[id] == nil {
            dropped(id)
            changed = true
        }
        if changed { reassign() }
    }

    /// A collection left the catalog: unwatch its channels, forget it, delete its objects.
    func dropped(_ id: CollectionID) {
        guard let record = records[id] else { return }
        for (shard, s) in record.shards.enumerated() {
            let key = ChannelKey(collection: id, shard: shard)
            inFlight.removeValue(forKey: key)?.cancel()
            watched[key] = nil
            if let owner = s.owner, let session = dataNodes[owner], let address = try? WireAddress(parsing: session.address) {
                let client = transport.client(for: address)
                let ref = ShardRef(collection: id.rawValue, shard: shard)
                Task { _ = try? await client.call(UnwatchChannel(ref: ref), options: CallOptions(timeout: .seconds(30))) }
            }
        }
        do { _ = try store.delete(CollectionChannels.key(id)) } catch {
            logger.error("forgetting a dropped collection failed", ["collection": id.rawValue, "error": "\(error)"])
            return
        }
        records[id] = nil
        let directory = SharedObjectStore.collectionDirectory(root: configuration.objectStore, collection: id.rawValue)
        try? FileManager.default.removeItem(atPath: directory)
        logger.info("collection dropped; channels unwatched and objects deleted", ["collection": id.rawValue, "dir": directory])
    }
}
