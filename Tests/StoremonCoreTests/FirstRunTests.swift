import FixtureSupport
import Foundation
import Testing
@testable import StoremonCore

/// A first run as an ordinary user explains itself: the path, the real cause, the fix.
/// Root ignores permissions, so the checks run in a child process that drops to `nobody`
/// first when the tests run as root.
@Suite("First run as an ordinary user")
struct FirstRunTests {
    /// A log directory and a spool as Debian makes them: mode 0750/2750, group adm for
    /// the logs (when the group exists), and a readable copy of the log elsewhere.
    static func makeTree(_ dir: String) -> Bool {
        let fm = FileManager.default
        guard mkdir(dir, 0o755) == 0, chmod(dir, 0o755) == 0 else { return false }
        for d in ["/logs", "/spool", "/spool/input", "/spool/msglog", "/open"] {
            guard (try? fm.createDirectory(atPath: dir + d, withIntermediateDirectories: true)) != nil else { return false }
            chmod(dir + d, 0o755)
        }
        for f in ["/logs/mainlog", "/open/mainlog"] {
            guard fm.createFile(atPath: dir + f, contents: Data("2026-11-26 10:00:00 Start queue run: pid=1\n".utf8)) else { return false }
            chmod(dir + f, 0o644)
        }
        if let adm = getgrnam("adm") { chown(dir + "/logs", 0, adm.pointee.gr_gid) }
        chmod(dir + "/logs", 0o2750)
        chmod(dir + "/spool", 0o750)
        return true
    }

