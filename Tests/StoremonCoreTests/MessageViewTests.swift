import EximSpool
import FixtureSupport
import Foundation
import Store
import StoremonCore
import Testing

/// `storemon show`'s model, checked against real Exim 4.96 spool files and the
/// `exim -bp` listing Exim itself printed for them.
@Suite("Message view")
struct MessageViewTests {
    static let now = 1_795_713_700

    /// One `exim -bp` entry: size text, id, sender, frozen, pending and delivered recipients.
    struct Listed {
        var size: String
        var id: String
        var frozen: Bool
        var pending: [String] = []
        var delivered: [String] = []
    }

    static func listing(_ path: String = Fixtures.bp) throws -> [Listed] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [Listed] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("        D ") {
                out[out.count - 1].delivered.append(String(line.dropFirst(10)))
            } else if line.hasPrefix("          ") {
                out[out.count - 1].pending.append(String(line.dropFirst(10)))
            } else {
                let cols = String(line)
                let size = String(cols.dropFirst(4).prefix(5))
                let id = cols.dropFirst(10).split(separator: " ")[0]
                out.append(Listed(size: size, id: String(id), frozen: cols.hasSuffix("*** frozen ***")))
            }
        }
        return out
    }

    @Test("every fixture message: size, frozen, pending and delivered recipients equal exim -bp")
    func matchesEximListing() throws {
        let listed = try Self.listing()
        #expect(listed.count > 10)
        for l in listed {
            let v = try MessageView.read(id: l.id, spoolDirectory: Fixtures.spool, now: Self.now)
            #expect(v.envelope.sizeText == l.size, "\(l.id)")
            #expect(v.envelope.isFrozen == l.frozen, "\(l.id)")
            #expect(v.pending.map { $0.address.quoted(by: TerminalQuoter()).string } == l.pending, "\(l.id)")
            #expect(v.delivered.map { $0.address.quoted(by: TerminalQuoter()).string } == l.delivered, "\(l.id)")
            #expect(v.messageLog.text != nil, "\(l.id): its msglog is in the fixture")
            #expect(v.body == nil)
        }
    }

    /// Real spools of other Exim versions, with the `exim -bp` output Exim printed for them:
    /// (version directory, spool, named queue, listing).
    static let otherVersions: [(String, String, String?, String)] = ["exim-4.98", "exim-4.99"].flatMap { v in
        [(v, "spool", nil, "queue/bp.txt"), (v, "spool-split", nil, "queue/split-bp.txt"),
         (v, "spool", "ferry", "queue/bp-ferry.txt"), (v, "spool-split", "ferry", "queue/split-bp-ferry.txt")]
    }

    @Test("Exim 4.98 and 4.99 spools (flat, split, named queue): every message as exim -bp listed it",
          arguments: otherVersions)
    func otherEximVersions(_ version: String, _ spool: String, _ queue: String?, _ bp: String) throws {
        let root = Fixtures.directory.appendingPathComponent(version).path
        let listed = try Self.listing(root + "/" + bp)
        #expect(!listed.isEmpty)
        for l in listed {
            let v = try MessageView.read(id: l.id, spoolDirectory: root + "/" + spool, queueName: queue,
                                         bodyLimit: MessageView.bodyLimit, now: Self.now)
            #expect(v.id.isLongFormat, "\(l.id)")
            #expect(v.envelope.sizeText == l.size, "\(version) \(l.id)")
            #expect(v.envelope.isFrozen == l.frozen, "\(version) \(l.id)")
            #expect(v.pending.map { $0.address.quoted(by: TerminalQuoter()).string } == l.pending, "\(version) \(l.id)")
            #expect(v.delivered.map { $0.address.quoted(by: TerminalQuoter()).string } == l.delivered, "\(version) \(l.id)")
            #expect(v.body?.problem == nil && v.messageLog.problem == nil, "\(version) \(l.id)")
            #expect(!MessageViewText.lines(v).isEmpty)
        }
    }

    @Test("envelope of an SMTP message: host, HELO, protocol, interface, ACL variables")
    func smtpEnvelope() throws {
        let v = try MessageView.read(id: "1xWd9D-0006xR-10", spoolDirectory: Fixtures.spool, now: Self.now)
        let q = TerminalQuoter()
        #expect(v.envelope.sender == "alice@storemon.test")
        #expect(v.envelope.login == "Debian-exim" && v.envelope.uid == 102 && v.envelope.gid == 105)
        #expect(v.envelope.host.address! == "[127.0.0.1]:38852")
        #expect(v.envelope.host.helo! == "client.storemon.test")
        #expect(v.envelope.host.protocolName! == "esmtp")
        #expect(v.envelope.host.interface! == "[127.0.0.1]:2525")
        #expect(v.envelope.aclVariables.map { q.quote($0.name).string } == ["acl_c_helo_seen", "acl_m_rcpt_count"])
        #expect(v.envelope.aclVariables.map { q.quote($0.value).string } == ["client.storemon.test", "1"])
        #expect(v.envelope.receivedTime == 1_795_713_639 && v.envelope.receivedMicroseconds == 310_508)
        #expect(v.envelope.ageSeconds == Self.now - 1_795_713_639)
        let text = MessageViewText.lines(v).map(\.string)
        #expect(text.contains { $0.hasPrefix("Host:") && $0.contains("[127.0.0.1]:38852") })
        #expect(text.contains("  acl_c_helo_seen = client.storemon.test"))
        #expect(text.contains { $0.hasPrefix("Received:") && $0.contains("1m 1s ago") })
    }

    @Test("every header keeps its flag, with the meaning from Exim's spec; auth fields are shown")
    func headerFlags() throws {
        let v = try MessageView.read(id: "1xWd9R-0007CA-1i", spoolDirectory: Fixtures.spool, now: Self.now)
        #expect(v.headers.map(\.flag) == [.received, .to, .cc, .deleted, .ordinary, .messageID, .from, .ordinary])
        #expect(v.headers.map(\.flag.meaning) == ["Received", "To", "Cc", "deleted (not sent)", "ordinary", "Message-ID", "From", "ordinary"])
        #expect(v.headers.filter(\.isLive).count == 7)
        #expect(v.envelope.authentication.id! == "root")
        #expect(v.envelope.authentication.sender! == "root@storemon.test")
        #expect(v.envelope.isLocal)
        #expect(v.pending.count == 3 && v.delivered.isEmpty)
        let lines = MessageViewText.lines(v).map(\.string)
        #expect(lines.contains { $0.hasPrefix("  * deleted (not sent)") && $0.contains("Bcc: erin@storemon.test") })
        #expect(lines.contains { $0.hasPrefix("  P Received") })
        // The raw 8-bit subject is spelt out, never sent raw.
        #expect(lines.contains { $0.contains("Subject: \\x") })
        #expect(lines.contains { $0.hasPrefix("Auth:") && $0.contains("id root") })
    }

    @Test("a frozen bounce: <> sender, frozen since, JSON parses and keeps the key order")
    func frozenBounceJSON() throws {
        let v = try MessageView.read(id: "1xWd9F-0006yz-1s", spoolDirectory: Fixtures.spool, now: Self.now)
        #expect(v.envelope.isBounce && v.envelope.isFrozen && v.envelope.frozenSince != nil)
        let json = MessageViewJSON.render(v)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["id"] as? String == "1xWd9F-0006yz-1s")
        let envelope = try #require(object["envelope"] as? [String: Any])
        #expect(envelope["sender"] as? String == "")
        #expect(envelope["bounce"] as? Bool == true)
        #expect(envelope["frozen"] as? Bool == true)
        #expect(envelope["sizeText"] as? String == " 1.7K")
        let headers = try #require(object["headers"] as? [[String: Any]])
        #expect(headers.first?["flag"] as? String == "P")
        #expect(headers.first?["meaning"] as? String == "Received")
        #expect(object["body"] is NSNull)
        let keys = ["\"id\"", "\"spool\"", "\"envelope\"", "\"recipients\"", "\"pending\"", "\"delivered\"",
                    "\"headers\"", "\"messageLog\"", "\"body\""]
        let positions = keys.map { json.range(of: "\n  " + $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 }.sorted() == positions.compactMap { $0 })
    }

    @Test("a split spool: -H in input/<c>, message log in msglog/<c>")
    func splitSpool() throws {
        let v = try MessageView.read(id: "1xWd9X-0007U3-31", spoolDirectory: Fixtures.splitSpool,
                                     bodyLimit: MessageView.bodyLimit, now: Self.now)
        #expect(v.location.headerPath.hasSuffix("/spool-split/input/X/1xWd9X-0007U3-31-H"))
        #expect(v.messageLog.path.hasSuffix("/spool-split/msglog/X/1xWd9X-0007U3-31"))
        #expect(v.messageLog.text != nil)
        let body = try #require(v.body)
        #expect(body.text != nil && !body.isCut)
        #expect(body.fileSize == body.text!.byteCount)
    }

    @Test("malformed and unknown ids give errors that say so")
    func badIDs() {
        #expect(throws: MessageViewError.malformedID("1xWd9X-0007U3")) {
            try MessageView.read(id: "1xWd9X-0007U3", spoolDirectory: Fixtures.spool, now: Self.now)
        }
        do {
            _ = try MessageView.read(id: "1xWd9X-0007U3-99", spoolDirectory: Fixtures.spool, now: Self.now)
            Issue.record("an unknown id was found")
        } catch {
            #expect(error.description.contains("is not on the queue"))
            #expect(error.description.contains(Fixtures.spool + "/input"))
        }
        do {
            _ = try MessageView.read(id: "1xWd9X-0007U3-99", spoolDirectory: "/nonexistent-spool", now: Self.now)
            Issue.record("a missing spool was read")
        } catch {
            #expect(error.description.contains("/nonexistent-spool/input: no such directory"))
        }
    }

    /// A spool in a temporary directory with one message made by hand.
    static func handMadeSpool(header extra: String, body: [UInt8], msglog: Bool) throws -> (String, String) {
        let dir = try Fixtures.temporaryDirectory("show")
        let id = "1xWd9D-0006xR-10"
        try FileManager.default.createDirectory(atPath: dir + "/input", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/msglog", withIntermediateDirectories: true)
        let subject = "Subject: evil \u{1b}[31mred\u{1b}[0m \u{202e}bidi\n"
        var h = "\(id)-H\nalice 1000 1000\n<alice@storemon.test>\n1795713639 0\n-local\n\(extra)XX\n1\nbob@storemon.test\n\n"
        h += String(format: "%03d  ", subject.utf8.count) + subject
        try Data(h.utf8).write(to: URL(fileURLWithPath: dir + "/input/\(id)-H"))
        try Data(Array("\(id)-D\n".utf8) + body).write(to: URL(fileURLWithPath: dir + "/input/\(id)-D"))
        if msglog { try Data("2026-11-26 17:20:39 Received\n".utf8).write(to: URL(fileURLWithPath: dir + "/msglog/\(id)")) }
        return (dir, id)
    }

    @Test("a body over 256 KiB is cut and says so; the rest of the view is unaffected")
    func bodyIsCut() throws {
        let line = Array("0123456789 the quick brown fox\n".utf8)
        var body: [UInt8] = []
        while body.count < 300_000 { body += line }
        let (dir, id) = try Self.handMadeSpool(header: "", body: body, msglog: false)
        defer { Fixtures.remove(dir) }
        let v = try MessageView.read(id: id, spoolDirectory: dir, bodyLimit: MessageView.bodyLimit, now: Self.now)
        let b = try #require(v.body)
        #expect(b.isCut && b.fileSize == body.count && b.text?.byteCount == 256 << 10)
        let lines = MessageViewText.lines(v, section: .body).map(\.string)
        #expect(lines.last == "  [cut: first 262144 of \(body.count) bytes shown]")
        #expect(v.messageLog.isAbsent)
        #expect(MessageViewText.lines(v, section: .messageLog).first?.string.hasPrefix("Message log: none") == true)
        let json = MessageViewJSON.render(v, pretty: false)
        #expect(json.contains("\"cut\":true"))
    }

    @Test("escape sequences and bidi controls in headers never reach the output raw")
    func hostileHeader() throws {
        let (dir, id) = try Self.handMadeSpool(header: "--helo_name \u{1b}]0;owned\u{07}\n", body: Array("x\r\n".utf8), msglog: true)
        defer { Fixtures.remove(dir) }
        let v = try MessageView.read(id: id, spoolDirectory: dir, bodyLimit: 10, now: Self.now)
        for line in MessageViewText.lines(v) {
            #expect(!line.string.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x202E })
        }
        let json = MessageViewJSON.render(v)
        #expect(!json.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(json.contains("\\u001b[31m"))
    }

    @Test("a corrupt -H, a FIFO where -D belongs, and a directory where msglog/ID belongs are reported, not fatal")
    func damagedFiles() throws {
        let (dir, id) = try Self.handMadeSpool(header: "", body: Array("x\n".utf8), msglog: false)
        defer { Fixtures.remove(dir) }
        try FileManager.default.removeItem(atPath: dir + "/input/\(id)-D")
        #expect(mkfifo(dir + "/input/\(id)-D", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: dir + "/msglog/\(id)", withIntermediateDirectories: true)
        let v = try MessageView.read(id: id, spoolDirectory: dir, bodyLimit: 100, now: Self.now)
        #expect(v.body?.problem?.contains("not a regular file") == true)
        #expect(v.messageLog.problem?.contains("not a regular file") == true)
        #expect(v.envelope.size == nil && v.envelope.sizeText == "     ")
        // Cut the -H in the middle of its envelope.
        let h = dir + "/input/\(id)-H"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: h))
        try bytes.prefix(40).write(to: URL(fileURLWithPath: h))
        do {
            _ = try MessageView.read(id: id, spoolDirectory: dir, now: Self.now)
            Issue.record("a cut -H was read")
        } catch {
            #expect(error.description.hasPrefix(h + ": envelope error at byte"))
        }
    }
}
