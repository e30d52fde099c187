import FixtureSupport
import Foundation
import Glibc
import StoremonCore

/// Helpers shared by the exporter's tests: the built binary, processes started through
/// `ChildProcess` with their output in files, a tiny HTTP client, and Debian's prometheus.
enum ExportSupport {
    /// The built `storemon` executable (next to the test bundle).
    static var storemon: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("storemon").path
    }

    /// `Tests/Fixtures/exim-real` (the one fixture locator).
    static var fixtures: String { Fixtures.root.path }

    /// `contrib/` at the top of the package (two levels above `Tests/Fixtures`).
    static var contrib: String {
        Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("contrib").path
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ tag: String) throws -> String {
        try Fixtures.temporaryDirectory("export-" + tag)
    }

    /// A copy of the real fixtures laid out as Exim does (`spool/input`, `spool/log/mainlog`);
    /// returns the spool directory.
    static func fixtureSpool() throws -> String {
        let spool = try temporaryDirectory("spool") + "/spool"
        let fm = FileManager.default
        try fm.createDirectory(atPath: spool, withIntermediateDirectories: true)
        try fm.copyItem(atPath: fixtures + "/spool/input", toPath: spool + "/input")
        try fm.copyItem(atPath: fixtures + "/log", toPath: spool + "/log")
        return spool
    }

    /// Finds an executable on PATH (and the usual system directories).
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin", "/bin", "/usr/local/bin"] {
            let p = dir + "/" + name
            if access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    /// A free TCP port on 127.0.0.1 (bound to port 0, read back, released).
    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: addr.sin_port)
    }
}

extension ExportSupport {
    /// Starts `argv` (argv[0] an absolute path) through StoremonCore's `ChildProcess`, the
    /// one spawner (empty signal mask and default dispositions, so SIGTERM reaches it even
    /// though the test runner's threads block it): stdin /dev/null, stdout and stderr into
    /// new files in `directory` (`ChildProcess.stdout`, `.stderr` read them), Swift's
    /// backtracer off, `environment` set over ours.
    static func start(_ argv: [String], directory: String, environment: [String: String] = [:],
                      input: ChildProcess.Input = .null) throws -> ChildProcess {
        let base = directory + "/\(URL(fileURLWithPath: argv[0]).lastPathComponent)-\(UInt32.random(in: 0...UInt32.max))"
        var env = ["SWIFT_BACKTRACE": "enable=no"]
        for (k, v) in environment { env[k] = v }
        do {
            return try ChildProcess(argv, input: input, outputs: .files(stdout: base + ".out", stderr: base + ".err"),
                                    environment: env)
        } catch {
            throw ChildError(description: "cannot start \(argv[0]): \(error.reason)")
        }
    }

    /// Waits until `condition` holds (checked every 50 ms) or `seconds` pass; true when it held.
    @discardableResult
    static func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}

extension ChildProcess {
    /// Everything written to stdout so far (`.files` outputs).
    var stdout: String { outputFiles.flatMap { try? String(contentsOfFile: $0.stdout, encoding: .utf8) } ?? "" }
    /// Everything written to stderr so far (`.files` outputs).
    var stderr: String { outputFiles.flatMap { try? String(contentsOfFile: $0.stderr, encoding: .utf8) } ?? "" }
}

/// Why a child could not start.
struct ChildError: Error, CustomStringConvertible { let description: String }

/// A minimal HTTP/1.1 client for the tests (one request per connection).
enum HTTP {
    /// A response: status, headers (lower-cased names) and body.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends `method path` to 127.0.0.1:port with extra `headers`; nil when nothing answers.
    static func request(port: UInt16, _ path: String, method: String = "GET", headers: [String: String] = [:],
                        host: String = "127.0.0.1") -> Response? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr(host)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { return nil }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { request += "\(k): \(v)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { return nil }
        var raw: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { raw += buffer[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        guard let split = raw.indices.first(where: { raw[$0...].starts(with: [13, 10, 13, 10]) }) else { return nil }
        let head = String(decoding: raw[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[(split + 4)...])
        if let length = fields["content-length"].flatMap(Int.init), body.count > length { body = Array(body.prefix(length)) }
        return Response(status: status, headers: fields, body: body)
    }
}

/// Debian's prometheus package (the server and promtool), installed when absent.
enum PrometheusTools {
    /// `promtool` and `prometheus`, installing the package first when either is missing
    /// (`apt-get update` once, then the install; sudo when not root). Throws when that fails.
    static func paths() throws -> (promtool: String, prometheus: String) {
        try installed.get()
    }

    private static let installed: Result<(promtool: String, prometheus: String), ChildError> = {
        if let p = ExportSupport.which("promtool"), let s = ExportSupport.which("prometheus") { return .success((p, s)) }
        let sudo = getuid() == 0 ? "" : "sudo "
        let script = """
            set -e
            export DEBIAN_FRONTEND=noninteractive
            \(sudo)apt-get -o DPkg::Lock::Timeout=300 update -q
            \(sudo)apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends prometheus
            # Debian's package may start its own server (on :9090): the tests use a private one.
            if [ -d /run/systemd/system ]; then \(sudo)systemctl disable --now prometheus || true
            elif [ -x /etc/init.d/prometheus ]; then \(sudo)/etc/init.d/prometheus stop || true; fi
            """
        let log = NSTemporaryDirectory() + "storemon-prometheus-install-\(getpid()).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let status: Int32
        do {
            let child = try ChildProcess(["/bin/sh", "-c", script], outputs: .files(stdout: log, stderr: log))
            status = child.wait(timeout: 1200)?.code ?? -1
            if status == -1 { child.stop() }
        } catch {
            return .failure(ChildError(description: "cannot run apt-get: \(error)"))
        }
        guard status == 0, let promtool = ExportSupport.which("promtool"),
              let prometheus = ExportSupport.which("prometheus") else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return .failure(ChildError(description: "installing Debian's prometheus package failed (status \(status)): \(output.suffix(2000))"))
        }
        return .success((promtool, prometheus))
    }()

    /// Runs promtool with `arguments` (stdin from `input` when given); returns status and output.
    static func promtool(_ arguments: [String], input: String? = nil, directory: String) throws -> (status: Int32, output: String) {
        let tool = try paths().promtool
        let child = try ExportSupport.start([tool] + arguments, directory: directory, input: input == nil ? .null : .pipe)
        if let input {
            child.writeInput(Array(input.utf8))
            child.closeInput()
        }
        let status = child.wait(timeout: 60)?.code ?? -1
        if status == -1 { child.stop() }
        return (status, child.stdout + child.stderr)
    }
}
