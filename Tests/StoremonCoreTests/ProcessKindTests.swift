import FixtureSupport
import Foundation
import Store
import StoremonSystem
import Testing
@testable import StoremonCore

@Suite("Exim process kinds, and processes in JSON and plain frames")
struct ProcessKindTests {
    @Test("kinds from Exim's documented options; the activity text is built from the same classification")
    func kinds() {
        let id = "1xWd9D-0006xR-10"
        let cases: [([String], EximProcessKind, String?)] = [
            (["/usr/sbin/exim4", "-bd", "-q30m"], .daemon, "daemon, queue runs -q30m"),
            (["/usr/sbin/exim4", "-bd"], .daemon, "daemon"),
            (["exim4", "-q"], .queueRunner, "queue run -q"),
            (["exim4", "-qff"], .queueRunner, "queue run -qff"),
            (["exim4", "-qGslow/1h"], .queueRunner, "queue run -qGslow/1h"),
            (["exim4", "-Rexample.com"], .queueRunner, "queue run"),
            (["exim4", "-Mc", id], .delivery, "delivering \(id)"),
            (["exim4", "-M", id], .delivery, "delivering \(id) (forced)"),
            (["exim4", "-MC", "remote_smtp", "mx.example.com", "2", id], .delivery, "delivering \(id)"),
            (["exim4", "-Mc", "1xWd9D-0006xR-10-x"], .delivery, "delivering"),          // not an id
            (["exim4", "-Mc", "0AbCdE-0001Xy-Z9"], .delivery, "delivering 0AbCdE-0001Xy-Z9"),  // legacy id
            (["exim4", "-bs"], .smtpSession, "SMTP session on stdin"),
            (["exim4", "-bS"], .smtpSession, "batched SMTP input"),
            (["exim4", "-odi", "-oem", "-t"], .localSubmission, "local submission"),
            (["sendmail", "-i", "-f", "root", "alice@example.org"], .localSubmission, "local submission"),
            (["exim4", "-f", "root", "alice@example.org"], .localSubmission, "local submission"),
            (["exim4", "-bpc"], .queueListing, "listing the queue"),
            (["exim4", "-bpru"], .queueListing, "listing the queue"),
            (["exim4", "-f", "root"], .other, nil),                                     // the value, not a recipient
            (["exim4", "-Mrm", id], .other, nil),
            (["exim4", "-bV"], .other, nil),
            (["exim4", "-bt", "alice@example.org"], .other, nil),                     // address testing
            (["exim4", "-Mvh", id], .other, nil),
            (["exim4"], .other, nil),
            (["exim4: delivering 1xWd9D-0006xR-10"], .other, nil),
            // Exim's call names stand for options placed before the others
            (["/usr/bin/mailq"], .queueListing, "listing the queue"),
            (["mailq", "-v"], .queueListing, "listing the queue"),
            (["/usr/sbin/runq"], .queueRunner, "queue run -q"),
            (["runq", "-v"], .queueRunner, "queue run -q"),
            (["/usr/sbin/rsmtp"], .smtpSession, "batched SMTP input"),
            (["/usr/sbin/rmail", "alice@example.org"], .localSubmission, "local submission"),
            (["rmail"], .localSubmission, "local submission"),
            (["/usr/bin/newaliases"], .other, nil),
            (["/usr/sbin/sendmail", "-bs"], .smtpSession, "SMTP session on stdin"),
            (["/usr/sbin/sendmail", "-odq", "-t"], .localSubmission, "local submission"),
            (["/usr/sbin/sendmail"], .other, nil),
            (["/usr/sbin/sendmail", "-bd", "-q15m"], .daemon, "daemon, queue runs -q15m"),
            (["/usr/lib/mailq.bak"], .other, nil),                                       // not a call name
        ]
        for (args, kind, activity) in cases {
            let c = EximProcessKind.classify(args)
            #expect(c.kind == kind, "\(args)")
            #expect(c.activity == activity, "\(args)")
        }
        #expect(EximProcessKind.allCases.map(\.rawValue)
                == ["daemon", "queue_runner", "delivery", "smtp_session", "local_submission", "queue_listing", "other"])
    }

    @Test("hostile arguments never reach the untainted activity (ids and -q options are checked)")
    func hostileArguments() {
        let evil = "\u{1b}]0;owned\u{7}\u{202e}"
        for args in [["exim4", "-Mc", evil], ["exim4", "-M", "1xWd9D-0006xR-10" + evil], ["exim4", "-bd", "-q" + evil],
                     ["exim4", "-q30m" + evil], ["exim4", "-MC", "t", "h", "1", evil]] {
            let c = EximProcessKind.classify(args)
            let text = c.activity ?? ""
            #expect(!text.contains("\u{1b}") && !text.contains("\u{202e}") && !text.contains("owned"), "\(args)")
            #expect(text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }, "\(args)")
        }
        #expect(EximProcessKind.classify(["exim4", "-q30m" + evil]).kind == .other)
        #expect(EximProcessKind.classify(["exim4", "-bd", "-q" + evil]).queueRuns == nil)
    }

    @Test("counts: every kind, zeros included, in the vocabulary's order")
    func counts() {
        let p = EximProcess(pid: 1, parentPID: 0, ageSeconds: 0, name: TaintedString(tainting: "exim4"),
                            title: TaintedString(tainting: "exim4 -bd"), classification: EximProcessKind.classify(["exim4", "-bd"]))
        let c = EximProcess.counts([p, p])
        #expect(c.map(\.kind) == EximProcessKind.allCases)
        #expect(c.map(\.count) == [2, 0, 0, 0, 0, 0, 0])
    }

    func snapshotWithProcesses() -> Snapshot {
        var snap = sampleSnapshot()
        let evil = TaintedString(tainting: "/usr/sbin/exim4 -bd -q30m \u{1b}[2J\u{202e}\"x")
        snap.processes = [EximProcess(pid: 812, parentPID: 1, ageSeconds: 5025, name: TaintedString(tainting: "exim4"),
                                      title: evil, classification: EximProcessKind.classify(["exim4", "-bd", "-q30m"])),
                          EximProcess(pid: 9001, parentPID: 812, ageSeconds: 2, name: TaintedString(tainting: "exim4"),
                                      title: TaintedString(tainting: "exim: rewritten"), classification: EximProcessKind.classify(["exim: rewritten"]),
                                      recognition: .name)]
        snap.processesRead = true
        return snap
    }

    @Test("JSON: processes with pid, parentPid, ageSeconds, kind, activity and the escaped title; null when not read")
    func json() throws {
        let snap = snapshotWithProcesses()
        let text = SnapshotJSON.line(snap)
        #expect(!text.contains("\u{1b}") && !text.contains("\u{202e}"))
        #expect(text.contains("\\u001b[2J\\u202e\\\"x"))
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let list = object["processes"] as! [[String: Any]]
        #expect(list.count == 2)
        #expect(list[0]["pid"] as? Int == 812 && list[0]["parentPid"] as? Int == 1 && list[0]["ageSeconds"] as? Int == 5025)
        #expect(list[0]["kind"] as? String == "daemon" && list[0]["activity"] as? String == "daemon, queue runs -q30m")
        #expect(list[0]["title"] as? String == "/usr/sbin/exim4 -bd -q30m \u{1b}[2J\u{202e}\"x")
        #expect(list[1]["kind"] as? String == "other" && list[1]["activity"] is NSNull)
        #expect(list[0]["recognisedBy"] as? String == "executable" && list[1]["recognisedBy"] as? String == "name")
        // the key comes after the ones before it (additive)
        #expect(text.range(of: "\"stripcharts\"")!.lowerBound < text.range(of: "\"processes\"")!.lowerBound)

        var unread = sampleSnapshot()
        unread.processesRead = false
        let none = try JSONSerialization.jsonObject(with: Data(SnapshotJSON.line(unread).utf8)) as! [String: Any]
        #expect(none["processes"] is NSNull)
        unread.processesRead = true
        let empty = try JSONSerialization.jsonObject(with: Data(SnapshotJSON.line(unread).utf8)) as! [String: Any]
        #expect((empty["processes"] as? [Any])?.isEmpty == true)
    }

    @Test("plain frame: a PROCESSES section when any run (quoted titles, width kept), none otherwise")
    func plainFrame() {
        let snap = snapshotWithProcesses()
        let frame = PlainFrame.render(snap, width: 80)
        let lines = frame.split(separator: "\n", omittingEmptySubsequences: false)
        let head = lines.firstIndex { $0.hasPrefix("PROCESSES  ") }
        #expect(head != nil, "\(frame)")
        #expect(lines[head!] == "PROCESSES  2 Exim processes (from /proc)")
        #expect(lines[head! + 1].hasPrefix("    812 "))
        #expect(lines[head! + 1].hasSuffix("daemon, queue runs -q30m: /usr/sbin/exim4 -bd -q30m \\x1b[2J\\u{202E}\"x")
                || lines[head! + 1].contains("daemon, queue runs -q30m: /usr/sbin/exim4 -bd -q30m \\x1b[2J"), "\(lines[head! + 1])")
        #expect(lines[head! + 2].hasPrefix("   9001 ") && lines[head! + 2].hasSuffix(" [by name] exim: rewritten"), "\(lines[head! + 2])")
        #expect(!lines[head! + 1].contains("[by "))
        #expect(!frame.contains("\u{1b}") && !frame.contains("\u{202e}"))
        for line in lines { #expect(DisplayWidth.of(String(line)) <= 80) }

        var quiet = sampleSnapshot()
        quiet.processesRead = true
        #expect(!PlainFrame.render(quiet, width: 80).contains("PROCESSES"))
        var many = snapshotWithProcesses()
        many.processes = Array(repeating: many.processes[1], count: PlainFrame.processLimit + 5)
        let long = PlainFrame.render(many, width: 80)
        #expect(long.contains("PROCESSES  25 Exim processes"))
        #expect(long.contains("\n  … 5 more"))
    }

    @Test("/proc files (stat size 0) are read to the end through StoremonSystem, with a cap")
    func procFiles() throws {
        let status = try RegularFile.contents(of: "/proc/self/status", limit: 1 << 16)
        #expect(status.count > 100 && String(decoding: status, as: UTF8.self).hasPrefix("Name:"))
        #expect(try RegularFile.contents(of: "/proc/self/status", limit: 10).count == 10)
        #expect(throws: OpenFailure.self) { try RegularFile.contents(of: "/proc/self/no-such-file", limit: 10) }
        #expect(throws: OpenFailure.self) { try RegularFile.contents(of: "/proc/self", limit: 10) }   // a directory
        var names: [String] = []
        try DirectoryListing.forEachName(in: "/proc/self/fd") { names.append(String(decoding: $0, as: UTF8.self)); return true }
        #expect(names.contains("0") && !names.contains(".") && !names.contains(".."))
        #expect(throws: SystemFailure.self) { try DirectoryListing.forEachName(in: "/proc/no-such-dir") { _ in true } }
        // the live reader finds this very test process only if it were Exim: it is not
        #expect(EximProcessReader().readIfListable()?.contains { $0.pid == Int(getpid()) } == false)
    }
}
