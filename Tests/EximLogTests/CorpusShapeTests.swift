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
        // The system's text is known by its form `(errno): `, whatever the number.
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=dnslookup T=remote_smtp defer (13): Permission denied H=mx1.example.net [203.0.113.25]: send() to mx1.example.net [203.0.113.25] failed: bad key",
         "mx1.example.net [203.0.113.25]", "send() to mx1.example.net [203.0.113.25] failed: bad key"),
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=dnslookup T=remote_smtp defer (104): Connection reset by peer H=mx1.example.net [203.0.113.25]",
         "mx1.example.net [203.0.113.25]", "Connection reset by peer"),
    ])
    func hostAfterSystemText(line: String, host: String, reason: String) throws {
        let store = try makeStore()
        let d = try parse(line, in: store).details()
        #expect(str(d[.H]) == host)
        #expect(str(d.reason) == reason)
        #expect(str(d[.T]) == "remote_smtp")
    }

    @Test("text in the message that looks like H= is not the host", arguments: [
        // Exim's own negative codes and errno 0 carry no system text: what follows `: ` is the message.
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=r1 T=t1 defer (-1): remote said H=evil [x] again",
         "remote said H=evil [x] again"),
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=r1 T=t1 defer (0): queued for later H=relay [192.0.2.9]: by policy",
         "queued for later H=relay [192.0.2.9]: by policy"),
        ("2026-03-14 08:06:00 1w3XkC-00000002aE7-5e6F == ann@example.net R=r1 T=t1 defer (-53): retry time not reached for any host H=mx [192.0.2.9]: old",
         "retry time not reached for any host H=mx [192.0.2.9]: old"),
    ])
    func hostInsideMessage(line: String, reason: String) throws {
        let store = try makeStore()
        let d = try parse(line, in: store).details()
        #expect(d[.H] == nil)
        #expect(str(d.reason) == reason)
    }
}

/// Failures of this Exim's own outgoing connection, logged with the message id before the
/// delivery line: tls-openssl.c / tls-gnu.c `H=%s [%s] TLS error on connection (%s)%s%s`
/// and the smtp transport's `%s authenticator failed H=%s [%s] %s`.
@Suite("A delivery's TLS and AUTH failures")
struct OutgoingFailureTests {
    @Test("`<id> H=name [ip] TLS error on connection (…): …` is a TLS error with its host", arguments: [
        ("2026-03-14 08:07:00 1w3XkD-00000002aF1-6a7B H=mx1.example.net [203.0.113.25] TLS error on connection (certificate verification failed): certificate has expired",
         "mx1.example.net [203.0.113.25]"),
        ("2026-03-14 08:07:00.125 [5120] 1w3XkD-00000002aF1-6a7B H=mx2.example.net [2001:db8::25]:587 TLS error on connection (SSL_connect): error:0A000086:SSL routines::certificate verify failed",
         "mx2.example.net [2001:db8::25]:587"),
        // No id: a verification callout's connection.
        ("2026-03-14 08:07:00 H=mx3.example.net [198.51.100.3] TLS error on connection (gnutls_handshake): The TLS connection was non-properly terminated.",
         "mx3.example.net [198.51.100.3]"),
    ])
    func tlsErrorWithHost(line: String, host: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .tlsError)
        #expect(!l.isRejection)
        #expect(str(l.details()[.H]) == host)
    }

    @Test("the older `TLS error on connection to name [ip] (…)` stays a TLS error")
    func olderTlsError() throws {
        let store = try makeStore()
        let l = try parse("2018-05-01 10:00:00 1fDdQx-0004Zk-9P TLS error on connection to mx1.example.net [203.0.113.25] (SSL_connect): timed out", in: store)
        #expect(l.kind == .tlsError)
    }

    @Test("a TLS fallback notice or a quoted TLS error is not a TLS error line", arguments: [
        "2026-03-14 08:07:01 1w3XkD-00000002aF1-6a7B TLS session failure: delivering unencrypted to mx1.example.net [203.0.113.25] (not in hosts_require_tls)",
        "2026-03-14 08:07:01 1w3XkD-00000002aF1-6a7B H=mx1.example.net [203.0.113.25]: SMTP error from remote mail server after RCPT TO:<a@example.net>: 550 TLS error on connection (policy)",
    ])
    func notATlsError(line: String) throws {
        let store = try makeStore()
        #expect(try parse(line, in: store).kind == .messageEvent)
    }

    @Test("`<id> <name> authenticator failed H=name [ip] <reply>` is an authentication failure", arguments: [
        ("2026-03-14 08:08:00 1w3XkE-00000002aG2-7b8C login authenticator failed H=smarthost.example.net [203.0.113.40] 535 5.7.8 Authentication credentials invalid",
         "smarthost.example.net [203.0.113.40]", "535 5.7.8 Authentication credentials invalid"),
        ("2026-03-14 08:08:00 [6001] 1w3XkE-00000002aG2-7b8C cram_md5 authenticator failed H=relay.example.org [2001:db8::40]:587 535 Incorrect authentication data",
         "relay.example.org [2001:db8::40]:587", "535 Incorrect authentication data"),
    ])
    func clientAuthFailure(line: String, host: String, reason: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .authenticationFailed)
        #expect(str(l.messageID) == "1w3XkE-00000002aG2-7b8C")
        let d = l.details()
        #expect(str(d[.H]) == host)
        #expect(str(d.reason) == reason)
    }

    @Test("a word `authenticator` elsewhere in a message event does not make it a failure")
    func authenticatorWordElsewhere() throws {
        let store = try makeStore()
        let l = try parse("2026-03-14 08:08:01 1w3XkE-00000002aG2-7b8C == a@example.net R=r T=t defer (-42): the plain authenticator failed H=x [192.0.2.1] earlier", in: store)
        #expect(l.kind == .flagged)
    }
}

