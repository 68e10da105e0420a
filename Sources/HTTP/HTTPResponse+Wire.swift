extension HTTPResponse {
    /// How the `connection` field is written.
    enum ConnectionField { case none, keepAlive, close }

    /// Appends the response in HTTP/1.1 wire format: status line, handler fields (minus framing fields the
    /// server owns), `content-length`, the common fields (`date` + configured extras), `connection`, blank line, body (omitted for HEAD, 1xx, 204, 304).
    func write(to out: inout ByteBuffer, headOnly: Bool, connection: ConnectionField, commonFields: [UInt8]) {
        out.append(HTTPStatus.wireLines[status.code - 100])
        headers.forEachRaw { name, value in
            if equalsLowercase(name, "content-length") || equalsLowercase(name, "transfer-encoding")
                || equalsLowercase(name, "connection") || equalsLowercase(name, "date") { return }
            out.append(name)
            out.append(": ")
            out.append(value)
            out.append("\r\n")
        }
        let bodyless = status.code < 200 || status.code == 204 || status.code == 304
        if !bodyless {
            out.append("content-length: ")
            out.appendDecimal(body.count)
            out.append("\r\n")
        }
        out.append(commonFields)
        switch connection {
        case .none: break
        case .keepAlive: out.append("connection: keep-alive\r\n")
        case .close: out.append("connection: close\r\n")
        }
        out.append("\r\n")
        if !headOnly && !bodyless { out.append(body) }
    }
}
