/// Reads whole frames from a socket: buffered, so one `recv` can deliver many small frames, while a large
/// body is received straight into its own array (no double copy). Used only by its connection's reader
/// thread.
///
/// The header is validated (`FrameHeader.decode`, including the size limit) before the body is allocated,
/// and the body's CRC before it is returned.
final class FrameReader {
    enum Failure: Error {
        /// The peer closed the connection between frames.
        case closed
        /// The stream ended inside a frame.
        case truncated
        case socket(SocketError)
        case frame(FrameError)
    }

    private let fd: Int32
    private let maxBodySize: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// When set, reads fail with a timed-out `SocketError` once it passes (the handshake's total budget, so
    /// a peer trickling one byte at a time cannot hold the connection open past it).
    var deadline: ContinuousClock.Instant?

    init(fd: Int32, maxBodySize: Int, bufferSize: Int = 64 << 10) {
        self.fd = fd
        self.maxBodySize = maxBodySize
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Reads more bytes into the buffer, compacting first; false at end of stream.
    private func refill() throws(Failure) -> Bool {
        if start == end {
            start = 0
            end = 0
        } else if end == buffer.count {
            let n = end - start
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: n)
            start = 0
            end = n
        }
        let n: Int
        do throws(SocketError) {
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero else {
                    throw SocketError(operation: "recv", reason: "deadline passed", timedOut: true)
                }
                Socket.setReceiveTimeout(fd, left)
            }
            n = try Socket.receive(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        } catch {
            throw .socket(error)
        }
        end += n
        return n > 0
    }

    /// The next frame's header and body.
    func next() throws(Failure) -> (FrameHeader, [UInt8]) {
        while end - start < FrameHeader.size {
            if !(try refill()) { throw start == end ? .closed : .truncated }
        }
        let header: FrameHeader
        do {
            header = try FrameHeader.decode(
                UnsafeRawBufferPointer(rebasing: buffer[start..<(start + FrameHeader.size)]), maxBodySize: maxBodySize)
        } catch {
            throw .frame(error)
        }
        start += FrameHeader.size
        let length = Int(header.bodyLength)
        var failure: Failure?
        let body = [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
            initialized = length
            var filled = 0
            while filled < length {
                if start == end {
                    if length - filled >= buffer.count / 2 && deadline == nil {
                        do throws(SocketError) {
                            let n = try Socket.receive(
                                fd, into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(out)[filled...]))
                            if n == 0 { failure = .truncated; return }
                            filled += n
                        } catch {
                            failure = .socket(error)
                            return
                        }
                        continue
                    }
                    do throws(Failure) {
                        if !(try refill()) { failure = .truncated; return }
                    } catch {
                        failure = error
                        return
                    }
                }
                let n = min(end - start, length - filled)
                UnsafeMutableRawPointer(out.baseAddress! + filled).copyMemory(from: buffer.baseAddress! + start, byteCount: n)
                start += n
                filled += n
            }
        }
        if let failure { throw failure }
        let verified = body.withUnsafeBytes { raw in Result { () throws(FrameError) in try header.verifyBody(raw) } }
        if case .failure(let error) = verified { throw .frame(error) }
        return (header, body)
    }
}
