import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximSpool

/// The real spools read like `exim -bp` printed them.
@Suite struct RealSpoolTests {
    func compare(spool: URL, bpFile: String, expectedCount: Int) throws {
        let bpText = try String(contentsOf: Fixtures.root.appendingPathComponent("queue/\(bpFile)"), encoding: .utf8)
        let bp = BPListing.parse(bpText)
        #expect(bp.count == expectedCount)

        let store = try Store()
        store.currentPool = .message
        let reader = QueueReader(spoolDirectory: spool.path)
        let scan = try reader.scan(into: store)
        #expect(scan.unreadable.isEmpty)
        #expect(scan.messages.count == bp.count)
        // bp.txt was taken within a minute of the first arrival: every age there is " 0m".
        let now = scan.messages.map(\.header.receivedTime).min()! + 59
        let summaries = scan.summaries(now: now)
        #expect(summaries.map(\.id.description) == bp.map(\.id))
        for (s, b) in zip(summaries, bp) {
            #expect(s.ageText == b.age, "\(b.id)")
            expectSummary(s, matches: b)
        }
    }

    @Test func flatSpoolEqualsExigBp() throws {
        try compare(spool: Fixtures.url("spool"), bpFile: "bp.txt", expectedCount: 21)
    }

    @Test func splitSpoolEqualsExigBp() throws {
        try compare(spool: Fixtures.url("spool-split"), bpFile: "split-bp.txt", expectedCount: 4)
    }

