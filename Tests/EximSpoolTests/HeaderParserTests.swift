import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximSpool
import EximDemo

/// The `-H` parser on made-up and damaged input.
@Suite struct HeaderParserTests {
    /// eximon.md 3.4's made-up example (its header lengths are correct).
    static let example = """
    1tSxTb-00000000CXd-29Hd-H
    Debian-exim 101 101
    <alice@example.net>
    1735733127 0
    -received_time_usec .512345
    -received_time_complete 1735733127.934210
    --helo_name mail.example.net
    --host_address [192.0.2.10]:52144
    --host_name mail.example.net
    -interface_address [198.51.100.5]:25
    -received_protocol esmtps
    -aclm _score 3
    2.1
    -body_linecount 42
    -max_received_linelength 78
    -frozen 1735740000
    -tls_cipher TLS1.3:TLS_AES_256_GCM_SHA384:256
    --tls_sni mx.example.org
    -tls_resumption A
    -tls_ver TLS1.3
    NN bob@example.org
    3
    bob@example.org
    carol@example.org
    dave@example.com rfc822;dave@example.com 23,12  0,-1#3

    276P Received: from mail.example.net ([192.0.2.10]:52144 helo=mail.example.net)
    \tby mx.example.org with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384
    \t(Exim 4.99)
    \t(envelope-from <alice@example.net>)
    \tid 1tSxTb-00000000CXd-29Hd
    \tfor bob@example.org;
    \tWed, 01 Jan 2025 12:05:27 +0000
    048I Message-ID: <20250101120520.GA1234@example.net>
    024* From: alice@example.net
    032F From: Alice <alice@example.net>
    045T To: Bob <bob@example.org>, carol@example.org
    021C Cc: dave@example.com
    026  Subject: Quarterly report
    037  Date: Wed, 1 Jan 2025 12:05:20 +0000

    """

    func parse(_ text: String, _ store: Store, expecting id: MessageID? = nil) throws -> Result<SpoolHeader, SpoolFormatError> {
        try parseHeader(Array(text.utf8), store: store, expecting: id)
    }

    @Test func documentedExample() throws {
        let store = try Store()
        let h = try parse(Self.example, store, expecting: MessageID("1tSxTb-00000000CXd-29Hd")).get()
        #expect(h.id.isLongFormat && h.id.arrivalTime == 1735733127 && h.receivedTime == 1735733127)
        #expect(h.id.splitCharacter == UInt8(ascii: "b"))
        #expect(h.receivedMicroseconds == 512345)
        #expect(h.isFrozen && h.frozenSince == 1735740000)
        #expect(h.first(.heloName)?.isTainted == true && h.first(.tlsSNI)?.isTainted == true)
        #expect(h.hostAddress?.equals("[192.0.2.10]:52144") == true)
        #expect(h.aclVariables.count == 1 && h.aclVariables[0].value?.equals("2.1") == true)
        #expect(h.nonRecipients.count == 1 && h.nonRecipients[0].equals("bob@example.org"))
        #expect(h.recipientCount == 3)
        let dave = h.recipient(2)
        #expect(dave.address.equals("dave@example.com"))
        #expect(dave.orcpt?.equals("rfc822;dave@example.com") == true)
        #expect(dave.dsnFlags == 12 && dave.errorsTo == nil && dave.parentNumber == -1)
        #expect(h.headerCount == 8)
        #expect(h.liveHeaderBytes == 485)
        #expect(h.headers[2].flag == UInt8(ascii: "*") && !h.headers[2].isLive)
        // Size as eximon.md works it out: a 2431-byte -D.
        let m = QueuedMessage(header: h, dataFileSize: 2431)
        #expect(m.size == 2891 && m.sizeText == " 2.8K")
        #expect(m.summary(now: 1735733127 + 9000).recipients.map { $0 == "carol@example.org" } == [true, false])
        #expect(m.deliveredFlags == [true, false, false])
    }

    @Test func recipientForms() throws {
        let store = try Store()
        func recipients(_ lines: [String]) throws -> [SpoolRecipient] {
            let text = "1xWd9D-0006xR-10-H\nu 1 2\n<>\n1 0\nXX\n\(lines.count)\n" + lines.joined(separator: "\n") + "\n\n"
            return try parse(text, store).get().recipients
        }
        let r = try recipients([
            "a1-userx@test.ex  0,0 postmaster@test.ex 18,0#3",   // eximon.md's example
            "plain@example.com",
            "host@x.y1",                                         // digits ending a domain
            "old4@example.com 2",                                // early Exim 4: address pno
            "old3@example.com 0,5,0",                            // Exim 3: address a,pno,b
            "with space@example.com  0,-1#1",                    // errors_to empty
        ])
        #expect(r[0].address.equals("a1-userx@test.ex") && r[0].errorsTo?.equals("postmaster@test.ex") == true)
        #expect(r[0].parentNumber == 0 && r[0].orcpt == nil && r[0].dsnFlags == 0)
        #expect(r[1].address.equals("plain@example.com") && r[1].parentNumber == -1)
        #expect(r[2].address.equals("host@x.y1"))
        #expect(r[3].address.equals("old4@example.com") && r[3].parentNumber == 2)
        #expect(r[4].address.equals("old3@example.com") && r[4].parentNumber == 5)
        #expect(r[5].address.equals("with space@example.com") && r[5].errorsTo == nil && r[5].parentNumber == -1)
        // A '#' form whose lengths do not fit is an error, not a crash.
        #expect(throws: SpoolFormatError.self) { _ = try recipients(["a@b 99,0#1"]) }
        #expect(throws: SpoolFormatError.self) { _ = try recipients(["99,0#2"]) }
        #expect(throws: SpoolFormatError.self) { _ = try recipients(["x@y 7 a@b.c 0,-1#3"]) }   // empty errors_to needs two spaces
    }

