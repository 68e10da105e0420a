import Wire

extension RootCoord {
    /// The wire routes of every root-coordinator call; serve it with `transport.listen(on:handler:)`.
    public nonisolated func router() -> WireRouter {
        var r = WireRouter()
        r.on(CreateDatabase.self) { req, _ in try await self.createDatabase(req.name) }
        r.on(DropDatabase.self) { req, _ in
            try await self.dropDatabase(req.name)
            return WireEmpty()
        }
        r.on(ListDatabases.self) { _, _ in NameList(names: await self.listDatabases()) }
        r.on(CreateCollection.self) { req, _ in try await self.createCollection(req.request) }
        r.on(DescribeCollection.self) { req, _ in try await self.describeCollection(req.collection) }
        r.on(ListCollections.self) { req, _ in NameList(names: try await self.listCollections(database: req.database)) }
        r.on(DropCollection.self) { req, _ in
            try await self.dropCollection(req.collection)
            return WireEmpty()
        }
        r.on(RenameCollection.self) { req, _ in
            try await self.renameCollection(req.collection, to: req.newName)
            return WireEmpty()
        }
        r.on(CreatePartition.self) { req, _ in try await self.createPartition(req.collection, partition: req.partition) }
        r.on(DropPartition.self) { req, _ in
            try await self.dropPartition(req.collection, partition: req.partition)
            return WireEmpty()
        }
        r.on(ListPartitions.self) { req, _ in PartitionList(partitions: try await self.listPartitions(req.collection)) }
        r.on(CreateAlias.self) { req, _ in
            try await self.createAlias(req.request)
            return WireEmpty()
        }
        r.on(DropAlias.self) { req, _ in
            try await self.dropAlias(req.request)
            return WireEmpty()
        }
        r.on(AlterAlias.self) { req, _ in
            try await self.alterAlias(req.request)
            return WireEmpty()
        }
        r.on(ListAliases.self) { req, _ in
            let pairs = try await self.listAliases(database: req.database)
            return AliasList(aliases: pairs.map { AliasBinding(alias: $0.alias, collection: $0.collection) })
        }
        r.on(CreateIndexSpec.self) { req, _ in
            try await self.createIndexSpec(req.collection, spec: req.spec)
            return WireEmpty()
        }
        r.on(DropIndexSpec.self) { req, _ in
            try await self.dropIndexSpec(req.collection, field: req.field)
            return WireEmpty()
        }
        r.on(AllocateTimestamps.self) { req, _ in try await self.allocateTimestamps(count: Int(req.count)) }
        r.on(AllocateIDs.self) { req, _ in IDRange(try await self.allocateIDs(count: Int(req.count))) }
        r.on(RegisterSession.self) { req, _ in
            let id = try await self.registerSession(nodeID: req.nodeID, role: req.role, address: req.address)
            return SessionGrant(sessionID: id, ttlMilliseconds: UInt64(self.sessionTTLMilliseconds))
        }
        r.on(RenewSession.self) { req, _ in
            try await self.renewSession(req.sessionID)
            return WireEmpty()
        }
        r.on(DeregisterSession.self) { req, _ in
            await self.deregisterSession(req.sessionID)
            return WireEmpty()
        }
        r.on(ListLiveNodes.self) { req, _ in LiveNodes(sessions: await self.liveNodes(role: req.role)) }
        r.on(WatchSessionEvents.self) { req, _ in await self.sessionEvents(after: req.afterSequence) }
        r.on(CreateUser.self) { req, _ in
            try await self.createUser(name: req.name, password: req.password)
            return WireEmpty()
        }
        r.on(DropUser.self) { req, _ in
            try await self.dropUser(name: req.name)
            return WireEmpty()
        }
        r.on(ListUsers.self) { _, _ in NameList(names: await self.listUsers()) }
        r.on(UpdatePassword.self) { req, _ in
            try await self.updatePassword(name: req.name, oldPassword: req.oldPassword, newPassword: req.newPassword)
            return WireEmpty()
        }
        r.on(VerifyUser.self) { req, _ in try await self.verifyUser(name: req.name, password: req.password) }
        r.on(AlterCollectionProperties.self) { req, _ in
            try await self.alterCollectionProperties(req.collection, set: req.set, remove: req.remove)
            return WireEmpty()
        }
        return r
    }
}