    @Test func frozenIdsMatchExiqgrep() throws {
        let text = try String(contentsOf: Fixtures.root.appendingPathComponent("queue/frozen-ids.txt"), encoding: .utf8)
        let expected = text.split(separator: "\n").map(String.init)
        let store = try Store()
        let scan = try QueueReader(spoolDirectory: Fixtures.url("spool").path).scan(into: store)
        #expect(scan.messages.filter(\.isFrozen).map(\.id.description) == expected)
        for m in scan.messages where m.isFrozen { #expect(m.header.frozenSince != nil) }
    }

    @Test func agesFollowTheInjectedClock() throws {
        let store = try Store()
        let scan = try QueueReader(spoolDirectory: Fixtures.url("spool").path).scan(into: store)
        let m = scan.messages[0]
        let t = m.header.receivedTime
        #expect(m.summary(now: t + 59).ageText == " 0m")
        #expect(m.summary(now: t + 60 * 90).ageText == "90m")
        #expect(m.summary(now: t + 60 * 91).ageText == " 2h")
        #expect(m.summary(now: t + 3600 * 72).ageText == "72h")
        #expect(m.summary(now: t + 3600 * 80).ageText == " 3d")
    }

    @Test func everyRealOptionIsRecognised() throws {
        let store = try Store()
        var names = Set<String>()
        for (id, url) in try Fixtures.headerFiles() {
            let h = try parseHeader(Array(try Data(contentsOf: url)), store: store, expecting: id).get()
            for o in h.options {
                #expect(o.kind != .unknown, "\(id): \(String(decoding: o.name.testBytes, as: UTF8.self))")
                #expect(o.name.equals(o.kind.spoolName))
                names.insert(o.kind.spoolName)
            }
        }
        // Everything the real files use (see the fixtures' README).
        for n in ["aclc", "aclm", "helo_name", "host_address", "interface_address", "frozen", "local", "localerror",
                  "ident", "tls_ourcert", "tls_cipher", "tls_ver", "tls_resumption", "auth_id", "auth_sender",
                  "deliver_firsttime", "received_time_usec", "received_time_complete", "body_linecount",
                  "max_received_linelength", "received_protocol", "allow_unqualified_recipient",
                  "allow_unqualified_sender"] {
            #expect(names.contains(n), "\(n)")
        }
    }

    @Test func realFileDetails() throws {
        let store = try Store()
        let url = Fixtures.url("spool").appendingPathComponent("input/1xWd9E-0006y2-1W-H")
        let h = try parseHeader(Array(try Data(contentsOf: url)), store: store).get()
        #expect(h.id.description == "1xWd9E-0006y2-1W")
        #expect(h.login.equals("Debian-exim"))
        #expect(h.uid == 102 && h.gid == 105)
        #expect(h.sender.equals("notify@example.com"))
        #expect(h.receivedTime == 1795713640 && h.warningCount == 0)
        #expect(h.receivedMicroseconds == 474458)
        #expect(h.hostAddress?.equals("[127.0.0.1]:38880") == true)
        #expect(!h.isLocal && !h.isFrozen)
        let acl = h.aclVariables
        #expect(acl.count == 2)
        #expect(acl[0].kind == .aclc && acl[0].isTainted && acl[0].aclName?.equals("_helo_seen") == true)
        #expect(acl[0].value?.equals("client.storemon.test") == true)
        #expect(acl[1].kind == .aclm && !acl[1].isTainted && acl[1].value?.equals("1") == true)
        #expect(h.first(.heloName)?.isTainted == true)
        #expect(h.first(.tlsOurcert)?.value?.testBytes.starts(with: Array("-----BEGIN CERTIFICATE-----".utf8)) == true)
        #expect(h.nonRecipientCount == 0)
        #expect(h.recipientCount == 1 && h.recipient(0).address.equals("ops@example.org"))
        #expect(h.headerCount == 7)
        #expect(h.headers[0].flag == UInt8(ascii: "P") && h.headers[0].length == 269)
        #expect(h.headers.map(\.length).reduce(0, +) == h.liveHeaderBytes)

        let local = Fixtures.url("spool").appendingPathComponent("input/1xWd9R-0007CA-1i-H")
        let l = try parseHeader(Array(try Data(contentsOf: local)), store: store).get()
        #expect(l.isLocal)
        #expect(l.hostAddress == nil)
        #expect(l.login.equals("root") && l.uid == 0)
        #expect(l.headers.filter { !$0.isLive }.count == 1)   // the Bcc, deleted
        #expect(l.liveHeaderBytes == l.headers.filter(\.isLive).map(\.length).reduce(0, +))

        let partly = Fixtures.url("spool").appendingPathComponent("input/1xWd9U-0007NN-33-H")
        let p = try parseHeader(Array(try Data(contentsOf: partly)), store: store).get()
        #expect(p.nonRecipients.count == 1 && p.nonRecipients[0].equals("bob@storemon.test"))
    }

    @Test func namedQueue() throws {
        let dir = try Fixtures.temporaryURL("spooltest")
        defer { Fixtures.remove(dir) }
        try Fixtures.copySpool(Fixtures.url("spool-split"), to: dir, queue: "slow")
        let store = try Store()
        let named = try QueueReader(spoolDirectory: dir.path, queueName: "slow").scan(into: store)
        #expect(named.messages.count == 4)
        #expect(named.messages.allSatisfy { $0.subdirectory == $0.id.splitCharacter })
        // The default queue of that spool does not exist.
        #expect(throws: QueueScanError.self) { _ = try QueueReader(spoolDirectory: dir.path).scan(into: store) }
        #expect(throws: QueueScanError.badQueueName("../x")) {
            _ = try QueueReader(spoolDirectory: dir.path, queueName: "../x").scan(into: store)
        }
    }

    @Test func mixedFlatAndSplit() throws {
        let dir = try Fixtures.temporaryURL("spooltest")
        defer { Fixtures.remove(dir) }
        try Fixtures.copySpool(Fixtures.url("spool"), to: dir)
        let fm = FileManager.default
        for sub in try fm.contentsOfDirectory(atPath: Fixtures.url("spool-split").appendingPathComponent("input").path) {
            try fm.copyItem(at: Fixtures.url("spool-split").appendingPathComponent("input/\(sub)"),
                            to: dir.appendingPathComponent("input/\(sub)"))
        }
        let store = try Store()
        let scan = try QueueReader(spoolDirectory: dir.path).scan(into: store)
        #expect(scan.messages.count == 25)
        #expect(scan.messages.map(\.id) == scan.messages.map(\.id).sorted())
        #expect(scan.statistics.directoriesListed == 5)
    }
}
