import Store
import Testing
@testable import EximLog

/// Lines that are not about one delivery: daemon, queue runs, rejections, SMTP errors,
/// connections, per-message events, continuation and reject-log header lines.
@Suite("Non-message lines")
struct NonMessageLineTests {
    @Test("kinds by example", arguments: [
        ("2026-11-26 17:20:35 [26424] exim 4.96 daemon started: pid=26424, -q30m, listening for SMTP on [127.0.0.1]:2525", LogLineKind.daemonStarted),
        ("2026-02-11 06:12:40 exim 4.98 daemon started: pid=31234, no queue runs, listening for SMTP on port 2525", .daemonStarted),
        ("2026-11-26 17:20:35 [26607] Start queue run: pid=26607", .queueRunStarted),
        ("2025-01-01 12:00:00 Start 'named' queue run: pid=1 -qff", .queueRunStarted),
        ("2025-01-01 12:00:00 Start ODMR queue run", .queueRunStarted),
        ("2026-11-26 17:20:35 [26607] End queue run: pid=26607", .queueRunEnded),
        ("2025-01-01 12:00:00 Abandon queue run: pid=1 (load 9.5, max 8)", .queueRunAbandoned),
        ("2026-11-26 17:20:36 [26424] SMTP connection from [127.0.0.1] (TCP/IP connection count = 1)", .connectionOpened),
        ("2026-11-26 17:20:36 [26627] SMTP connection from (client.storemon.test) [127.0.0.1] closed by QUIT", .connectionClosed),
        ("2026-02-11 06:12:40 SMTP connection Ci=31234 from root D=2s closed by QUIT", .connectionClosed),
        ("2026-11-26 17:20:50 [27203] SMTP connection from (dropper.storemon.test) [127.0.0.1] lost while reading message data", .connectionLost),
        ("2026-11-26 17:20:48 [27110] unexpected disconnection while reading SMTP command from (flaky.storemon.test) [127.0.0.1] D=0s", .connectionLost),
        ("2025-01-01 12:00:00 SMTP call from [192.0.2.1] dropped: too many unrecognized commands", .connectionDropped),
        ("2026-11-26 17:20:48 [27102] no MAIL in SMTP connection from (idle.storemon.test) [127.0.0.1] D=0s C=EHLO,QUIT", .noMail),
        ("2026-11-26 17:20:42 [26892] H=(client.storemon.test) [127.0.0.1] incomplete transaction (QUIT) from <alice@storemon.test>", .incompleteTransaction),
        ("2026-11-26 17:20:48 [27118] SMTP protocol error in \"RCPT TO:<bob@storemon.test>\" H=(sloppy.storemon.test) [127.0.0.1] sender not yet given", .protocolError),
        ("2026-11-26 17:20:48 [27118] SMTP syntax error in \"FOOBAR\" H=(sloppy.storemon.test) [127.0.0.1] unrecognized command", .protocolError),
        ("2026-11-26 17:20:48 [27129] SMTP protocol synchronization error (next input sent too soon: pipelining was advertised): rejected \"NOOP\" H=(hasty.storemon.test) [127.0.0.2] next input=\"MAIL FROM:<hasty@example.com>\\r\\n\"", .synchronizationError),
        ("2025-01-01 12:00:00 TLS error on connection from (x) [192.0.2.1] (gnutls_handshake): timed out", .tlsError),
        ("2025-01-01 12:00:00 H=(x) [192.0.2.1] sender verify fail for <a@b>: Unrouteable address", .verifyFailed),
        ("2026-11-26 17:20:35 [26421] Warning: No server certificate defined; will use a selfsigned one.", .warning),
        ("2026-11-26 17:20:52 [27596] H=(client.storemon.test) [127.0.0.1] Warning: sender in hold.test: message will be queued only", .warning),
        ("2026-11-26 17:20:36 [26628] cwd=/var/spool/exim4 3 args: /usr/sbin/exim4 -Mc 1xWd9A-0006vT-0Q", .arguments),
        ("2026-11-26 17:20:36 [26628] 1xWd9A-0006vT-0Q Completed", .completed),
        ("2026-11-26 17:20:41 [26847] 1xWd9F-0006yz-1s Frozen (delivery error message)", .frozen),
        ("2026-11-26 17:20:51 [27407] 1xWd9F-0006yz-1s Message is frozen", .frozen),
        ("2026-11-26 17:20:54 [27931] 1xWd9Q-0007B6-0m frozen by root", .frozen),
        ("2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A unfrozen by alice", .unfrozen),
        ("2026-11-26 17:20:54 [27941] 1xWd9E-0006xq-02 cancelled by root", .cancelled),
        ("2026-11-26 17:20:39 [26752] 1xWd9D-0006xR-10 H=127.0.0.1 [127.0.0.1] Connection refused", .messageEvent),
        ("2026-11-26 17:20:52 [27596] 1xWd9Q-0007B6-0m no immediate delivery: queued by ACL", .messageEvent),
        (" Suggested action: either install a certificate or change tls_advertise_hosts option", .continuation),
        ("\tby mail.storemon.test with esmtp (Exim 4.96)", .continuation),
        ("Envelope-from: <alice@storemon.test>", .rejectLogHeader),
        ("P Received: from [127.0.0.1] (helo=client.storemon.test)", .rejectLogHeader),
        ("  Date: Thu, 26 Nov 2026 17:20:44 +0000", .rejectLogHeader),
        ("", .blank),
        ("complete nonsense", .other),
        ("2026-11-26 17:20:36 something Exim never wrote", .other),
    ])
    func kinds(text: String, kind: LogLineKind) throws {
        let store = try makeStore()
        let l = try parse(text, in: store)
        #expect(l.kind == kind)
        #expect(l.flag == nil)
    }

