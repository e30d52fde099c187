import Store
import Testing
@testable import EximLog

/// Line shapes found when the readers were run over a sample of Exim's own test-suite
/// logs (`test/log/NNNN`, fetched read-only, never copied here). Every line below was
/// written for this file, with made-up values, from the format string in Exim's source
/// that produces it; none is Exim's text.
@Suite("Shapes found in Exim's test-suite logs")
struct CorpusShapeTests {
    // MARK: whole-message discards (receive.c: `=> blackhole %s%s`)

    @Test("an ACL discard of every recipient is `=> blackhole (<ACL> discarded recipients)`")
    func aclDiscard() throws {
        let store = try makeStore()
        let l = try parse("2026-03-14 08:01:02 1w3Xk9-00000002aBc-0Fq1 => blackhole (DATA ACL discarded recipients)", in: store)
        #expect(l.flag == .delivery)
        let d = l.details()
        #expect(d.isWholeMessageDiscard)
        #expect(str(d.address) == "blackhole")
        #expect(str(d.reason) == "(DATA ACL discarded recipients)")
        #expect(d.parents == nil && d.originalAddress == nil)
    }

    @Test("the discard's ACL log_message follows after `: `")
    func aclDiscardWithLogMessage() throws {
        let store = try makeStore()
        let d = try parse("2026-03-14 08:01:02 [4411] 1w3Xk9-00000002aBc-0Fq1 => blackhole (RCPT ACL discarded recipients): sender is on the spam-trap list", in: store).details()
        #expect(d.isWholeMessageDiscard)
        #expect(str(d.address) == "blackhole")
        #expect(str(d.reason) == "(RCPT ACL discarded recipients): sender is on the spam-trap list")
    }

    @Test("local_scan's own text replaces the parenthesis (old-format id too)")
    func localScanDiscard() throws {
        let store = try makeStore()
        let d = try parse("2024-06-30 23:59:59 1sO4xY-000Ab1-7Q => blackhole quarantined by the site scanner ", in: store).details()
        #expect(d.isWholeMessageDiscard)
        #expect(str(d.address) == "blackhole")
        #expect(str(d.reason) == "quarantined by the site scanner")
    }

    @Test("a real delivery to a local part named blackhole is not a discard",
          arguments: [
            ("2026-03-14 08:01:03 1w3Xk9-00000002aBc-0Fq1 => blackhole <blackhole@example.org> R=localuser T=local_delivery", "<blackhole@example.org>"),
            ("2026-03-14 08:01:03 1w3Xk9-00000002aBc-0Fq1 => blackhole R=localuser T=local_delivery", nil),
            ("2026-03-14 08:01:03 1w3Xk9-00000002aBc-0Fq1 => :blackhole: <nobody@example.org> R=drop", "<nobody@example.org>"),
          ])
    func notADiscard(line: String, original: String?) throws {
        let store = try makeStore()
        let d = try parse(line, in: store).details()
        #expect(!d.isWholeMessageDiscard)
        #expect(d.reason == nil)
        #expect(str(d.originalAddress) == original)
        #expect(d[.R] != nil)
    }

    @Test("only `=>` can be a discard")
    func discardOnlyOnDelivery() throws {
        let store = try makeStore()
        let d = try parse("2026-03-14 08:01:03 1w3Xk9-00000002aBc-0Fq1 == blackhole defer (-1): deliberately deferred", in: store).details()
        #expect(!d.isWholeMessageDiscard)
        #expect(str(d.reason) == "deliberately deferred")
    }

    // MARK: kinds

    @Test("lines Exim writes that were `.other` or `.messageEvent`", arguments: [
        // receive.c, selector lost_incoming_connection: a local message's input timed out.
        ("2026-03-14 08:02:00 timed out while reading local message", LogLineKind.connectionLost),
        ("2026-03-14 08:02:00 1w3XkA-00000002aC1-1a2B timed out while reading local message", .connectionLost),
        // tls-openssl.c: the certificate check names the peer in brackets (4.9x) …
        ("2026-03-14 08:03:00 [198.51.100.23] SSL verify error: depth=1 error=certificate has expired cert=/CN=relay.example.net", .tlsError),
        ("2026-03-14 08:03:00 [2001:db8:5::25] SSL verify error: depth=0 error=self-signed certificate cert=/CN=mx.example.com", .tlsError),
        ("2026-03-14 08:03:00 [(null)] SSL verify error: depth=0 error=unable to get local issuer certificate cert=/O=Example", .tlsError),
        // … and older Exims wrote it without the address.
        ("2016-02-03 06:58:55 SSL verify error: depth=0 error=unable to verify the first certificate cert=/CN=mx.example.com", .tlsError),
        // Not the same thing: a bracketed word that is not followed by the TLS text.
        ("2026-03-14 08:03:00 [198.51.100.23] accepted by the connect ACL", .other),
        ("2026-03-14 08:03:00 [198.51.100.23 SSL verify error: unterminated", .other),
    ])
    func kinds(line: String, kind: LogLineKind) throws {
        let store = try makeStore()
        #expect(try parse(line, in: store).kind == kind)
    }

