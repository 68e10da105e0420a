import Wire

// User calls of the root coordinator (kinds 0x0270…0x0274). Users live in the meta store as salted SHA-256
// digests (`UserCredential`); the root user is created on first start with the configured password.
// Passwords travel in these bodies as they arrived over HTTP: protect the cluster network (docs/wire-protocol.md).

private let userNameLimit = 64
private let passwordLimit = 512

/// Creates a user.
public struct CreateUser: WireRequest, Equatable {
    public static let kind = MessageKind(0x0270)
    public typealias Response = WireEmpty
    public var name: String
    public var password: String
    public init(name: String, password: String) {
        self.name = name
        self.password = password
    }
    public func encode(into w: inout WireWriter) {
        w.writeString(name)
        w.writeString(password)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        name = try r.readString(limit: userNameLimit)
        password = try r.readString(limit: passwordLimit)
    }
}

/// Drops a user (not `root`).
public struct DropUser: WireRequest, Equatable {
    public static let kind = MessageKind(0x0271)
    public typealias Response = WireEmpty
    public var name: String
    public init(name: String) { self.name = name }
    public func encode(into w: inout WireWriter) { w.writeString(name) }
    public init(from r: inout WireReader) throws(WireDecodingError) { name = try r.readString(limit: userNameLimit) }
}

/// User names, sorted.
public struct ListUsers: WireRequest, Equatable {
    public static let kind = MessageKind(0x0272)
    public typealias Response = NameList
    public init() {}
    public func encode(into w: inout WireWriter) {}
    public init(from r: inout WireReader) throws(WireDecodingError) {}
}

/// Changes a user's password, given the old one.
public struct UpdatePassword: WireRequest, Equatable {
    public static let kind = MessageKind(0x0273)
    public typealias Response = WireEmpty
    public var name: String
    public var oldPassword: String
    public var newPassword: String
    public init(name: String, oldPassword: String, newPassword: String) {
        self.name = name
        self.oldPassword = oldPassword
        self.newPassword = newPassword
    }
    public func encode(into w: inout WireWriter) {
        w.writeString(name)
        w.writeString(oldPassword)
        w.writeString(newPassword)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        name = try r.readString(limit: userNameLimit)
        oldPassword = try r.readString(limit: passwordLimit)
        newPassword = try r.readString(limit: passwordLimit)
    }
}

/// Whether the name and password are valid credentials (false for unknown users and wrong passwords).
public struct VerifyUser: WireRequest, Equatable {
    public static let kind = MessageKind(0x0274)
    public typealias Response = Bool
    public var name: String
    public var password: String
    public init(name: String, password: String) {
        self.name = name
        self.password = password
    }
    public func encode(into w: inout WireWriter) {
        w.writeString(name)
        w.writeString(password)
    }
    public init(from r: inout WireReader) throws(WireDecodingError) {
        name = try r.readString(limit: userNameLimit)
        password = try r.readString(limit: passwordLimit)
    }
}