/// receive.c's space check: below `check_spool_space` / `check_spool_inodes` (or the log
/// directory's limits) Exim logs `<dir> directory space check failed: space=N inodes=N` and
/// refuses incoming mail with 452 until there is room.
@Suite("Spool and log space shortages")
struct SpaceCheckTests {
    @Test("a failed space check is a warning, with or without pid and millisecond prefixes", arguments: [
        "2026-03-14 08:09:00 spool directory space check failed: space=10240 inodes=3000",
        "2026-03-14 08:09:00.250 [812] spool directory space check failed: space=-1 inodes=17",
        "2026-03-14 08:09:00 log directory space check failed: space=512 inodes=99",
    ])
    func spaceCheck(line: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .warning)
        #expect(l.messageID == nil && !l.isRejection)
    }

    @Test("lines that merely start with the same letters keep their kinds", arguments: [
        ("2026-03-14 08:09:01 spool directory is on a read-only file system", LogLineKind.other),
        ("2026-03-14 08:09:01 local_scan() function timed out - message temporarily rejected", .rejected),
        ("2026-03-14 08:09:01 log directory /var/log/exim4 created", .other),
    ])
    func neighbours(line: String, kind: LogLineKind) throws {
        let store = try makeStore()
        #expect(try parse(line, in: store).kind == kind)
    }
}

/// smtp_in.c past `recipients_max`: `too many recipients: excess temporarily rejected:
/// sender=<…> <host and ident>` (each extra RCPT gets 452), or with `recipients_max_reject`
/// `too many recipients: message rejected: sender=<…> <host and ident>` (552 for all).
@Suite("The recipients limit")
struct RecipientLimitTests {
    @Test("too many recipients is a RCPT rejection, temporary for the excess", arguments: [
        ("2026-03-14 08:10:00 too many recipients: excess temporarily rejected: sender=<list@example.org> H=mail.example.org [192.0.2.44]",
         true, "mail.example.org [192.0.2.44]"),
        ("2026-03-14 08:10:00 [913] too many recipients: excess temporarily rejected: sender=<> U=ann", true, nil),
        ("2026-03-14 08:10:00.500 too many recipients: message rejected: sender=<spam@example.net> H=(helo.example) [198.51.100.66]:5120 I=[192.0.2.1]:25",
         false, "(helo.example) [198.51.100.66]:5120"),
    ])
    func recipientLimit(line: String, temporary: Bool, host: String?) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .rejected)
        #expect(l.rejection == .rcpt)
        #expect(l.isTemporaryRejection == temporary)
        let d = l.details()
        #expect(str(d.reason) == "too many recipients")
        #expect(str(d[.H]) == host)
    }

    @Test("a message that mentions the phrase is not the limit", arguments: [
        "2026-03-14 08:10:01 too many recipients for this list, said the moderator",
        "2026-03-14 08:10:01 1w3XkF-00000002aH3-8c9D too many recipients: excess will be retried",
    ])
    func notTheLimit(line: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind != .rejected && !l.isRejection)
    }
}