    static func cleanUp(prefix: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: "/tmp/" + name)
        }
    }

    @Test("a log behind a directory that may not be searched is 'permission denied' with the group to join, not 'no such file'")
    func logBehindClosedDirectory() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let dir = "/tmp/firstrun-log-\(getpid())"
            guard FirstRunTests.makeTree(dir) else { exit(2) }
            if geteuid() == 0 { guard setgid(65534) == 0, setuid(65534) == 0 else { exit(3) } }
            guard access(dir + "/logs", X_OK) != 0 else { exit(0) }   // a user who may search it: nothing to check
            var message = ""
            do {
                _ = try PathDiscovery.discover(path: dir + "/logs/mainlog", spool: nil, queue: nil, exim: NoExim())
                exit(4)
            } catch {
                message = String(describing: error)
            }
            let group = getgrnam("adm") != nil ? "adm" : "root"
            var ok = message.contains(dir + "/logs/mainlog: permission denied (cannot search \(dir)/logs)")
                && !message.contains("no such file")
                && message.contains("drwxr-s---")
                && (group == "root" ? message.contains("run as root") : message.contains("join its group adm"))
            // The directory itself: it cannot be listed.
            do {
                _ = try PathDiscovery.discover(path: dir + "/logs", spool: nil, queue: nil, exim: NoExim())
                ok = false
            } catch {
                let text = String(describing: error)
                ok = ok && text.hasPrefix(dir + "/logs: permission denied") && text.contains("group")
            }
            // And the check before the monitor opens a log found some other way.
            ok = ok && PathAccess.readProblem(dir + "/logs/mainlog", role: .log)?.contains("permission denied") == true
            ok = ok && PathAccess.readProblem(dir + "/open/mainlog", role: .log) == nil
            ok = ok && PathAccess.readProblem(dir + "/open/nothing", role: .log) == dir + "/open/nothing: no such file or directory"
            exit(ok ? 0 : 1)
        }
        Self.cleanUp(prefix: "firstrun-log-")
    }

    @Test("an unreadable spool is an error in the queue pane and in JSON, never an empty queue")
    func unreadableSpool() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let dir = "/tmp/firstrun-spool-\(getpid())"
            guard FirstRunTests.makeTree(dir) else { exit(2) }
            if geteuid() == 0 { guard setgid(65534) == 0, setuid(65534) == 0 else { exit(3) } }
            guard access(dir + "/spool", X_OK) != 0 else { exit(0) }
            guard let paths = try? PathDiscovery.discover(path: dir + "/open/mainlog", spool: dir + "/spool", queue: nil, exim: NoExim()),
                  let session = try? MonitorSession(MonitorConfiguration(paths: paths, once: true, useInotify: false)),
                  let snapshot = try? session.refresh() else { exit(4) }
            let error = snapshot.queue.error ?? ""
            let json = SnapshotJSON.line(snapshot)
            let ok = snapshot.queue.messages.isEmpty
                && error.contains(dir + "/spool/input: permission denied (cannot search \(dir)/spool)")
                && error.contains("drwxr-x---")
                && QueuePaneModel(snapshot.queue, recipientLimit: 10).summary == "NOT READABLE"
                && json.contains("\"error\":\"queue not readable: ")
                && !snapshot.unreadable.isEmpty
            exit(ok ? 0 : 1)
        }
        Self.cleanUp(prefix: "firstrun-spool-")
    }

    @Test("storemon show on a spool that may not be read: permission denied, the directory and the fix")
    func showOnClosedSpool() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let dir = "/tmp/firstrun-show-\(getpid())"
            guard FirstRunTests.makeTree(dir) else { exit(2) }
            if geteuid() == 0 { guard setgid(65534) == 0, setuid(65534) == 0 else { exit(3) } }
            guard access(dir + "/spool", X_OK) != 0 else { exit(0) }
            do {
                _ = try MessageView.read(id: "1xWd9D-0006xR-10", spoolDirectory: dir + "/spool", now: 0)
                exit(4)
            } catch {
                let text = String(describing: error)
                let ok = text.hasPrefix(dir + "/spool/input: permission denied (cannot search \(dir)/spool)")
                    && text.contains("drwxr-x---") && !text.contains("not on the queue")
                exit(ok ? 0 : 1)
            }
        }
        Self.cleanUp(prefix: "firstrun-show-")
    }

    @Test("storemon SPOOLDIR follows Exim's default layout to SPOOLDIR/log/mainlog")
    func spoolDirectoryPointsToItsLog() throws {
        let root = try Fixtures.temporaryDirectory("firstrun")
        defer { Fixtures.remove(root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/exim/input", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/exim/log", withIntermediateDirectories: true)
        fm.createFile(atPath: root + "/exim/log/mainlog", contents: Data())
        let p = try PathDiscovery.discover(path: root + "/exim", spool: nil, queue: nil, exim: NoExim())
        #expect(p.logPath == root + "/exim/log/mainlog")
        #expect(p.spoolDirectory.map(MonitorSession.resolve) == MonitorSession.resolve(root + "/exim"))
        #expect(p.spoolOrigin == nil)

        try fm.removeItem(atPath: root + "/exim/log/mainlog")
        #expect(throws: PathDiscoveryError.spoolWithoutLog(spool: root + "/exim")) {
            try PathDiscovery.discover(path: root + "/exim", spool: nil, queue: nil, exim: NoExim())
        }
        let text = PathDiscoveryError.spoolWithoutLog(spool: root + "/exim").description
        #expect(text.contains(root + "/exim/log holds no main log") && text.contains("--spool"))
    }

    @Test("a spool from exim -bP for a log that is not that Exim's says where it came from")
    func spoolOrigin() throws {
        let root = try Fixtures.temporaryDirectory("firstrun")
        defer { Fixtures.remove(root) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/copy", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/var/spool/exim4/input", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/var/log/exim4", withIntermediateDirectories: true)
        fm.createFile(atPath: root + "/copy/mainlog", contents: Data())
        fm.createFile(atPath: root + "/var/log/exim4/mainlog", contents: Data())
        let exim = FixedEximSettings(["spool_directory": root + "/var/spool/exim4",
                                      "log_file_path": root + "/var/log/exim4/%slog"])
        let elsewhere = try PathDiscovery.discover(path: root + "/copy/mainlog", spool: nil, queue: nil, exim: exim)
        #expect(elsewhere.spoolDirectory == root + "/var/spool/exim4")
        let note = try #require(elsewhere.spoolOrigin)
        #expect(note.contains("from `exim -bP spool_directory`") && note.contains(root + "/copy/mainlog")
                && note.contains(root + "/var/log/exim4/mainlog") && note.contains("--spool"))
        // Its own log: nothing to say.
        let own = try PathDiscovery.discover(path: root + "/var/log/exim4", spool: nil, queue: nil, exim: exim)
        #expect(own.spoolOrigin == nil)
        // The note reaches JSON's spool.note and the status line.
        let session = try MonitorSession(MonitorConfiguration(paths: elsewhere, once: true, useInotify: false))
        let snapshot = try session.refresh()
        #expect(snapshot.queue.note == note && snapshot.queue.error == nil)
        #expect(SnapshotJSON.line(snapshot).contains("from `exim -bP spool_directory`"))
        #expect(snapshot.status.spoolNote == PathDiscovery.spoolOriginShort)
        #expect(StatusModel(snapshot, run: RunState(interval: 2)).paths.contains {
            $0.string.contains(PathDiscovery.spoolOriginShort)
        })
    }
}