    @Test("rejections: what, temporary, reason, F= and H=")
    func rejections() throws {
        let store = try makeStore()
        let rcpt = try parse("2026-11-26 17:20:42 [26892] H=(client.storemon.test) [127.0.0.1] F=<alice@storemon.test> rejected RCPT <nobody@storemon.test>: Unrouteable address", in: store)
        #expect(rcpt.kind == .rejected && rcpt.rejection == .rcpt && !rcpt.isTemporaryRejection)
        #expect(str(rcpt.reason) == "Unrouteable address")
        #expect(str(rcpt[.F]) == "<alice@storemon.test>")
        #expect(str(rcpt[.H]) == "(client.storemon.test) [127.0.0.1]")
        let temp = try parse("2026-11-26 17:20:43 [26912] H=(client.storemon.test) [127.0.0.1] F=<carol@storemon.test> temporarily rejected RCPT <away@storemon.test>: Mailbox temporarily locked (storemon test)", in: store)
        #expect(temp.rejection == .rcpt && temp.isTemporaryRejection)
        #expect(str(temp.reason) == "Mailbox temporarily locked (storemon test)")
        let mail = try parse("2026-11-26 17:20:43 [26928] H=(client.storemon.test) [127.0.0.1] rejected MAIL <spammer@blocked.test>: Sender domain blocked.test is not welcome here (test)", in: store)
        #expect(mail.rejection == .mail)
        let data = try parse("2026-11-26 17:20:44 [26937] 1xWd9I-00070T-0J H=(client.storemon.test) [127.0.0.1] F=<alice@storemon.test> rejected after DATA: Message content rejected (subject contains REJECTME)", in: store)
        #expect(data.kind == .rejected && data.rejection == .data)
        #expect(str(data.messageID) == "1xWd9I-00070T-0J")
        #expect(str(data.reason) == "Message content rejected (subject contains REJECTME)")
        let size = try parse("2026-11-26 17:20:44 [26946] 1xWd9I-00070c-1M rejected from <huge@example.com> H=(client.storemon.test) [127.0.0.1]: message too big: read=300261 max=262144", in: store)
        #expect(size.rejection == .size)
        #expect(str(size.reason) == "message too big: read=300261 max=262144")
        #expect(str(size[.H]) == "(client.storemon.test) [127.0.0.1]")
        let helo = try parse("2026-02-11 06:12:40 rejected EHLO from [10.0.0.1]: syntactically invalid argument(s): x_y", in: store)
        #expect(helo.rejection == .helo)
        let conn = try parse("2026-02-11 06:12:40 H=[10.0.0.1] rejected connection in \"connect\" ACL", in: store)
        #expect(conn.rejection == .connection)
        #expect(conn.reason == nil)
    }

    @Test("SMTP errors: explanation and parenthesised reason")
    func smtpErrorReasons() throws {
        let store = try makeStore()
        let p = try parse("2026-11-26 17:20:50 [27211] SMTP protocol error in \"AUTH PLAIN AHRlc3QAdGVzdA==\" H=(auth.storemon.test) [127.0.0.1] AUTH command used when not advertised", in: store)
        #expect(str(p.reason) == "AUTH command used when not advertised")
        #expect(str(p[.H]) == "(auth.storemon.test) [127.0.0.1]")
        let s = try parse("2026-11-26 17:20:48 [27137] SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[127.0.0.2] input=\"EHLO eager.storemon.test\\r\\n\"", in: store)
        #expect(s.kind == .synchronizationError)
        #expect(str(s.reason) == "input sent without waiting for greeting")
        #expect(str(s[.H]) == "[127.0.0.2]")
        let n = try parse("2026-11-26 17:20:48 [27102] no MAIL in SMTP connection from (idle.storemon.test) [127.0.0.1] D=0s C=EHLO,QUIT", in: store)
        #expect(str(n[.D]) == "0s")
        #expect(str(n[.C]) == "EHLO,QUIT")
    }
}
