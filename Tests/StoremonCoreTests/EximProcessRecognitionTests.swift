import FixtureSupport
import Foundation
import Glibc
import RealEximSupport
import Store
import StoremonSystem
import Testing
@testable import StoremonCore

/// Exim processes found by what they run (`/proc/PID/exe`), whatever they are called:
/// `sendmail`, `mailq`, `rsmtp`, `rmail`... are links to Exim on Debian. A fake `/proc`
/// for the rules, then a real Exim started under its call names.
@Suite("Exim processes by executable and call name", .serialized)
struct EximProcessRecognitionTests {
    /// A fake `/proc/PID` entry: `comm`, `cmdline`, `stat` (parent 1), and an `exe` link to
    /// `exe` when given (a dangling link reads as well as a real one).
    static func process(_ root: String, _ pid: Int, comm: String, cmdline: [String], exe: String?) throws {
        let d = root + "/\(pid)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try Data((comm + "\n").utf8).write(to: URL(fileURLWithPath: d + "/comm"))
        try Data(cmdline.joined(separator: "\0").appending("\0").utf8).write(to: URL(fileURLWithPath: d + "/cmdline"))
        let fields = ["S", "1"] + Array(repeating: "0", count: 17) + ["\(pid)", "0", "0"]
        try Data("\(pid) (\(comm)) \(fields.joined(separator: " "))\n".utf8).write(to: URL(fileURLWithPath: d + "/stat"))
        if let exe { try FileManager.default.createSymbolicLink(atPath: d + "/exe", withDestinationPath: exe) }
    }

