import EximFormats
import Foundation
import RealEximSupport
import Store
import Testing
@testable import EximSpool

/// `-H` files in the shapes of the spool files in Exim's own test suite
/// (`test/aux-fixed/…`, read-only, never copied here): an old-format (16-character) local
/// message, a frozen local bounce carrying a ~20 KB option this reader does not know, a
/// frozen bounce whose `-tls_peerdn` ends in a backslash, and a new-format message with
/// tainted options, an ACL variable, a delivered recipient and the extended recipient form.
/// Every file is written here, with made-up values, by the rules of eximon.md 3.3; the
/// listing they are checked against is Debian's real `exim -bp` reading the same files.
@Suite("Spool files in the shapes of Exim's test suite")
struct CorpusSpoolShapeTests {
    /// One synthetic message: its `-H` and `-D` files.
    struct Message {
        var id: String
        var header: String
        var data: String
    }

    /// A message id whose time part is `time` (base 62, as Exim makes them).
    static func id(_ time: Int, legacy: Bool, serial: Int) -> String {
        let t = Base62.string(time, count: 6)
        return legacy ? "\(t)-\(Base62.string(4000 + serial, count: 6))-\(Base62.string(serial, count: 2))"
                      : "\(t)-\(Base62.string(4000 + serial, count: 11))-\(Base62.string(serial, count: 4))"
    }

    /// A header line: zero-padded length, flag, space, text (with its newline).
    static func header(_ flag: Character, _ text: String) -> String {
        let len = String(text.utf8.count)
        return String(repeating: "0", count: max(0, 3 - len.count)) + len + String(flag) + " " + text
    }

    /// A whole `-H` file.
    static func headerFile(id: String, owner: String = "mailer 8 12", sender: String, time: Int, options: [String],
                           tree: [String] = ["XX"], recipients: [String], headers: [(Character, String)]) -> String {
        var s = "\(id)-H\n\(owner)\n<\(sender)>\n\(time) 0\n"
        for o in options { s += o + "\n" }
        for t in tree { s += t + "\n" }
        s += "\(recipients.count)\n"
        for r in recipients { s += r + "\n" }
        s += "\n"
        for (f, t) in headers { s += header(f, t) }
        return s
    }

    static let now = Int(Date().timeIntervalSince1970)
    static let longNote = "site note " + String(repeating: "z", count: 20_000)
    static let aclValue = "first line\nsecond one"

