import FixtureSupport
import Foundation
import Testing
@testable import StoremonCore

@Suite("Path discovery")
struct PathDiscoveryTests {
    /// Makes a directory tree: paths ending in "/" are directories, others empty files.
    func tree(_ entries: [String]) throws -> String {
        let root = try Fixtures.temporaryDirectory("paths")
        for e in entries {
            let p = root + "/" + e
            if e.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
            } else {
                try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                #expect(FileManager.default.createFile(atPath: p, contents: Data("x\n".utf8)))
            }
        }
        return root
    }

    @Test("PATH is a log directory: mainlog inside; its parent holds input/ so it is the spool")
    func logDirectory() throws {
        let root = try tree(["log/mainlog", "log/rejectlog", "input/"])
        defer { Fixtures.remove(root) }
        let p = try PathDiscovery.discover(path: root + "/log", spool: nil, queue: nil, exim: NoExim())
        #expect(p.logPath == root + "/log/mainlog")
        #expect(p.logPattern == nil)
        #expect(p.spoolDirectory.map(MonitorSession.resolve) == MonitorSession.resolve(root))
        #expect(p.inputDirectory.map { MonitorSession.resolve($0) } == MonitorSession.resolve(root + "/input"))
        #expect(p.spoolNote == nil)
    }

    @Test("PATH is a main log file of any name")
    func logFile() throws {
        let root = try tree(["var/log/exim/main.log"])
        defer { Fixtures.remove(root) }
        let p = try PathDiscovery.discover(path: root + "/var/log/exim/main.log", spool: nil, queue: nil, exim: NoExim())
        #expect(p.logPath == root + "/var/log/exim/main.log")
        #expect(p.spoolDirectory == nil)
        #expect(p.spoolNote == PathDiscovery.spoolHelp)
    }

    @Test("datestamped logs: a directory picks the newest; a file gives a %D pattern")
    func datestamped() throws {
        let root = try tree(["log/mainlog20261124", "log/mainlog20261126", "log/mainlog20261125", "log/rejectlog20261126",
                             "log/mainlog20261120.gz"])
        defer { Fixtures.remove(root) }
        let p = try PathDiscovery.discover(path: root + "/log", spool: nil, queue: nil, exim: NoExim())
        #expect(p.logPath == root + "/log/mainlog20261126")
        #expect(p.logPattern == root + "/log/mainlog%D")
        let f = try PathDiscovery.discover(path: root + "/log/mainlog20261125", spool: nil, queue: nil, exim: NoExim())
        #expect(f.logPath == root + "/log/mainlog20261125")
        #expect(f.logPattern == root + "/log/mainlog%D")
        let monthly = try tree(["log/main.log-202611"])
        defer { Fixtures.remove(monthly) }
        let m = try PathDiscovery.discover(path: monthly + "/log/main.log-202611", spool: nil, queue: nil, exim: NoExim())
        #expect(m.logPattern == monthly + "/log/main.log-%M")
    }

    @Test("--spool DIR: the directory holding input/, or an input/ directory itself; else an error")
    func spoolArgument() throws {
        let root = try tree(["spool/input/", "log/mainlog", "other/"])
        defer { Fixtures.remove(root) }
        let a = try PathDiscovery.discover(path: root + "/log/mainlog", spool: root + "/spool", queue: nil, exim: NoExim())
        #expect(a.spoolDirectory == root + "/spool")
        let b = try PathDiscovery.discover(path: root + "/log/mainlog", spool: root + "/spool/input/", queue: nil, exim: NoExim())
        #expect(b.spoolDirectory == root + "/spool")
        #expect(b.inputDirectory == root + "/spool/input")
        #expect(throws: PathDiscoveryError.notASpool(root + "/other")) {
            try PathDiscovery.discover(path: root + "/log/mainlog", spool: root + "/other", queue: nil, exim: NoExim())
        }
        let q = try PathDiscovery.discover(path: root + "/log/mainlog", spool: root + "/spool", queue: "slow", exim: NoExim())
        #expect(q.inputDirectory == root + "/spool/slow/input")
        #expect(q.queueName == "slow")
    }

    @Test("no --spool and no input/ beside the log: Exim's spool_directory, else a note")
    func spoolFromExim() throws {
        let root = try tree(["var/log/exim4/mainlog", "var/spool/exim4/input/"])
        defer { Fixtures.remove(root) }
        let exim = FixedEximSettings(["spool_directory": root + "/var/spool/exim4"])
        let p = try PathDiscovery.discover(path: root + "/var/log/exim4", spool: nil, queue: nil, exim: exim)
        #expect(p.logPath == root + "/var/log/exim4/mainlog")
        #expect(p.spoolDirectory == root + "/var/spool/exim4")
        let none = try PathDiscovery.discover(path: root + "/var/log/exim4", spool: nil, queue: nil, exim: NoExim())
        #expect(none.spoolDirectory == nil)
        #expect(none.spoolNote?.contains("--spool") == true)
    }

    @Test("no PATH: Exim's log_file_path with %s, %D; syslog only gives a note")
    func logFromExim() throws {
        let root = try tree(["log/mainlog-20261125", "log/mainlog-20261126", "spool/input/"])
        defer { Fixtures.remove(root) }
        let plain = try PathDiscovery.discover(path: nil, spool: nil, queue: nil,
                                               exim: FixedEximSettings(["log_file_path": root + "/log/%slog"]))
        #expect(plain.logPath == root + "/log/mainlog")
        let stamped = try PathDiscovery.discover(path: nil, spool: nil, queue: nil,
                                                 exim: FixedEximSettings(["log_file_path": "syslog : " + root + "/log/%slog-%D"]))
        #expect(stamped.logPath == root + "/log/mainlog-20261126")
        #expect(stamped.logPattern == root + "/log/mainlog-%D")
        let syslog = try PathDiscovery.discover(path: nil, spool: nil, queue: nil,
                                                exim: FixedEximSettings(["log_file_path": "syslog",
                                                                         "spool_directory": root + "/spool"]))
        #expect(syslog.logPath == nil)
        #expect(syslog.logNote?.contains("syslog") == true)
        #expect(syslog.spoolDirectory == root + "/spool")
        let empty = try PathDiscovery.discover(path: nil, spool: nil, queue: nil,
                                               exim: FixedEximSettings(["log_file_path": "", "spool_directory": root + "/spool"]))
        #expect(empty.logPath == root + "/spool/log/mainlog")
    }

    @Test("nothing found: clear errors")
    func nothingFound() throws {
        let root = try tree(["emptylogdir/"])
        defer { Fixtures.remove(root) }
        #expect(throws: PathDiscoveryError.notFound(root + "/missing")) {
            try PathDiscovery.discover(path: root + "/missing", spool: nil, queue: nil, exim: NoExim())
        }
        #expect(throws: PathDiscoveryError.noMainLog(inDirectory: root + "/emptylogdir")) {
            try PathDiscovery.discover(path: root + "/emptylogdir", spool: nil, queue: nil, exim: NoExim())
        }
        if !FileManager.default.fileExists(atPath: PathDiscovery.defaultLogDirectory) {
            #expect(throws: PathDiscoveryError.self) {
                try PathDiscovery.discover(path: nil, spool: nil, queue: nil, exim: NoExim())
            }
        }
    }

    @Test("exim -bP output parsing")
    func bpParsing() {
        #expect(InstalledExim.parse("spool_directory = /var/spool/exim4\n", option: "spool_directory") == "/var/spool/exim4")
        #expect(InstalledExim.parse("log_file_path =\n", option: "log_file_path") == "")
        #expect(InstalledExim.parse("other = 1\n", option: "log_file_path") == nil)
        #expect(InstalledExim(candidates: ["/nonexistent/exim"]).value(of: "spool_directory") == nil)
    }

    @Test("an installed Exim is asked through its binary (a stand-in script)")
    func installedExim() throws {
        let root = try Fixtures.temporaryDirectory("exim")
        defer { Fixtures.remove(root) }
        let script = root + "/exim4"
        try "#!/bin/sh\n[ \"$1\" = -bP ] && echo \"$2 = /srv/$2\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let exim = InstalledExim(candidates: [root + "/exim", script])
        #expect(exim.value(of: "spool_directory") == "/srv/spool_directory")
    }
}