    @Test func treeShapes() throws {
        let store = try Store()
        func tree(_ lines: String) -> Result<SpoolHeader, SpoolFormatError>? {
            try? parse("1xWd9D-0006xR-10-H\nu 1 2\n<>\n1 0\n\(lines)0\n\n", store)
        }
        let t = try #require(try tree("YY a\nNY b\nNN c\nYN d\nNN e\n")?.get())
        #expect(t.nonRecipients.map { String(decoding: $0.testBytes, as: UTF8.self) } == ["a", "b", "c", "d", "e"])
        // Missing subtree, bad letters, bad separator.
        for bad in ["YN a\n", "ZZ a\n", "NNa\n", "YY a\nNN b\n"] {
            guard case .failure(let e)? = tree(bad) else { Issue.record("\(bad) parsed"); continue }
            #expect(e.section == .envelope)
        }
        // Deep hostile trees are read iteratively (no recursion to overflow).
        let deep = String(repeating: "YN x\n", count: 200_000) + "NN y\n"
        #expect(try tree(deep)?.get().nonRecipientCount == 200_001)
    }

    @Test func optionsUnknownLookupAndACL() throws {
        let store = try Store()
        let text = "1xWd9D-0006xR-10-H\nu 1 2\n<a@b>\n1 3\n-future_option some value\n--(pgsql)auth_id quoted\n-acl 12 4\nab\nc\n-aclc _multi 6\nx\n\ny\nz\n-flagonly\n-N\nXX\n0\n\n"
        let h = try parse(text, store).get()
        #expect(h.warningCount == 3)
        let o = h.options
        #expect(o.count == 6)
        #expect(o[0].kind == .unknown && o[0].name.equals("future_option") && o[0].value?.equals("some value") == true)
        #expect(o[1].kind == .authID && o[1].isTainted && o[1].lookup?.equals("pgsql") == true && o[1].value?.equals("quoted") == true)
        #expect(o[2].kind == .acl && o[2].aclName?.equals("12") == true && o[2].value?.equals("ab\nc") == true)
        #expect(o[3].kind == .aclc && o[3].value?.equals("x\n\ny\nz") == true)
        #expect(o[4].kind == .unknown && o[4].value == nil)
        #expect(o[5].kind == .noDelivery && h.has(.noDelivery))
        // ACL value cut short, or not followed by a newline.
        for bad in ["-aclm 0 10\nabc\n", "-aclm 0 2\nabc\n", "-aclm 0\n", "-aclm 0 x\n"] {
            let r = try parse("1xWd9D-0006xR-10-H\nu 1 2\n<>\n1 0\n\(bad)XX\n0\n\n", store)
            guard case .failure(let e) = r else { Issue.record("\(bad) parsed"); continue }
            #expect(e.problem == .badACLVariable || e.problem == .truncated)
        }
    }

    @Test func ownerLineFromTheRight() throws {
        let store = try Store()
        let h = try parse("1xWd9D-0006xR-10-H\nlogin with spaces -2 -3\n<>\n1 0\nXX\n0\n\n", store).get()
        #expect(h.login.equals("login with spaces") && h.uid == -2 && h.gid == -3)
        #expect(h.sender.isEmpty)
    }

    @Test func strictChecks() throws {
        let store = try Store()
        let base = "1xWd9D-0006xR-10-H\nu 1 2\n<>\n1 0\nXX\n1\na@b\n\n"
        func problem(_ text: String, expecting: MessageID? = nil) throws -> SpoolFormatError.Problem? {
            if case .failure(let e) = try parse(text, store, expecting: expecting) { return e.problem }
            return nil
        }
        #expect(try problem(base) == nil)
        #expect(try problem(base, expecting: MessageID("1xWd9D-0006xR-11")) == .badNameLine)
        #expect(try problem("1xWd9D-0006xR-10-D\n" + base.drop { $0 != "\n" }.dropFirst()) == .badNameLine)
        #expect(try problem(base.replacingOccurrences(of: "u 1 2", with: "u 1")) == .badOwnerLine)
        #expect(try problem(base.replacingOccurrences(of: "<>", with: "<a@b")) == .badSenderLine)
        #expect(try problem(base.replacingOccurrences(of: "\n1 0\n", with: "\n1x 0\n")) == .badTimesLine)
        #expect(try problem(base.replacingOccurrences(of: "\n1\na@b", with: "\n16385\na@b")) == .badRecipientCount)
        #expect(try problem(base.replacingOccurrences(of: "\n1\na@b", with: "\n-1\na@b")) == .badRecipientCount)
        #expect(try problem(base.replacingOccurrences(of: "a@b\n\n", with: "a@b\nx\n")) == .missingBlankLine)
        #expect(try problem(base + "005T To: \n") == nil)
        #expect(try problem(base + "006T To: \n") == .headerTooLong)
        #expect(try problem(base + "T To: \n") == .badHeaderPrefix)
        #expect(try problem(base + "005TTo: \n") == .badHeaderPrefix)
        #expect(try problem(base + "0005T To:\0\n") == .nulInHeader)
        #expect(try problem(base + "1234567890T x") == .badHeaderPrefix)
        #expect(try problem("") == .truncated)
        // Headers longer than 999 bytes have more digits.
        let long = String(repeating: "x", count: 1499) + "\n"
        let h = try parse(base + "1500  \(long)002* a\n", store).get()
        #expect(h.headerCount == 2 && h.liveHeaderBytes == 1500)
    }

