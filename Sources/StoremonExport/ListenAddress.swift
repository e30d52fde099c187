import FlyingSocks
import Glibc

/// Why the exporter cannot listen or write (each a sentence for the user; exit code 1).
public struct ExportError: Error, CustomStringConvertible, Equatable {
    /// The sentence.
    public let description: String

    /// Creates an error with its sentence.
    public init(_ description: String) { self.description = description }
}

/// A `HOST:PORT` to listen on: `127.0.0.1:9637`, `[::1]:9637`, `localhost:9637`, `0.0.0.0:9637`,
/// or `:9637` (every IPv4 and IPv6 address). Port 0 asks the system for a free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// storemon export's default port. exim_exporter has 9636; 9637, next to it, lets both
    /// run side by side on one mail server.
    public static let defaultPort: UInt16 = 9637
    /// The default: loopback only, so nothing is exposed that the administrator did not open.
    public static let `default` = ListenAddress(host: "127.0.0.1", port: defaultPort)

    /// The host as given (an address or a name; empty for every address).
    public var host: String
    /// The port.
    public var port: UInt16

    /// The address as `HOST:PORT` (IPv6 in brackets).
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Creates an address from its parts.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`.
    ///
    /// - Throws: `ExportError` naming what is wrong (no port, a port out of range, brackets).
    public init(parsing text: String) throws(ExportError) {
        let example = "expected HOST:PORT, e.g. 127.0.0.1:\(ListenAddress.defaultPort) or [::1]:\(ListenAddress.defaultPort)"
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ExportError("bad listen address \"\(text)\": \(example)")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ExportError("bad listen address \"\(text)\": no port; \(example)")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                throw ExportError("bad listen address \"\(text)\": put an IPv6 address in brackets; \(example)")
            }
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
              let port = Int(portText), port <= 65535 else {
            throw ExportError("bad listen address \"\(text)\": the port must be a number from 0 to 65535")
        }
        if host == "*" { host = "" }
        self.init(host: String(host), port: UInt16(port))
    }

    /// The socket address to bind: a numeric address as it is, a name through the resolver
    /// (`localhost`), an empty host as every IPv6 and IPv4 address.
    ///
    /// - Throws: `ExportError` when the host is not an address and does not resolve.
    public func socketAddress() throws(ExportError) -> any SocketAddress {
        if host.isEmpty { return sockaddr_in6.inet6(port: port) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            let why = rc == 0 ? "no address" : String(cString: gai_strerror(rc))
            throw ExportError("bad listen address \"\(description)\": cannot resolve \(host): \(why)")
        }
        defer { freeaddrinfo(result) }
        // Prefer IPv4 when a name has both (localhost), as 127.0.0.1 is the documented default.
        var chosen = first
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let a = p {
            if a.pointee.ai_family == AF_INET { chosen = a; break }
            p = a.pointee.ai_next
        }
        switch chosen.pointee.ai_family {
        case AF_INET:
            return chosen.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
        case AF_INET6:
            return chosen.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
        default:
            throw ExportError("bad listen address \"\(description)\": not an IP address")
        }
    }
}
