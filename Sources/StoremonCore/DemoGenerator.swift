import Foundation

/// Makes realistic Exim traffic, one step at a time, into a spool directory laid out as
/// Exim's default (`<root>/log/mainlog`, `<root>/input/`, `<root>/msglog/`): main-log
/// lines of every kind (arrivals, local and remote deliveries, `->`, `>>`, `*>`, `(=`,
/// deferrals, bounces, rejections, queue runs, connections, freezes; both message id
/// formats; a few hostile bytes in HELO names) and `-H`/`-D` files that appear, get
/// partly delivered, frozen, and removed. The `-H` files follow Exim 4.96's format (as in
/// `Tests/Fixtures/exim-real/spool/input`), so the spool reader parses them.
///
/// Deterministic for a given seed and clock, so tests can check what it writes.
/// `DemoTraffic` runs it on a timer for `storemon --demo`.
public final class DemoGenerator {
    /// The spool root (holds `log/`, `input/`, `msglog/`).
    public let root: String
    /// `<root>/log/mainlog`.
    public var logPath: String { root + "/log/mainlog" }
    /// `<root>/input`.
    public var inputPath: String { root + "/input" }
    /// Messages currently in the queue (their ids).
    public var queuedIDs: [String] { queue.map(\.id) }
    /// Physical log lines written so far.
    public private(set) var linesWritten = 0
    /// Log lines written so far, by two-character flag text (`<=`, `=>`, …), for tests.
    public private(set) var flagsWritten: [String: Int] = [:]
    /// Rejection lines written so far.
    public private(set) var rejectionsWritten = 0

    private var rng: SplitMix64
    private let clock: () -> Date
    private var queue: [DemoMessage] = []
    private var pidCounter = 4200
    private var fractionCounter = 0
    private var queueRunPid: Int?
    private var step = 0

    /// Most messages the queue holds before the generator favours deliveries.
    public var queueTarget = 18