    /// Every real -H cut at every byte offset: no crash; each cut either parses (only at a
    /// header boundary) or is reported with a reason.
    @Test func truncatedAtEveryOffset() throws {
        let store = try Store()
        store.currentPool = .message
        var parsed = 0
        var failed = 0
        for (id, url) in try Fixtures.headerFiles() {
            let bytes = Array(try Data(contentsOf: url))
            let full = try parseHeader(bytes, store: store, expecting: id).get()
            var boundaries = Set<Int>()
            for h in full.headers {
                h.text.withUnsafeBytes { t in
                    full.file.withUnsafeBytes { f in boundaries.insert(t.baseAddress! - f.baseAddress! + t.count) }
                }
            }
            let firstHeader = full.headers[0].text.withUnsafeBytes { t in
                full.file.withUnsafeBytes { f in t.baseAddress! - f.baseAddress! - 5 }
            }
            boundaries.insert(firstHeader)   // just after the blank line
            try store.withMark {
                for cut in 0..<bytes.count {
                    switch try parseHeader(Array(bytes[0..<cut]), store: store, expecting: id) {
                    case .success(let h):
                        parsed += 1
                        #expect(boundaries.contains(cut), "\(id) cut at \(cut) parsed")
                        #expect(h.recipientCount == full.recipientCount)
                    case .failure(let e):
                        failed += 1
                        #expect(e.offset <= cut)
                    }
                }
            }
        }
        #expect(parsed > 0 && failed > 10_000)
    }

    /// Random bytes, and random damage to real files: never a crash.
    @Test func garbage() throws {
        let store = try Store()
        var rng = SplitMix64(seed: 0x5EED)
        let real = try Fixtures.headerFiles().map { Array(try Data(contentsOf: $0.1)) }
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(rng.next() % 2048)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = real[Int(rng.next() % UInt64(real.count))]
                for _ in 0..<(1 + rng.next() % 8) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            try store.withMark {
                if case .success(let h) = try parseHeader(bytes, store: store) {
                    _ = QueuedMessage(header: h, dataFileSize: 100).summary(now: 0)
                }
            }
        }
    }

    @Test func messageIDs() {
        #expect(MessageID("1xWd9A-0006vT-0Q") != nil)
        #expect(MessageID("1tSxTb-00000000CXd-29Hd") != nil)
        #expect(MessageID("1xWd9A_0006vT-0Q") == nil)
        #expect(MessageID("1xWd9A-0006vT-0") == nil)
        #expect(MessageID("1xWd9A-0006vT-0!") == nil)
        let a = MessageID("1xWd9R-0007DO-0g")!, b = MessageID("1xWd9R-0007BX-1d")!
        #expect(a < b)   // same second: the fraction decides, as exim -bp sorts
        #expect(MessageID("1xWd9R-0007BX-0d")!.arrivalTime == 1795713653)
        #expect(MessageID("1xWd9R-0007BX-0d")!.description == "1xWd9R-0007BX-0d")
        // Mixed formats (after an upgrade): arrival second first, then old before new.
        let old = MessageID("1xWd9R-0007BX-zz")!, new = MessageID("1xWd9R-00000000CXd-0000")!
        let later = MessageID("1xWd9S-0007BX-00")!
        #expect(old < new && new < later && old < later)
        #expect([later, new, old].sorted() == [old, new, later])
    }

    @Test func senderSetUntrusted() throws {
        let store = try Store()
        let h = try parse("1xWd9D-0006xR-10-H\nmallory 1000 1000\n<boss@example.com>\n1795713637 2\n-sender_set_untrusted\n-local\nXX\n1\na@b\n\n", store).get()
        let s = QueuedMessage(header: h, dataFileSize: nil).summary(now: 1795713637 + 7200)
        #expect(s.senderSetUntrusted && s.login == "mallory" && s.sender == "boss@example.com")
        #expect(s.warningCount == 2 && s.size == nil && s.sizeText == "     " && s.ageText == " 2h")
    }
}