    static let messages: [Message] = {
        var out: [Message] = []
        // An old-format local message, 400 days old (the age column grows past 3 characters).
        let t0 = now - 400 * 86400
        let i0 = id(t0, legacy: true, serial: 1)
        out.append(Message(id: i0, header: headerFile(
            id: i0, sender: "ann@example.org", time: t0,
            options: ["-received_time_usec .250000", "-received_time_complete \(t0 + 2).100000", "-received_protocol local",
                      "-body_linecount 1", "-max_received_linelength 12", "-deliver_firsttime", "-local", "-tls_resumption A"],
            recipients: ["bin@example.org"],
            headers: [("P", "Received: from ann by box.example.org with local (Exim 4.96)\n\tid \(i0);\n\tMon, 1 Jan 2024 10:00:00 +0000\n"),
                      (" ", "Subject: hello\n"), ("I", "Message-Id: <E\(i0)@box.example.org>\n"), ("F", "From: Ann <ann@example.org>\n")]),
            data: "\(i0)-D\nbody text\n"))
        // A frozen local bounce with a long option of a kind this reader does not know.
        let t1 = now - 2 * 86400 - 600
        let i1 = id(t1, legacy: true, serial: 2)
        out.append(Message(id: i1, header: headerFile(
            id: i1, owner: "Debian-exim 101 101", sender: "", time: t1,
            options: ["-ident Debian-exim", "-received_protocol local", "-frozen \(t1 + 1)", "-localerror",
                      "-x_site_note " + longNote, "-body_linecount 20"],
            recipients: ["bob@example.org"],
            headers: [("P", "Received: from Debian-exim by box.example.org with local (Exim 4.96)\n\tid \(i1)\n"),
                      ("F", "From: Mail Delivery System <Mailer-Daemon@box.example.org>\n"), ("T", "To: bob@example.org\n"),
                      (" ", "Subject: Mail delivery failed: returning message to sender\n")]),
            data: "\(i1)-D\n" + String(repeating: "report line\n", count: 20)))
        // A frozen bounce whose stored peer DN ends in a backslash.
        let t2 = now - 3 * 3600
        let i2 = id(t2, legacy: true, serial: 3)
        out.append(Message(id: i2, header: headerFile(
            id: i2, owner: "Debian-exim 101 101", sender: "", time: t2,
            options: ["-received_protocol local", "-frozen \(t2 + 5)", "-localerror", "-tls_peerdn O=Example Org\\"],
            recipients: ["carol@example.org"],
            headers: [("P", "Received: from Debian-exim by box.example.org with local (Exim 4.96)\n\tid \(i2)\n"),
                      (" ", "Subject: Mail delivery failed\n")]),
            data: "\(i2)-D\nshort\n"))
        // A new-format SMTP message: tainted options, an ACL variable whose value holds a
        // newline, one recipient already delivered, one in the extended (DSN) form.
        let t3 = now - 300
        let i3 = id(t3, legacy: false, serial: 4)
        out.append(Message(id: i3, header: headerFile(
            id: i3, sender: "dave@example.net", time: t3,
            options: ["-received_time_usec .000100", "--helo_name relay.example.net", "-host_address [192.0.2.9]:4242",
                      "-interface_address [198.51.100.1]:25", "-received_protocol esmtps",
                      "-aclm 0 \(aclValue.utf8.count)\n\(aclValue)", "-body_linecount 2", "-deliver_firsttime",
                      "-tls_cipher TLS1.3:TLS_AES_256_GCM_SHA384:256"],
            tree: ["NN erin@example.org"],
            recipients: ["erin@example.org", "fred@example.org rfc822;fred@example.org 23,12  0,-1#3"],
            headers: [("P", "Received: from relay.example.net ([192.0.2.9]:4242)\n\tby box.example.org with esmtps\n\tid \(i3)\n"),
                      ("*", "From: dave@example.net\n"), ("F", "From: Dave <dave@example.net>\n"),
                      ("T", "To: erin@example.org, fred@example.org\n")]),
            data: "\(i3)-D\nline one\nline two\n"))
        // A local message whose sender an untrusted user set (`exim -f`): `exim -bp` prints
        // the originator's login after the sender, `<list-bounces@example.org> (gail)`.
        let t4 = now - 90 * 60
        let i4 = id(t4, legacy: true, serial: 5)
        out.append(Message(id: i4, header: headerFile(
            id: i4, owner: "gail 1000 1000", sender: "list-bounces@example.org", time: t4,
            options: ["-ident gail", "-received_protocol local", "-body_linecount 1", "-sender_set_untrusted", "-local"],
            recipients: ["hugo@example.org"],
            headers: [("P", "Received: from gail by box.example.org with local (Exim 4.96)\n\t(envelope-from <list-bounces@example.org>)\n\tid \(i4)\n"),
                      ("S", "Sender: Gail <gail@box.example.org>\n"), ("F", "From: The List <list@example.org>\n")]),
            data: "\(i4)-D\nhi\n"))
        // An authenticated submission (the shapes of the harness's -Mvh dumps): the
        // authenticator's names, a tainted `--auth_id`, `-auth_sender`, both
        // allow_unqualified flags, and rewritten headers whose originals are kept deleted
        // (`*`), which count neither in the -bp size nor as live headers.
        let t5 = now - 20 * 60
        let i5 = id(t5, legacy: true, serial: 6)
        out.append(Message(id: i5, header: headerFile(
            id: i5, owner: "mailer 8 12", sender: "ivan@example.org", time: t5,
            options: ["-received_time_usec .125000", "-received_time_complete \(t5 + 1).000500", "-ident ivan",
                      "--helo_name laptop.example.org", "-host_address [192.0.2.77]:50001", "-host_auth plain_server",
                      "-host_auth_pubname PLAIN", "-interface_address [198.51.100.1]:587", "-received_protocol esmtpsa",
                      "--auth_id ivan@example.org", "-auth_sender ivan@example.org", "-allow_unqualified_recipient",
                      "-allow_unqualified_sender", "-body_linecount 3", "-max_received_linelength 40", "-deliver_firsttime"],
            recipients: ["judy@example.org"],
            headers: [("P", "Received: from [192.0.2.77] (helo=laptop.example.org)\n\tby box.example.org with esmtpsa (Exim 4.96)\n\tid \(i5)\n"),
                      ("*", "From: ivan\n"), ("F", "From: ivan@example.org\n"), ("*", "Resent-To: judy\n"),
                      ("T", "Resent-To: judy@example.org\n"), (" ", "Subject: notes\n"),
                      ("S", "Sender: Ivan <ivan@box.example.org>\n")]),
            data: "\(i5)-D\none\ntwo\nthree\n"))
        return out
    }()