    /// Creates the directories under `root` (which must exist or be creatable).
    /// - Parameters: `seed` for the random choices; `clock` for timestamps and ids.
    public init(root: String, seed: UInt64 = 0x5EED, clock: @escaping () -> Date = Date.init) throws {
        self.root = root
        self.rng = SplitMix64(seed: seed)
        self.clock = clock
        let fm = FileManager.default
        for dir in ["log", "input", "msglog"] {
            try fm.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
        if !fm.fileExists(atPath: logPath) { _ = fm.createFile(atPath: logPath, contents: nil) }
    }

    /// Writes one event (one to a few log lines, maybe spool files). Returns the number of
    /// log lines written.
    @discardableResult
    public func step(count: Int = 1) throws -> Int {
        var written = 0
        for _ in 0..<count { written += try oneStep() }
        return written
    }

    /// Seeds a starting queue: `count` arrivals (a few of them frozen).
    public func seedQueue(_ count: Int) throws {
        for i in 0..<count {
            try arrival(frozen: i % 7 == 3)
        }
    }

    private func oneStep() throws -> Int {
        step += 1
        let before = linesWritten
        let crowded = queue.count >= queueTarget
        let roll = rng.next(100)
        switch roll {
        case 0..<30 where !crowded: try arrival(frozen: false)
        case 0..<30: try deliver()
        case 30..<52: try deliver()
        case 52..<60: try deferral()
        case 60..<65: try bounce()
        case 65..<74: try rejection()
        case 74..<79: try queueRun()
        case 79..<84: try connection()
        case 84..<87: try partialDelivery()
        case 87..<90: try hostile()
        case 90..<92: try rareFlag()
        case 92..<95: try freezeOrThaw()
        default: try arrival(frozen: false)
        }
        return linesWritten - before
    }

    // MARK: events

    private func arrival(frozen: Bool) throws {
        let id = newID()
        let sender = pick(DemoGenerator.senders)
        let n = 1 + rng.next(3) == 3 ? 2 : 1
        var recipients: [String] = []
        for _ in 0..<n { recipients.append(pick(DemoGenerator.recipients)) }
        let subject = pick(DemoGenerator.subjects)
        let helo = pick(DemoGenerator.helos)
        let ip = "192.0.2.\(10 + rng.next(200))"
        let message = DemoMessage(id: id, sender: sender, recipients: recipients, delivered: [], frozenSince: nil,
                                  received: clock(), helo: helo, ip: ip, subject: subject,
                                  bodyLines: 3 + rng.next(40), local: false)
        try writeSpool(message)
        queue.append(message)
        let size = message.approximateSize
        let logged = sender == "<>" ? "<>" : String(sender.dropFirst().dropLast())   // Exim logs `<= addr`, `<= <>`
        try log("\(id) <= \(logged) H=(\(helo)) [\(ip)]:\(30000 + rng.next(30000)) I=[127.0.0.1]:25 P=esmtp S=\(size) id=\(rng.next(1 << 30)).demo@\(helo) T=\"\(subject)\" for \(recipients.joined(separator: " "))", flag: "<=")
        if frozen {
            queue[queue.count - 1].frozenSince = clock()
            try writeSpool(queue[queue.count - 1])
            try log("\(id) frozen by root")
        }
    }

    private func deliver() throws {
        guard let index = queue.firstIndex(where: { $0.frozenSince == nil }) else { return try arrival(frozen: false) }
        let m = queue[index]
        var first = true
        for r in m.recipients where !m.delivered.contains(r) {
            let flag = first ? "=>" : "->"
            first = false
            if r.hasSuffix("@storemon.test") {
                let local = r.split(separator: "@").first.map(String.init) ?? r
                try log("\(m.id) \(flag) \(local) <\(r)> R=local_user T=local_mbox QT=\(age(m))s DT=0s", flag: flag)
            } else {
                try log("\(m.id) \(flag) \(r) R=smarthost T=remote_smtp H=mx.example.net [198.51.100.25] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 2.0.0 OK id=\(rng.next(1 << 30))\" QT=\(age(m))s DT=1s", flag: flag)
            }
        }
        try log("\(m.id) Completed QT=\(age(m))s")
        try removeSpool(m.id)
        queue.remove(at: index)
    }

    private func partialDelivery() throws {
        guard let index = queue.firstIndex(where: { $0.frozenSince == nil && $0.recipients.count - $0.delivered.count >= 2 }) else {
            return try deferral()
        }
        let r = queue[index].recipients.first { !queue[index].delivered.contains($0) }!
        queue[index].delivered.append(r)
        try log("\(queue[index].id) => \(r) R=smarthost T=remote_smtp H=mx.example.net [198.51.100.25] C=\"250 OK\" QT=\(age(queue[index]))s DT=0s", flag: "=>")
        try writeSpool(queue[index])
    }

    private func deferral() throws {
        guard let m = queue.filter({ $0.frozenSince == nil }).randomElement(using: &rng) else { return try arrival(frozen: false) }
        let r = m.recipients.first { !m.delivered.contains($0) } ?? m.recipients[0]
        let reason = pick(["defer (111): Connection refused", "defer (-53): retry time not reached for any host",
                           "defer (-44) H=mx.example.net [198.51.100.25]: SMTP error from remote mail server after RCPT TO:<\(r)>: 452 4.2.2 Mailbox full"])
        try log("\(m.id) == \(r) R=smarthost T=remote_smtp \(reason)", flag: "==")
    }

    private func bounce() throws {
        guard let index = queue.firstIndex(where: { $0.frozenSince == nil }) else { return try arrival(frozen: false) }
        let m = queue[index]
        let r = m.recipients.first { !m.delivered.contains($0) } ?? m.recipients[0]
        try log("\(m.id) ** \(r) R=bounce_router: Unrouteable address", flag: "**")
        if m.sender == "<>" {
            // A bounce that cannot be delivered: Exim freezes it rather than bounce a bounce.
            queue[index].frozenSince = clock()
            try writeSpool(queue[index])
            try log("\(m.id) Frozen (delivery error message)")
            return
        }
        try removeSpool(m.id)
        queue.remove(at: index)
        let bid = newID()
        let senderAddress = String(m.sender.dropFirst().dropLast())
        var b = DemoMessage(id: bid, sender: "<>", recipients: [senderAddress], delivered: [], frozenSince: nil,
                            received: clock(), helo: "", ip: "", subject: "Mail delivery failed: returning message to sender",
                            bodyLines: 30, local: true)
        if senderAddress.hasSuffix("bounce.test") { b.frozenSince = clock() }
        try writeSpool(b)
        queue.append(b)
        try log("\(bid) <= <> R=\(m.id) U=Debian-exim P=local S=\(b.approximateSize) T=\"Mail delivery failed: returning message to sender\" for \(senderAddress)", flag: "<=")
        try log("\(m.id) Completed QT=\(age(m))s")
        if b.frozenSince != nil {
            try log("\(bid) ** \(senderAddress): Unrouteable address", flag: "**")
            try log("\(bid) Frozen (delivery error message)")
        }
    }

    private func rejection() throws {
        let helo = pick(DemoGenerator.helos)
        let ip = "203.0.113.\(1 + rng.next(250))"
        let port = 40000 + rng.next(20000)
        switch rng.next(4) {
        case 0:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<spam@blocked.test> rejected RCPT <someone@example.org>: relay not permitted", rejection: true)
        case 1:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 sender verify fail for <nobody@nowhere.test>: Unrouteable address")
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<nobody@nowhere.test> rejected RCPT <alice@storemon.test>: Sender verify failed", rejection: true)
        case 2:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<x@blocked.test> rejected MAIL <x@blocked.test>: sender domain blocked", rejection: true)
        default:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<promo@example.com> temporarily rejected RCPT <bob@storemon.test>: greylisted, try again later", rejection: true)
        }
    }

    private func queueRun() throws {
        if let pid = queueRunPid {
            try log("End queue run: pid=\(pid)")
            queueRunPid = nil
        } else {
            pidCounter += 1
            queueRunPid = pidCounter
            try log("Start queue run: pid=\(pidCounter)")
        }
    }

    private func connection() throws {
        let helo = pick(DemoGenerator.helos)
        let ip = "192.0.2.\(10 + rng.next(200))"
        let port = 30000 + rng.next(30000)
        try log("SMTP connection from (\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 (TCP/IP connection count = \(1 + rng.next(5)))")
        if rng.next(2) == 0 {
            try log("no MAIL in SMTP connection from (\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 D=0.004s C=EHLO,QUIT")
        } else {
            try log("SMTP connection from (\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 closed by QUIT")
        }
    }

    /// Lines an attacker controls: ESC sequences, `\r`, NUL, DEL, C1 and invalid UTF-8 in HELO names.
    private func hostile() throws {
        let helos: [[UInt8]] = [
            Array("\u{1B}[31mred\u{1B}[0m.example".utf8),
            Array("\u{1B}]0;pwned\u{07}title.example".utf8),
            Array("cr\rreturn.example".utf8),
            [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E, 0x65, 0x78],           // bad\xff\xfe.ex
            [0x6E, 0x75, 0x6C, 0x00, 0x6C, 0x2E, 0x74, 0x65, 0x73, 0x74], // nul\0l.test
            [0x63, 0x31, 0xC2, 0x9B, 0x32, 0x4A, 0x2E, 0x74],             // c1 CSI: c1\u{9b}2J.t
            Array("del\u{7F}ete.test".utf8),
        ]
        let helo = helos[rng.next(helos.count)]
        let ip = "203.0.113.\(1 + rng.next(250))"
        var line = Array("H=(".utf8) + helo + Array(") [\(ip)]:\(40000 + rng.next(20000)) I=[127.0.0.1]:25 rejected EHLO or HELO ".utf8)
        line += helo + Array(": invalid HELO name".utf8)
        try logBytes(line, rejection: true)
    }

    /// The flags seen less often: `>>` cutthrough, `*>` suppressed, `(=` fakereject.
    private func rareFlag() throws {
        let id = newID()
        switch rng.next(3) {
        case 0:
            try log("\(id) >> carol@storemon.test R=local_user T=local_mbox", flag: ">>")
            try log("\(id) <= alice@storemon.test H=(client.storemon.test) [192.0.2.20]:41000 I=[127.0.0.1]:25 P=esmtp S=612 for carol@storemon.test", flag: "<=")
            try log("\(id) Completed QT=0s")
        case 1:
            try log("\(id) <= root@storemon.test U=root P=local S=380 for test@example.net", flag: "<=")
            try log("\(id) *> test@example.net R=smarthost T=remote_smtp", flag: "*>")
            try log("\(id) Completed QT=0s")
        default:
            try log("\(id) (= spammer@example.com H=(bulk.example) [203.0.113.9]:50123 I=[127.0.0.1]:25 P=esmtp S=2048 for alice@storemon.test", flag: "(=")
            try log("\(id) Completed QT=0s")
        }
    }

    private func freezeOrThaw() throws {
        if let index = queue.firstIndex(where: { $0.frozenSince != nil }), rng.next(2) == 0 {
            let m = queue[index]
            if rng.next(2) == 0 {
                queue[index].frozenSince = nil
                try writeSpool(queue[index])
                try log("\(m.id) unfrozen by root")
            } else {
                try log("\(m.id) removed by root")
                try log("\(m.id) Completed QT=\(age(m))s")
                try removeSpool(m.id)
                queue.remove(at: index)
            }
        } else if let index = queue.firstIndex(where: { $0.frozenSince == nil }) {
            queue[index].frozenSince = clock()
            try writeSpool(queue[index])
            try log("\(queue[index].id) frozen by root")
        }
    }

    // MARK: files

    private func log(_ text: String, flag: String? = nil, rejection: Bool = false) throws {
        try logBytes(Array(text.utf8), flag: flag, rejection: rejection)
    }

    private func logBytes(_ text: [UInt8], flag: String? = nil, rejection: Bool = false) throws {
        pidCounter += rng.next(3) == 0 ? 1 : 0
        let prefix = Array("\(DemoGenerator.timestamp(clock())) [\(pidCounter)] ".utf8)
        let line = prefix + text + [0x0A]
        try DemoGenerator.append(line, to: logPath)
        linesWritten += 1
        if let flag { flagsWritten[flag, default: 0] += 1 }
        if rejection { rejectionsWritten += 1 }
    }

    private func writeSpool(_ m: DemoMessage) throws {
        let dir = inputPath
        let data = Array("\(m.id)-D\n".utf8) + m.body
        try DemoGenerator.write(data, to: dir + "/" + m.id + "-D")
        // Like Exim: write hdr.ID, then rename it into place.
        try DemoGenerator.write(m.headerFile(), to: dir + "/hdr." + m.id)
        guard rename(dir + "/hdr." + m.id, dir + "/" + m.id + "-H") == 0 else {
            throw DemoError.io(dir + "/" + m.id + "-H", errno)
        }
        try DemoGenerator.write(Array("\(DemoGenerator.timestamp(clock())) Received from \(m.sender)\n".utf8), to: root + "/msglog/" + m.id)
    }

    private func removeSpool(_ id: String) throws {
        for name in [inputPath + "/" + id + "-H", inputPath + "/" + id + "-D", root + "/msglog/" + id] {
            unlink(name)
        }
    }

    static func append(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DemoError.io(path, errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw DemoError.io(path, errno) }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DemoError.io(path, errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw DemoError.io(path, errno) }
    }

    // MARK: ids and helpers

    /// A new message id: mostly Exim 4.96's 16-character form, every fifth one 4.97's 23-character form.
    private func newID() -> String {
        let now = clock().timeIntervalSince1970
        pidCounter += 1
        fractionCounter += 1
        let t = Int(now)
        if fractionCounter % 5 == 0 {
            let usec = Int((now - Double(t)) * 1_000_000) % (62 * 62 * 62 * 62)
            return DemoGenerator.base62(t, 6) + "-" + DemoGenerator.base62(pidCounter, 11) + "-" + DemoGenerator.base62((usec + fractionCounter) % 14_776_336, 4)
        }
        let frac = (Int((now - Double(t)) * 1000) / 2 + fractionCounter) % (62 * 62)
        return DemoGenerator.base62(t, 6) + "-" + DemoGenerator.base62(pidCounter, 6) + "-" + DemoGenerator.base62(frac, 2)
    }

    static func base62(_ value: Int, _ digits: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var v = max(0, value)
        var out: [Character] = []
        for _ in 0..<digits { out.append(alphabet[v % 62]); v /= 62 }
        return String(out.reversed())
    }

    /// `YYYY-MM-DD HH:MM:SS` in local time, as Exim logs.
    static func timestamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    private func age(_ m: DemoMessage) -> Int { max(0, Int(clock().timeIntervalSince(m.received))) }

    private func pick<T>(_ items: [T]) -> T { items[rng.next(items.count)] }

    static let senders = ["<alice@storemon.test>", "<bob@storemon.test>", "<newsletter@example.com>",
                          "<billing@example.org>", "<carol@storemon.test>", "<ops@example.net>",
                          "<ghost@bounce.test>", "<dave@storemon.test>"]
    static let recipients = ["alice@storemon.test", "bob@storemon.test", "carol@storemon.test", "x@example.net",
                             "team@example.org", "sales@example.com", "erin@storemon.test", "nobody@defer.test"]
    static let subjects = ["Quarterly report", "Re: lunch?", "Build 4711 failed", "Invoice 2026-118",
                           "Your weekly digest", "Meeting notes", "Fwd: logs", "Password reset"]
    static let helos = ["client.storemon.test", "mx1.example.com", "mail.example.org", "laptop.local",
                        "relay.example.net", "[192.0.2.44]"]
}

/// Why the demo generator could not write.
public enum DemoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file operation failed: the path and `errno`.
    case io(String, Int32)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .io(let path, let e): return "\(path): \(String(cString: strerror(e)))"
        }
    }
}