    // MARK: reasons of verify and authentication lines

    @Test("a verify line's reason is the text after `for <addr>: `", arguments: [
        ("2026-03-14 08:04:00 H=(relay.example.net) [198.51.100.23]:50312 sender verify fail for <ghost@example.net>: Unrouteable address",
         LogLineKind.verifyFailed, "Unrouteable address" as String?),
        ("2026-03-14 08:04:00 H=[198.51.100.23] U=alice sender verify defer for <ann@example.net>: Could not complete sender verify callout: mx.example.net [203.0.113.5] : could not connect: Connection timed out",
         .verifyDeferred, "Could not complete sender verify callout: mx.example.net [203.0.113.5] : could not connect: Connection timed out"),
        ("2026-03-14 08:04:00 1w3XkB-00000002aD4-3c4D U=alice recipient verify fail for <a: b@example.org>: local part not known",
         .verifyFailed, "local part not known"),
        // Exim logs the bare form when the callout result came from the cache.
        ("2026-03-14 08:04:00 H=[198.51.100.23] sender verify fail for <ghost@example.net>", .verifyFailed, nil),
    ])
    func verifyReason(line: String, kind: LogLineKind, reason: String?) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == kind)
        #expect(str(l.details().reason) == reason)
    }

    @Test("an authenticator failure's reason is the reply after the host and ident", arguments: [
        ("2026-03-14 08:05:00 dovecot_plain authenticator failed for (laptop) [203.0.113.77]:61022: 535 Incorrect authentication data (set_id=carol@example.org)",
         "535 Incorrect authentication data (set_id=carol@example.org)"),
        ("2026-03-14 08:05:00 [771] cram authenticator failed for ([2001:db8::7]) [2001:db8::7]:4455 I=[2001:db8::1]:587 U=dave: 435 Unable to authenticate at present",
         "435 Unable to authenticate at present"),
    ])
    func authReason(line: String, reason: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .authenticationFailed)
        #expect(str(l.details().reason) == reason)
    }
}

/// deliver.c's deferral line: ` defer (errno)[: strerror][ H=name [ip][:port]][: message]`.
@Suite("Deferrals with the system's error text before the host")
struct DeferralHostTests {
    @Test("the host after the system's text is a field, the reason is what follows it", arguments: [
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx1.example.net [203.0.113.25]: SMTP timeout after EHLO box.example.org",
         "mx1.example.net [203.0.113.25]", "SMTP timeout after EHLO box.example.org"),
        // outgoing_port: the port follows the address.
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx1.example.net [203.0.113.25]:25: SMTP timeout after MAIL FROM:<bob@example.org>",
         "mx1.example.net [203.0.113.25]:25", "SMTP timeout after MAIL FROM:<bob@example.org>"),
        // No message: the system's text is the reason.
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=dnslookup T=remote_smtp defer (111): Connection refused H=mx2.example.net [2001:db8::25]",
         "mx2.example.net [2001:db8::25]", "Connection refused"),
        // A negative errno has no system text: the host comes straight after `defer (n)`.
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=dnslookup T=remote_smtp defer (-44) H=mx1.example.net [203.0.113.25]: SMTP error from remote mail server after RCPT TO:<ann@example.net>: 452 mailbox full",
         "mx1.example.net [203.0.113.25]", "SMTP error from remote mail server after RCPT TO:<ann@example.net>: 452 mailbox full"),
    ])
    func hostAfterSystemText(line: String, host: String, reason: String) throws {
        let store = try makeStore()
        let d = try parse(line, in: store).details()
        #expect(str(d[.H]) == host)
        #expect(str(d.reason) == reason)
        #expect(str(d[.T]) == "remote_smtp")
    }

    @Test("text in the message that looks like H= is not the host")
    func hostInsideMessage() throws {
        let store = try makeStore()
        let d = try parse("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=r1 T=t1 defer (-1): remote said H=evil [x] again", in: store).details()
        #expect(d[.H] == nil)
        #expect(str(d.reason) == "remote said H=evil [x] again")
    }
}