    @Test("the executable decides when it can be read; names only when it cannot, call names only when their path leads to Exim")
    func rules() throws {
        let root = try Fixtures.temporaryDirectory("fake-proc-exe")
        defer { Fixtures.remove(root) }
        let proc = root + "/proc", bin = root + "/bin"
        try FileManager.default.createDirectory(atPath: proc, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try Data("100.00 200.00\n".utf8).write(to: URL(fileURLWithPath: proc + "/uptime"))
        // this machine's links: sendmail and mailq lead to an Exim binary, postfix's mailq not
        try Data().write(to: URL(fileURLWithPath: bin + "/exim-4.99-2"))
        try Data().write(to: URL(fileURLWithPath: bin + "/postdrop"))
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: bin + "/exim", withDestinationPath: "exim-4.99-2")
        try fm.createSymbolicLink(atPath: bin + "/sendmail", withDestinationPath: "exim")
        try fm.createSymbolicLink(atPath: bin + "/mailq", withDestinationPath: bin + "/exim")
        try fm.createSymbolicLink(atPath: bin + "/runq", withDestinationPath: "postdrop")

        // exe readable
        try Self.process(proc, 20, comm: "sendmail", cmdline: ["/usr/sbin/sendmail", "-bs"], exe: "/usr/sbin/exim4")
        try Self.process(proc, 21, comm: "mailq", cmdline: ["mailq"], exe: "/usr/exim/bin/exim-4.98-1")
        try Self.process(proc, 22, comm: "runq", cmdline: ["/usr/sbin/runq"], exe: "/usr/sbin/exim4 (deleted)")  // upgraded
        try Self.process(proc, 23, comm: "exim4", cmdline: ["/tmp/exim4", "-bd"], exe: "/usr/bin/dash")  // a script named exim4
        try Self.process(proc, 24, comm: "mailq", cmdline: ["/usr/bin/mailq"], exe: "/usr/sbin/postqueue")
        try Self.process(proc, 25, comm: "exim_tidydb", cmdline: ["/usr/sbin/exim_tidydb"], exe: "/usr/sbin/exim_tidydb")
        try Self.process(proc, 26, comm: "rsmtp", cmdline: ["rsmtp"], exe: "/usr/sbin/exim")
        // exe unreadable (here: absent): inferred from the names
        try Self.process(proc, 30, comm: "exim4", cmdline: ["/usr/sbin/exim4", "-Mc", "1xWd9D-0006xR-10"], exe: nil)
        try Self.process(proc, 31, comm: "sendmail", cmdline: [bin + "/sendmail", "-odq", "-t"], exe: nil)
        try Self.process(proc, 32, comm: "mailq", cmdline: [bin + "/mailq"], exe: nil)
        try Self.process(proc, 33, comm: "sendmail", cmdline: ["sendmail", "-t"], exe: nil)           // bare: unknown
        try Self.process(proc, 34, comm: "runq", cmdline: [bin + "/runq"], exe: nil)                  // leads elsewhere
        try Self.process(proc, 35, comm: "sendmail", cmdline: [root + "/missing/sendmail"], exe: nil) // leads nowhere
        try Self.process(proc, 36, comm: "exim-4.98-1", cmdline: [], exe: nil)                        // a zombie

        let found = EximProcessReader(root: proc).read()
        let byPID = Dictionary(uniqueKeysWithValues: found.map { ($0.pid, $0) })
        #expect(found.map(\.pid).sorted() == [20, 21, 22, 26, 30, 31, 32, 36])
        #expect(byPID[20]?.recognition == .executable && byPID[20]?.kind == .smtpSession)
        #expect(byPID[21]?.recognition == .executable && byPID[21]?.kind == .queueListing)
        #expect(byPID[22]?.recognition == .executable && byPID[22]?.activity == "queue run -q")
        #expect(byPID[26]?.recognition == .executable && byPID[26]?.activity == "batched SMTP input")
        #expect(byPID[30]?.recognition == .name && byPID[30]?.kind == .delivery)
        #expect(byPID[31]?.recognition == .callName && byPID[31]?.kind == .localSubmission)
        #expect(byPID[32]?.recognition == .callName && byPID[32]?.kind == .queueListing)
        #expect(byPID[36]?.recognition == .name && byPID[36]?.kind == .other)
        #expect(byPID[20].map { TerminalQuoter().quote($0.name).string } == "sendmail")

        // the rules on their own
        let none: (String) -> String? = { _ in nil }
        #expect(EximProcessReader.recognise(exe: Array("/usr/sbin/exim4".utf8), comm: "x", argv0: "x", resolve: none) == .executable)
        #expect(EximProcessReader.recognise(exe: Array("/usr/sbin/sendmail".utf8), comm: "exim", argv0: "exim", resolve: none) == nil)
        #expect(EximProcessReader.recognise(exe: nil, comm: "sendmail", argv0: "/usr/sbin/sendmail",
                                            resolve: { _ in "/usr/sbin/exim4" }) == .callName)
        #expect(EximProcessReader.recognise(exe: nil, comm: "sendmail", argv0: "/usr/sbin/sendmail",
                                            resolve: { _ in "/usr/sbin/sendmail.postfix" }) == nil)
        #expect(EximProcessReader.recognise(exe: nil, comm: "bash", argv0: "/usr/local/bin/tool",
                                            resolve: { _ in "/usr/sbin/exim4" }) == nil)   // not a call name
        for name in ["exim", "exim4", "exim-4.98-1", "exim-4.99.1-3", "exim4-custom"] { #expect(EximProcessReader.isEximBinary(name), "\(name)") }
        for name in ["exim_dumpdb", "eximstats", "exiwhat", "eximon", "exim4.bak", "sendmail", ""] {
            #expect(!EximProcessReader.isEximBinary(name), "\(name)")
        }
    }

    @Test("a real Exim started as sendmail, rsmtp, rmail and mailq is found and classified by its call name")
    func realEximUnderCallNames() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let fm = FileManager.default
        let bin = exim.directory + "/bin"
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for name in ["sendmail", "mailq", "rsmtp", "rmail"] {
            try fm.createSymbolicLink(atPath: bin + "/" + name, withDestinationPath: exim.binary)
        }
        // Debian's own link when it leads to this Exim
        let sendmail = SymbolicLink.resolved("/usr/sbin/sendmail") == SymbolicLink.resolved(exim.binary)
            ? "/usr/sbin/sendmail" : bin + "/sendmail"
        // a program that is not Exim under a call name: counted by nothing
        let impostor = bin + "/impostor/mailq"
        try fm.createDirectory(atPath: bin + "/impostor", withIntermediateDirectories: true)
        try fm.copyItem(atPath: "/bin/sleep", toPath: impostor)

        // One message with 5,000 recipients: `mailq` lists more than a pipe holds, so with
        // its output unread it stays blocked in a write until it is stopped.
        let recipients = (0..<5000).map { "r\($0)@storemon.test" }
        let (queued, text) = exim.exim(["-odq", "-f", "alice@storemon.test"] + recipients, input: "Subject: many\n\nhello\n")
        try #require(queued == 0, "\(text)")

        let config = ["-C", exim.configFile]
        let started: [(child: ChildProcess, comm: String, kind: EximProcessKind, activity: String?)] = [
            (try ChildProcess([sendmail] + config + ["-bs"], input: .pipe, outputs: .separate),
             "sendmail", .smtpSession, "SMTP session on stdin"),
            (try ChildProcess([sendmail] + config + ["-odq", "-t"], input: .pipe, outputs: .separate),
             "sendmail", .localSubmission, "local submission"),
            (try ChildProcess([bin + "/rsmtp"] + config, input: .pipe, outputs: .separate),
             "rsmtp", .smtpSession, "batched SMTP input"),
            (try ChildProcess([bin + "/rmail"] + config + ["bob@storemon.test"], input: .pipe, outputs: .separate),
             "rmail", .localSubmission, "local submission"),
            (try ChildProcess([bin + "/mailq"] + config, outputs: .separate), "mailq", .queueListing, "listing the queue"),
        ]
        let other = try ChildProcess([impostor, "60"], outputs: .separate)
        defer {
            for s in started { s.child.stop(SIGKILL, timeout: 5) }
            other.stop(SIGKILL, timeout: 5)
        }
        let pids = Set(started.map { Int($0.child.pid) })
        // until every one has been exec'd (before that, exe is this test's own binary)
        var found: [Int: EximProcess] = [:]
        let until = Date().addingTimeInterval(30)
        while Date() < until {
            found = Dictionary(uniqueKeysWithValues: EximProcessReader().read().filter { pids.contains($0.pid) }.map { ($0.pid, $0) })
            if found.count == pids.count { break }
            usleep(50_000)
        }
        #expect(found.count == pids.count, "found \(found.keys.sorted()) of \(pids.sorted())")
        for s in started {
            let p = found[Int(s.child.pid)]
            #expect(p?.recognition == .executable, "\(s.comm)")
            #expect(p.map { TerminalQuoter().quote($0.name).string } == s.comm)
            #expect(p?.kind == s.kind, "\(s.comm): \(p.map { TerminalQuoter().quote($0.title).string } ?? "not found")")
            #expect(p?.activity == s.activity, "\(s.comm)")
            #expect(s.child.termination(waiting: false) == nil, "\(s.comm) ended early")
        }
        #expect(EximProcessReader().read().contains { $0.pid == Int(other.pid) } == false)

        // stopped by pid; then no longer listed
        for s in started {
            s.child.closeInput()
            #expect(s.child.stop(SIGTERM, timeout: 10) != nil, "\(s.comm)")
        }
        #expect(other.stop(SIGTERM, timeout: 10) == .signalled(SIGTERM))
        #expect(EximProcessReader().read().contains { pids.contains($0.pid) } == false)
    }
}