/// A message the demo keeps in its queue.
struct DemoMessage {
    var id: String
    var sender: String          // with angle brackets; `<>` for bounces
    var recipients: [String]
    var delivered: [String]
    var frozenSince: Date?
    var received: Date
    var helo: String
    var ip: String
    var subject: String
    var bodyLines: Int
    var local: Bool

    var body: [UInt8] {
        var text = ""
        for i in 0..<bodyLines { text += "Line \(i + 1) of a demo message about \(subject.lowercased()).\n" }
        return Array(text.utf8)
    }

    var approximateSize: Int { body.count + 400 }

    /// The `-H` file, in Exim 4.96's layout.
    func headerFile() -> [UInt8] {
        let t = Int(received.timeIntervalSince1970)
        let usec = Int((received.timeIntervalSince1970 - Double(t)) * 1_000_000)
        let usecText = String(format: ".%06d", usec)
        var s = "\(id)-H\nDebian-exim 102 105\n\(sender)\n\(t) 0\n"
        s += "-received_time_usec \(usecText)\n-received_time_complete \(t)\(usecText)\n"
        if local {
            s += "-ident Debian-exim\n-received_protocol local\n"
        } else {
            s += "--helo_name \(helo)\n-host_address [\(ip)]:\(30000 + t % 30000)\n-interface_address [127.0.0.1]:25\n-received_protocol esmtp\n"
        }
        s += "-body_linecount \(bodyLines)\n-max_received_linelength 72\n"
        if local { s += "-allow_unqualified_recipient\n-allow_unqualified_sender\n" }
        if let f = frozenSince { s += "-frozen \(Int(f.timeIntervalSince1970))\n" }
        if local { s += "-localerror\n" }
        s += "-tls_resumption A\n"
        // Non-recipients tree: a right-leaning chain of delivered addresses.
        if delivered.isEmpty {
            s += "XX\n"
        } else {
            for (i, d) in delivered.enumerated() { s += (i == delivered.count - 1 ? "NN " : "NY ") + d + "\n" }
        }
        s += "\(recipients.count)\n"
        for r in recipients { s += r + "\n" }
        s += "\n"
        let date = DemoGenerator.timestamp(received)
        let bare = sender == "<>" ? "Mailer-Daemon@storemon.test" : String(sender.dropFirst().dropLast())
        let headers: [(Character, String)] = [
            ("P", "Received: from [\(ip.isEmpty ? "127.0.0.1" : ip)] (helo=\(helo.isEmpty ? "localhost" : helo))\n\tby mail.storemon.test with esmtp (Exim 4.96)\n\tid \(id);\n\t\(date) +0000\n"),
            (" ", "Date: \(date) +0000\n"),
            ("T", "To: \(recipients.joined(separator: ","))\n"),
            ("F", "From: \(bare)\n"),
            (" ", "Subject: \(subject)\n"),
            ("I", "Message-Id: <\(id)@mail.storemon.test>\n"),
        ]
        for (flag, text) in headers {
            let n = text.utf8.count
            s += String(format: "%03d", n) + String(flag) + " " + text
        }
        return Array(s.utf8)
    }
}

/// A small deterministic random number generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in 0..<bound (bound > 0).
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}