    static func parse(_ m: Message, _ store: Store) throws -> SpoolHeader {
        switch try parseHeader(Array(m.header.utf8), store: store, expecting: MessageID(m.id)) {
        case .success(let h): return h
        case .failure(let e): throw e
        }
    }

    @Test("every shape parses whole, with the values written")
    func shapesParse() throws {
        let store = try Store()
        let h0 = try Self.parse(Self.messages[0], store)
        #expect(h0.id.format == .legacy && h0.isWhole && h0.isLocal && !h0.isFrozen)
        #expect(h0.receivedTime == h0.id.arrivalTime && h0.receivedMicroseconds == 250_000)
        #expect(h0.first(.tlsResumption)?.value?.equals("A") == true)

        let h1 = try Self.parse(Self.messages[1], store)
        #expect(h1.isWhole && h1.isFrozen && h1.sender.count == 0 && h1.has(.localError) && !h1.isLocal)
        let unknown = h1.options.filter { $0.kind == .unknown }
        #expect(unknown.count == 1 && unknown.first?.name.equals("x_site_note") == true)
        #expect(unknown.first?.value?.count == Self.longNote.utf8.count)
        #expect(h1.first(.bodyLinecount)?.value?.equals("20") == true, "options after the long one are still read")

        let h2 = try Self.parse(Self.messages[2], store)
        #expect(h2.isFrozen && h2.first(.tlsPeerdn)?.value?.equals("O=Example Org\\") == true)
        #expect(h2.recipientCount == 1 && h2.headerCount == 2)

        let h3 = try Self.parse(Self.messages[3], store)
        #expect(h3.id.format == .extended && h3.first(.heloName)?.isTainted == true)
        #expect(h3.hostAddress?.equals("[192.0.2.9]:4242") == true)
        #expect(h3.aclVariables.first?.value?.equals(Self.aclValue) == true)
        #expect(h3.nonRecipients.map { $0.testBytes } == [Array("erin@example.org".utf8)])
        #expect(h3.recipient(1).address.equals("fred@example.org") && h3.recipient(1).dsnFlags == 12)
        #expect(h3.headers.filter { !$0.isLive }.count == 1)

        let h4 = try Self.parse(Self.messages[4], store)
        #expect(h4.senderSetUntrusted && h4.isLocal && h4.login.equals("gail"))
        #expect(!h0.senderSetUntrusted && !h3.senderSetUntrusted)

        let h5 = try Self.parse(Self.messages[5], store)
        #expect(h5.isWhole && !h5.isLocal && h5.options.allSatisfy { $0.kind != .unknown })
        #expect(h5.first(.authID)?.isTainted == true && h5.first(.authID)?.value?.equals("ivan@example.org") == true)
        #expect(h5.first(.authSender)?.value?.equals("ivan@example.org") == true)
        #expect(h5.first(.hostAuthPubname)?.value?.equals("PLAIN") == true)
        #expect(h5.has(.allowUnqualifiedRecipient) && h5.has(.allowUnqualifiedSender))
        #expect(h5.headerCount == 7 && h5.headers.filter { !$0.isLive }.count == 2)
    }

