import Foundation
import Store

/// One running Exim process, as the processes pane lists it (like `exiwhat`, but read
/// from `/proc` without signalling anything): pid, parent, age, and what it is doing.
public struct EximProcess: Sendable, Equatable {
    /// The process id.
    public var pid: Int
    /// The parent's process id.
    public var parentPID: Int
    /// Seconds since the process started.
    public var ageSeconds: Int
    /// The kernel's short name (`/proc/PID/comm`), e.g. `exim4`.
    public var name: TaintedString
    /// The process title: its command line as it stands now (`/proc/PID/cmdline`, the
    /// NULs between arguments made spaces), which Exim may have rewritten. Tainted: any
    /// user can start a process whose title holds escape sequences.
    public var title: TaintedString
    /// What it is doing, read from its arguments when they say (inferred from Exim's
    /// documented options: `-bd` daemon, `-q…` queue runner, `-M…`/`-Mc` delivery of a
    /// message, `-bs` SMTP on stdin, `-t`/`-bm` local submission), else nil.
    public var activity: String?

    /// Creates a process entry.
    public init(pid: Int, parentPID: Int, ageSeconds: Int, name: TaintedString, title: TaintedString, activity: String?) {
        self.pid = pid
        self.parentPID = parentPID
        self.ageSeconds = ageSeconds
        self.name = name
        self.title = title
        self.activity = activity
    }
}

/// Reads the running Exim processes from `/proc` (a reader: no curses, no pools; the
/// result is plain values for the snapshot). A process is Exim's when its kernel name
/// (`comm`) or the file name of its first argument is `exim`, `exim4` or starts with
/// `exim-` (versioned binaries such as `exim-4.98-1`).
public struct EximProcessReader: Sendable {
    /// The `/proc` directory (tests point it elsewhere).
    public let root: String
    /// Most processes listed (a busy server may run hundreds; the pane shows the oldest first).
    public static let limit = 500

    /// A reader of `root` (default `/proc`).
    public init(root: String = "/proc") { self.root = root }

    /// The Exim processes running now, oldest first (then by pid). Unreadable or vanished
    /// processes are skipped: a process may end while it is being read.
    public func read() -> [EximProcess] {
        guard let dir = opendir(root) else { return [] }
        defer { closedir(dir) }
        let uptime = EximProcessReader.uptime(root: root)
        let ticks = max(1, Double(sysconf(Int32(_SC_CLK_TCK))))
        var found: [EximProcess] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int(name), pid > 0 else { continue }
            let base = root + "/" + name
            guard let comm = EximProcessReader.file(base + "/comm", limit: 64) else { continue }
            let commName = EximProcessReader.trimmed(comm)
            let argv = EximProcessReader.file(base + "/cmdline", limit: 4096) ?? []
            let args = argv.split(separator: 0, omittingEmptySubsequences: false).map { Array($0) }
            let first = args.first.map { String(decoding: $0.split(separator: UInt8(ascii: "/")).last ?? [], as: UTF8.self) } ?? ""
            guard EximProcessReader.isExim(String(decoding: commName, as: UTF8.self)) || EximProcessReader.isExim(first) else { continue }
            var parent = 0
            var age = 0
            if let stat = EximProcessReader.file(base + "/stat", limit: 2048),
               let close = stat.lastIndex(of: UInt8(ascii: ")")) {
                // fields after "(comm)": state ppid ... starttime is field 22 overall (index 19 here)
                let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
                if fields.count > 19 {
                    parent = Int(String(decoding: fields[1], as: UTF8.self)) ?? 0
                    if let start = Double(String(decoding: fields[19], as: UTF8.self)), let uptime {
                        age = max(0, Int(uptime - start / ticks))
                    }
                }
            }
            var titleBytes = argv
            while titleBytes.last == 0 { titleBytes.removeLast() }
            for i in titleBytes.indices where titleBytes[i] == 0 { titleBytes[i] = 0x20 }
            let words = args.map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
            found.append(EximProcess(pid: pid, parentPID: parent, ageSeconds: age,
                                     name: TaintedString(taintingBytes: commName), title: TaintedString(taintingBytes: titleBytes),
                                     activity: EximProcessReader.activity(words)))
            if found.count >= 4 * EximProcessReader.limit { break }
        }
        found.sort { $0.ageSeconds != $1.ageSeconds ? $0.ageSeconds > $1.ageSeconds : $0.pid < $1.pid }
        return Array(found.prefix(EximProcessReader.limit))
    }

    /// Whether a program name is Exim's.
    static func isExim(_ name: String) -> Bool {
        name == "exim" || name == "exim4" || name.hasPrefix("exim-") || name.hasPrefix("exim4-")
    }

    /// What Exim's arguments say it is doing (Exim's documented command-line options).
    /// A title Exim rewrote (`exim4: …`) is shown as it is, so this returns nil for it.
    static func activity(_ args: [String]) -> String? {
        guard args.count > 1 else { return nil }
        let rest = Array(args.dropFirst())
        func id(after option: String) -> String? {
            guard let i = rest.firstIndex(of: option), i + 1 < rest.count else { return nil }
            return rest[i + 1]
        }
        if rest.contains("-bd") {
            let q = rest.first { $0.hasPrefix("-q") }
            return "daemon" + (q.map { ", queue runs \($0)" } ?? "")
        }
        if let m = id(after: "-Mc") { return "delivering \(m)" }
        if let m = id(after: "-M") { return "delivering \(m) (forced)" }
        if rest.contains("-bs") { return "SMTP session on stdin" }
        if rest.contains("-bS") { return "batched SMTP input" }
        if rest.contains(where: { $0.hasPrefix("-q") || $0.hasPrefix("-R") || $0.hasPrefix("-S") }) { return "queue run" }
        if rest.contains("-t") || rest.contains("-bm") || rest.contains("-oi") { return "local submission" }
        if rest.contains("-bp") || rest.contains("-bpc") || rest.contains("-bpu") { return "listing the queue" }
        return nil
    }

    /// Reads at most `limit` bytes of a small file; nil when it cannot be read.
    static func file(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, limit - total) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            total += n
        }
        return Array(buffer.prefix(total))
    }

    static func trimmed(_ b: [UInt8]) -> [UInt8] {
        var out = b
        while let last = out.last, last == 0x0A || last == 0 { out.removeLast() }
        return out
    }

    /// Seconds since boot (`/proc/uptime`).
    static func uptime(root: String) -> Double? {
        guard let b = file(root + "/uptime", limit: 128) else { return nil }
        return Double(String(decoding: b.prefix { $0 != 0x20 }, as: UTF8.self))
    }
}