    @Test("test-harness dumps with placeholders are refused cleanly, not misread")
    func placeholderDumps() throws {
        // The harness prints `-H` files with names for numbers (uid, gid, times, lengths):
        // such a file is not a spool file and must give a format error at that line.
        let store = try Store()
        let id = Self.id(Self.now, legacy: false, serial: 9)
        let uidless = "\(id)-H\nmailer MAILER_UID MAILER_GID\n<a@example.org>\n\(Self.now) 0\nXX\n1\nb@example.org\n\n"
        let timeless = "\(id)-H\nmailer 8 12\n<a@example.org>\nttttttttt 0\nXX\n1\nb@example.org\n\n"
        let lengthless = "\(id)-H\nmailer 8 12\n<a@example.org>\n\(Self.now) 0\nXX\n1\nb@example.org\n\ndddF From: a@example.org\n"
        for (text, problem, section) in [(uidless, SpoolFormatError.Problem.badOwnerLine, SpoolFormatError.Section.envelope),
                                         (timeless, .badTimesLine, .envelope)] {
            guard case .failure(let e) = try parseHeader(Array(text.utf8), store: store) else {
                Issue.record("accepted a placeholder file"); continue
            }
            #expect(e.problem == problem && e.section == section)
        }
        guard case .failure(let e) = try parseHeader(Array(lengthless.utf8), store: store) else {
            Issue.record("accepted a header without a length"); return
        }
        #expect(e.section == .headers)
    }

    @Test("the age column grows past three characters, as Exim's %3s does")
    func wideAgeColumn() {
        let entries = BPListing.parse("2656d   609 1aBcDe-00001A-2b <> *** frozen ***\n          root@example.org\n\n 5m  1.2K 1aBcDf-00001B-3c <a@example.org>\n        D b@example.org\n          c@example.org\n")
        #expect(entries.count == 2)
        #expect(entries.first == BPEntry(age: "2656d", size: "  609", id: "1aBcDe-00001A-2b", sender: "", frozen: true,
                                         undelivered: ["root@example.org"]))
        #expect(entries.last == BPEntry(age: " 5m", size: " 1.2K", id: "1aBcDf-00001B-3c", sender: "a@example.org", frozen: false,
                                        undelivered: ["c@example.org"], delivered: ["b@example.org"]))
    }

    @Test("a sender set by an untrusted user is listed as `<sender> (login)`")
    func untrustedSenderLogin() {
        // Shapes of Exim's own listings (test/stdout): a bounce and an address, each followed
        // by the login, and a frozen one (the mark comes after the login).
        let entries = BPListing.parse("""
             3h   269 1aBcDg-00001C-4d <> (gail)
                      hugo@example.org

            25m  1.1K 1aBcDh-00001D-5e <list-bounces@example.org> (gail) *** frozen ***
                      ivy@example.org

             1m   301 1aBcDi-00001E-6f <odd>(name)@example.org>
                      jo@example.org

            """)
        #expect(entries.map(\.login) == ["gail", "gail", nil])
        #expect(entries.map(\.sender) == ["", "list-bounces@example.org", "odd>(name)@example.org"])
        #expect(entries.map(\.frozen) == [false, true, false])
    }

    @Test("Debian's real exim -bp lists these files as the queue reader does")
    func realEximAgrees() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let input = exim.spool + "/input"
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        for m in Self.messages {
            try Data(m.header.utf8).write(to: URL(fileURLWithPath: "\(input)/\(m.id)-H"))
            try Data(m.data.utf8).write(to: URL(fileURLWithPath: "\(input)/\(m.id)-D"))
        }
        let now = Int(Date().timeIntervalSince1970)
        let listing = exim.listing()
        let entries = BPListing.parse(listing)
        // Exim before 4.97 knows only 16-character ids and skips the new-format file;
        // the reader reads both (a queue may hold both after an upgrade).
        let version = exim.exim(["-bV"]).1.split(separator: "\n").first.map(String.init) ?? ""
        let old = ["4.90", "4.91", "4.92", "4.93", "4.94", "4.95", "4.96"]
        let knowsNewIds = !old.contains { version.contains("version \($0) ") || version.contains("version \($0)_") }
        let expected = Self.messages.filter { knowsNewIds || $0.id.count == 16 }.map(\.id).sorted()
        #expect(entries.map(\.id).sorted() == expected, "\(version)\nexim -bp: \(listing)")

        let store = try Store()
        let scan = try QueueReader(spoolDirectory: exim.spool).scan(into: store)
        #expect(scan.unreadable.isEmpty)
        let summaries = scan.summaries(now: now)
        #expect(summaries.map(\.id.description).sorted() == Self.messages.map(\.id).sorted())
        for b in entries {
            guard let s = summaries.first(where: { $0.id.description == b.id }) else {
                Issue.record("\(b.id) listed by exim, not by the reader"); continue
            }
            expectSummary(s, matches: b)
            #expect(s.ageText == b.age, "\(b.id): \(s.ageText) vs \(b.age)")
        }
    }
}
