import Store
import Testing
@testable import EximLog

/// Exim's own line formats (issue 12, point 6). Lines marked [shape] follow the shape of a
/// line in Exim's test suite (`test/log/NNNN`), written here with ordinary made-up values
/// (no line of the suite is copied; its placeholders such as `CALLER` or `S=sss` are not
/// used); [docs] lines follow eximon.md's examples of the documented format; [format] lines
/// were written here from the format string in Exim's source (deliver.c, smtp_in.c) with
/// made-up values; [inferred] lines follow Exim's documented wording where no real line
/// was at hand.
@Suite("Exim's own line formats")
struct LineFormatShapeTests {
    struct Delivery: Sendable, CustomTestStringConvertible {
        var line: String
        var address: String
        var original: String? = nil
        var parents: String? = nil
        var fields: [LogFieldKey: String] = [:]
        var reason: String? = nil
        var testDescription: String { address }
    }

    static let deliveries: [Delivery] = [
        // [shape] test 0508: a pipe command with a quoted argument, `: reason` after T=.
        .init(line: #"2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A ** |/bin/echo "Some pipe output" <userx@box.example.org> R=r1 T=t2: return message generated"#,
              address: #"|/bin/echo "Some pipe output""#, original: "<userx@box.example.org>",
              fields: [.R: "r1", .T: "t2"], reason: "return message generated"),
        // [shape] test 4124: a system-filter pipe with an argument, ` : reason`.
        .init(line: "2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A ** |/srv/mail/aux-fixed/showenv $recipients <system-filter> T=address_pipe : return message generated",
              address: "|/srv/mail/aux-fixed/showenv $recipients", original: "<system-filter>",
              fields: [.T: "address_pipe"], reason: "return message generated"),
        // [shape] test 0037: pipe and file addresses from a user's filter.
        .init(line: "2026-02-11 06:12:40 1yC3bE-00000000Rk2-0b9A ** |cat <filter-pipe@example.org> R=userfilter: delivery to pipe forbidden",
              address: "|cat", original: "<filter-pipe@example.org>", fields: [.R: "userfilter"], reason: "delivery to pipe forbidden"),
        .init(line: "2026-02-11 06:12:40 1yC3bG-00000000Rk2-0b9A ** /tmp/junk <filter-file@example.org> R=userfilter: delivery to file forbidden",
              address: "/tmp/junk", original: "<filter-file@example.org>", fields: [.R: "userfilter"], reason: "delivery to file forbidden"),
        // [shape] test 0037: autoreplies (`>` and the recipients).
        .init(line: "2026-02-11 06:12:40 1yC3bQ-00000000Rk2-0b9A => >alice@example.org <filter-vacation@example.org> R=userfilter T=address_reply",
              address: ">alice@example.org", original: "<filter-vacation@example.org>", fields: [.R: "userfilter", .T: "address_reply"]),
        .init(line: "2026-02-11 06:12:40 1yC3bC-00000000Rk2-0b9A => >alice@example.org <system-filter> T=address_reply",
              address: ">alice@example.org", original: "<system-filter>", fields: [.T: "address_reply"]),
        // [format] an autoreply to two recipients, and a filter `save` to a relative file.
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => >ann@example.net, bob@example.net <carol@example.org> R=userforward T=address_reply QT=1s DT=0s",
              address: ">ann@example.net, bob@example.net", original: "<carol@example.org>",
              fields: [.R: "userforward", .T: "address_reply", .QT: "1s", .DT: "0s"]),
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => save inbox.old <carol@example.org> R=userforward T=address_file",
              address: "save inbox.old", original: "<carol@example.org>", fields: [.R: "userforward", .T: "address_file"]),
        // [format] a pipe with arguments from a .forward, with F=, P= and times.
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => |/usr/bin/procmail -a list -d carol <carol@example.org> F=<ann@example.net> P=<ann@example.net> R=userforward T=address_pipe S=3129 QT=2s DT=1s",
              address: "|/usr/bin/procmail -a list -d carol", original: "<carol@example.org>",
              fields: [.F: "<ann@example.net>", .P: "<ann@example.net>", .R: "userforward", .T: "address_pipe", .S: "3129", .QT: "2s", .DT: "1s"]),
        // [docs] eximon.md 4.7 #12 (test, old-format id): :blackhole:.
        .init(line: "2026-02-11 06:12:40 1yC3aX-000Rk2-0b => :blackhole: <nulldeliver@example.org> R=nulldeliver",
              address: ":blackhole:", original: "<nulldeliver@example.org>", fields: [.R: "nulldeliver"]),
        // [format] a quoted local part: Exim logs the delivered local part dequoted, the
        // top address as given (`string_log_address`).
        .init(line: #"2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => john smith@example.org <"john smith"@example.org> F=<"ann b"@example.net> R=local_user T=local_mbox QT=0s DT=0s"#,
              address: "john smith@example.org", original: #"<"john smith"@example.org>"#,
              fields: [.F: #"<"ann b"@example.net>"#, .R: "local_user", .T: "local_mbox", .DT: "0s"]),
        // [shape] test 4620: an SRS address as the top address.
        .init(line: "2026-02-11 06:12:40 1yC3aZ-000Rk2-0b => alice <SRS0=ZZZZ=YY=mx.example.org=alice@example.org> R=local T=appendfile",
              address: "alice", original: "<SRS0=ZZZZ=YY=mx.example.org=alice@example.org>", fields: [.R: "local", .T: "appendfile"]),
        // [format] an SRS address delivered (it looks like KEY=value).
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd == SRS0=HHH=TT=example.net=ann@example.org R=dnslookup T=remote_smtp defer (111): Connection refused",
              address: "SRS0=HHH=TT=example.net=ann@example.org", fields: [.R: "dnslookup", .T: "remote_smtp"], reason: "Connection refused"),
        // [shape] test 0359: a shadow transport.
        .init(line: "2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A => userx <userx@example.org> R=r1 T=t1 ST=t2",
              address: "userx", original: "<userx@example.org>", fields: [.R: "r1", .T: "t1", .ST: "t2"]),
        // [format] a shadow transport that failed: ` ST=name (error)`, then more fields.
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => carol <carol@example.org> R=local_user T=local_mbox ST=archive (Permission denied: failed to open /archive/carol) QT=0s DT=0s",
              address: "carol", original: "<carol@example.org>",
              fields: [.R: "local_user", .T: "local_mbox", .ST: "archive", .QT: "0s", .DT: "0s"]),
        // [format] DS after the host name (dnssec selector, deliver.c's host log).
        .init(line: #"2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => bob@example.org R=dnslookup T=remote_smtp H=mx1.example.org DS [203.0.113.7]:25 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=dane C="250 2.0.0 Ok: queued as 4YQ2" QT=4s DT=1s"#,
              address: "bob@example.org",
              fields: [.H: "mx1.example.org DS [203.0.113.7]:25", .X: "TLS1.3:TLS_AES_256_GCM_SHA384:256", .CV: "dane",
                       .C: "250 2.0.0 Ok: queued as 4YQ2", .QT: "4s", .DT: "1s"]),
        // [format] all_parents: every intermediate parent in `(…)`, before the top address.
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => carol@example.org (team@example.org, staff@example.org) <all@example.org> R=local_user T=local_mbox QT=0s DT=0s",
              address: "carol@example.org", original: "<all@example.org>", parents: "team@example.org, staff@example.org",
              fields: [.R: "local_user", .T: "local_mbox", .DT: "0s"]),
        // [docs] eximon.md 4.7 #7 (test): one parent-like top address.
        .init(line: "2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A => alice <alice@mx.example.org> R=localuser T=local_delivery",
              address: "alice", original: "<alice@mx.example.org>", fields: [.R: "localuser", .T: "local_delivery"]),
        // [format] a remote defer: the host between `defer (-44)` and the reason.
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd == dave@example.com R=dnslookup T=remote_smtp defer (-44) H=mx.example.com [198.51.100.77]: SMTP error from remote mail server after RCPT TO:<dave@example.com>: 451 4.7.1 Try again later DT=1s",
              address: "dave@example.com", fields: [.R: "dnslookup", .T: "remote_smtp", .H: "mx.example.com [198.51.100.77]", .DT: "1s"],
              reason: "SMTP error from remote mail server after RCPT TO:<dave@example.com>: 451 4.7.1 Try again later"),
    ]

    @Test("delivery lines keep every field", arguments: deliveries)
    func delivery(_ c: Delivery) throws {
        let store = try makeStore()
        let line = try parse(c.line, in: store)
        #expect(line.flag != nil)
        let d = line.details()
        #expect(str(d.address) == c.address)
        #expect(str(d.originalAddress) == c.original)
        #expect(str(d.parents) == c.parents)
        for (k, v) in c.fields { #expect(str(d[k]) == v, "\(k)") }
        #expect(str(d.reason) == c.reason)
    }

    @Test("SRS and quoted senders on arrival lines")
    func arrivals() throws {
        let store = try makeStore()
        // [shape] test 4620 (server part).
        let srs = try parse("2026-02-11 06:12:40 1yC3aY-000Rk2-0b <= SRS0=ZZZZ=YY=mx.example.org=alice@example.org H=localhost (mx.example.org) [127.0.0.1] P=esmtp S=1834 id=E1yC3aX-000Rk2-0b@mx.example.org for remote_user@remote.ex", in: store).details()
        #expect(str(srs.address) == "SRS0=ZZZZ=YY=mx.example.org=alice@example.org")
        #expect(str(srs[.H]) == "localhost (mx.example.org) [127.0.0.1]")
        #expect(str(srs[.P]) == "esmtp" && str(srs[.id]) == "E1yC3aX-000Rk2-0b@mx.example.org")
        #expect(str(srs.recipients) == "remote_user@remote.ex")
        // [shape] test 4620: an SRS recipient on a bounce.
        let bounce = try parse("2026-02-11 06:12:40 1yC3aZ-000Rk2-0b <= <> R=1yC3aY-000Rk2-0b U=Debian-exim P=local S=1834 for SRS0=ZZZZ=YY=mx.example.org=alice@example.org", in: store).details()
        #expect(str(bounce.address) == "<>" && str(bounce[.R]) == "1yC3aY-000Rk2-0b")
        #expect(str(bounce.recipients) == "SRS0=ZZZZ=YY=mx.example.org=alice@example.org")
        // [format] a quoted sender with a space, and DS before H= (receive.c's order).
        let q = try parse(#"2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd <= "ann b"@example.net DS H=mail.example.net [192.0.2.10]:52144 P=esmtps S=2891 id=x@example.net"#, in: store).details()
        #expect(str(q.address) == #""ann b"@example.net"#)
        #expect(str(q[.H]) == "mail.example.net [192.0.2.10]:52144")
        #expect(q.size == 2891 && str(q[.P]) == "esmtps")
        // [format] received_sender: `from <original sender>` may be quoted with a space.
        let f = try parse(#"2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd <= ann@example.net U=ann P=local S=812 from <"ann for b"@example.net> for bob@example.org carol@example.org"#, in: store).details()
        #expect(str(f.recipients) == "bob@example.org carol@example.org")
    }

    struct Kind: Sendable, CustomTestStringConvertible {
        var line: String
        var kind: LogLineKind
        var rejection: LogRejection? = nil
        var temporary = false
        var reason: LogRejectionReason? = nil
        var testDescription: String { line }
    }

    static let kinds: [Kind] = [
        // Rejections, typed by what and why.
        // [docs] eximon.md 4.7 #27 (test).
        .init(line: "2026-02-11 06:12:40 H=(test) [10.0.0.0] U=alice F=<userx@example.org> rejected RCPT <x@ten-2.example.org>: relay not permitted",
              kind: .rejected, rejection: .rcpt, reason: .relayNotPermitted),
        // [format] smtp_in.c: an ACL's sender verification, a recipient that does not route.
        .init(line: "2025-01-01 12:00:00 H=(client.example) [192.0.2.9]:41234 I=[198.51.100.5]:25 F=<ghost@nowhere.example> rejected RCPT <ann@example.org>: Sender verify failed",
              kind: .rejected, rejection: .rcpt, reason: .senderVerify),
        .init(line: "2025-01-01 12:00:00 H=(client.example) [192.0.2.9] F=<\"ann b\"@example.net> temporarily rejected RCPT <nobody@example.org>: Unrouteable address",
              kind: .rejected, rejection: .rcpt, temporary: true, reason: .recipientVerify),
        // [shape] test 0021.
        .init(line: "2026-02-11 06:12:40 H=[10.9.8.7] U=alice rejected connection in \"connect\" ACL",
              kind: .rejected, rejection: .connection, reason: .acl),
        .init(line: "2026-02-11 06:12:40 H=[10.9.8.8] U=alice rejected MAIL <bad@test1>", kind: .rejected, rejection: .mail, reason: .acl),
        .init(line: "2026-02-11 06:12:40 H=(x.y.z) [10.9.8.10] U=alice rejected EHLO or HELO x.y.z", kind: .rejected, rejection: .helo, reason: .acl),
        .init(line: "2026-02-11 06:12:40 1yC3aX-000Rk2-0b F=<userx@test1> rejected by non-SMTP ACL: don't like sender userx@test1",
              kind: .rejected, rejection: .data, reason: .acl),
        // [docs] eximon.md 4.7 #28 (test): after DATA, with an id.
        .init(line: "2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A U=alice F=<x@y> rejected after DATA: domain missing or malformed: failing address in \"From:\" header is: @",
              kind: .rejected, rejection: .data, reason: .syntax),
        // Real 4.96 (the exim-real fixtures): `rejected from <sender>`, typed by its reason.
        .init(line: "2026-11-26 17:20:44 [26946] 1xWd9I-00070c-1M rejected from <huge@example.com> H=(client.storemon.test) [127.0.0.1]: message too big: read=300261 max=262144",
              kind: .rejected, rejection: .size, reason: .messageTooBig),
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd rejected from <ann@example.net> H=(client.example) [192.0.2.9]: header syntax error",
              kind: .rejected, rejection: .data, reason: .syntax),
        // [format] smtp_in.c: a HELO that does not match the host (helo_verify_hosts), a
        // MAIL before HELO, too many messages, an unqualified address.
        .init(line: #"2025-01-01 12:00:00 temporarily rejected "EHLO client.example" from [192.0.2.9]"#,
              kind: .rejected, rejection: .helo, temporary: true, reason: .acl),
        .init(line: "2025-01-01 12:00:00 rejected MAIL from [192.0.2.9]: no HELO/EHLO given", kind: .rejected, rejection: .mail, reason: .acl),
        .init(line: "2025-01-01 12:00:00 rejected MAIL command H=(client.example) [192.0.2.9]: too many messages in one connection",
              kind: .rejected, rejection: .mail, reason: .acl),
        .init(line: "2025-01-01 12:00:00 unqualified sender rejected: <ann> H=(client.example) [192.0.2.9]",
              kind: .rejected, rejection: .mail, reason: .acl),
        .init(line: "2025-01-01 12:00:00 unqualified recipient rejected: <bob> H=(client.example) [192.0.2.9]",
              kind: .rejected, rejection: .rcpt, reason: .acl),
        // [format] smtp_in.c: refused connections.
        .init(line: "2025-01-01 12:00:00 refused connection from [192.0.2.66] (host_reject_connection)",
              kind: .rejected, rejection: .connection, reason: .refusedConnection),
        .init(line: "2025-01-01 12:00:00 refused connection from bad.example [192.0.2.66] (tcp wrappers)",
              kind: .rejected, rejection: .connection, reason: .refusedConnection),
        .init(line: "2025-01-01 12:00:00 temporarily refused connection from [192.0.2.66] (tcp wrappers errno=5)",
              kind: .rejected, rejection: .connection, temporary: true, reason: .refusedConnection),
        .init(line: "2025-01-01 12:00:00 temporarily refused connection from [192.0.2.66]: not in reserve list and load average = 9.50",
              kind: .rejected, rejection: .connection, temporary: true, reason: .refusedConnection),
        .init(line: "2025-01-01 12:00:00 connection from [192.0.2.66] refused (IP options)",
              kind: .rejected, rejection: .connection, reason: .refusedConnection),
        // [inferred] the daemon's per-host limit.
        .init(line: "2025-01-01 12:00:00 Connection from [192.0.2.66] refused: too many connections from that IP address",
              kind: .rejected, rejection: .connection, temporary: true, reason: .refusedConnection),
        // [format] smtp_in.c: an ACL `drop` closes the connection (after its rejection line).
        .init(line: "2025-01-01 12:00:00 SMTP connection from (spammer.example) [192.0.2.66]:50122 I=[198.51.100.5]:25 closed by DROP in ACL",
              kind: .connectionDropped, rejection: .dropped, reason: .dropped),
        // Synchronization errors are rejections (written to the reject log).
        .init(line: "2026-11-26 17:20:48 [27137] SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[127.0.0.2] input=\"EHLO eager.storemon.test\\r\\n\"",
              kind: .synchronizationError, rejection: .synchronization, reason: .synchronization),
        // Lines that only quote the word are not rejections.
        .init(line: "2025-01-01 12:00:00 SMTP call from (x) [192.0.2.66] dropped: too many syntax or protocol errors (last command was \"FOO\", C=EHLO,FOO)",
              kind: .connectionDropped),
        .init(line: "2025-01-01 12:00:00 ignoring AUTH=ann@example.net from H=(client.example) [192.0.2.9] (rejected by ACL)", kind: .warning),   // smtp_in.c: the AUTH= value was ignored: a warning, not a rejection
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd H=mx.example.com [198.51.100.77]: SMTP error from remote mail server after RCPT TO:<dave@example.com>: 550 5.7.1 Recipient rejected",
              kind: .messageEvent),
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd SMTP error from remote mail server after end of data: 554 Message rejected as spam",
              kind: .messageEvent),
        // Other kinds.
        // [format] smtp_in.c's sender verification that could not complete.
        .init(line: "2025-01-01 12:00:00 H=(client.example) [192.0.2.9] sender verify defer for <ann@example.net>: Could not complete sender verify",
              kind: .verifyDeferred),
        .init(line: "2025-01-01 12:00:00 H=(client.example) [192.0.2.9] sender verify fail for <ghost@nowhere.example>: Unrouteable address",
              kind: .verifyFailed),
        // [shape] test 0021 and the upper-case form.
        .init(line: "2026-02-11 06:12:40 H=(x.y.z) [10.9.8.10] U=alice Warning: This warning is from a HELO ACL (command helo x.y.z)", kind: .warning),
        .init(line: "2025-01-01 12:00:00 WARNING: message_size_limit exceeded for a bounce", kind: .warning),
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd WARNING: the sender address was rewritten", kind: .warning),
        // [inferred] queue runs of named queues, ODMR.
        .init(line: "2025-01-01 12:00:00 Start ODMR 'fleet' queue run: pid=4242", kind: .queueRunStarted),
        .init(line: "2025-01-01 12:00:00 End ODMR 'fleet' queue run: pid=4242", kind: .queueRunEnded),
        // [inferred] authenticator failure, discards, ETRN/ATRN, VRFY.
        .init(line: "2025-01-01 12:00:00 plain authenticator failed for (client.example) [192.0.2.9]: 535 Incorrect authentication data (set_id=ann)",
              kind: .authenticationFailed),
        .init(line: "2025-01-01 12:00:00 H=(client.example) [192.0.2.9] F=<ann@example.net> RCPT <trap@example.org>: discarded by RCPT ACL: spam trap",
              kind: .discarded),
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd H=(client.example) [192.0.2.9] F=<ann@example.net> discarded by DATA ACL: looks like spam",
              kind: .discarded),
        // [shape] (the LOG: line in a test's debug output).
        .init(line: "2026-02-11 06:12:40 ETRN some.random.domain received from [1.1.1.1]", kind: .etrn),
        .init(line: "2025-01-01 12:00:00 ATRN example.org received from (client.example) [192.0.2.9]", kind: .etrn),
        .init(line: "2025-01-01 12:00:00 VRFY failed for ghost@example.org H=(client.example) [192.0.2.9]", kind: .vrfyFailed),
        // [shape] test 0094.
        .init(line: "2026-02-11 06:12:40 no host name found for IP address 10.11.12.13", kind: .hostLookupFailed),
        .init(line: "2025-01-01 12:00:00 no IP address found for host mail.example.net (during SMTP connection from [192.0.2.10])",
              kind: .hostLookupFailed),
        // A line with a message id gets the kind of what follows the id.
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd H=(client.example) [192.0.2.9] Warning: message has an attachment", kind: .warning),
        .init(line: "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd H=(client.example) [192.0.2.9] incomplete transaction (connection lost) from <ann@example.net>",
              kind: .incompleteTransaction),
    ]

    @Test("kinds, rejections and what they were for", arguments: kinds)
    func kind(_ c: Kind) throws {
        let store = try makeStore()
        let line = try parse(c.line, in: store)
        #expect(line.kind == c.kind)
        #expect(line.isRejection == (c.rejection != nil))
        #expect(line.rejection == c.rejection)
        #expect(line.isTemporaryRejection == c.temporary)
        #expect(line.details().rejectionReason == c.reason)
        var counters = LogCounters()
        counters.count(line)
        #expect(counters.rejected == (c.rejection != nil ? 1 : 0))
    }

    @Test("rejection reasons are the text after the first `: `, or the refusal's parentheses")
    func reasons() throws {
        let store = try makeStore()
        let r = try parse("2025-01-01 12:00:00 refused connection from [192.0.2.66] (host_reject_connection)", in: store)
        #expect(str(r.reason) == "host_reject_connection")
        let t = try parse("2025-01-01 12:00:00 Connection from [192.0.2.66] refused: too many connections", in: store)
        #expect(str(t.reason) == "too many connections")
        let h = try parse("2026-02-11 06:12:40 H=(test) [10.0.0.0] U=alice F=<userx@example.org> rejected RCPT <x@ten-2.example.org>: relay not permitted", in: store).details()
        #expect(str(h.reason) == "relay not permitted")
        #expect(str(h[.H]) == "(test) [10.0.0.0]" && str(h[.F]) == "<userx@example.org>" && str(h[.U]) == "alice")
    }
}

extension LineFormatShapeTests {
    /// Checks that every view a line hands out lies inside the line.
    static func checkBounds(_ line: LogLine, _ n: Int) {
        let d = line.details()
        for k in LogFieldKey.allCases { if let v = d[k] { #expect(v.count <= n) } }
        for v in [d.address, d.originalAddress, d.parents, d.recipients, d.reason] { if let v { #expect(v.count <= n) } }
        _ = d.rejectionReason
    }

    @Test("every prefix of every shape parses, with every view inside the line")
    func everyPrefix() throws {
        let store = try makeStore()
        let lines = Self.deliveries.map(\.line) + Self.kinds.map(\.line)
        for text in lines {
            let bytes = Array(text.utf8)
            for cut in stride(from: 0, through: bytes.count, by: 1) {
                let mark = try store.mark()
                let l = try parse(Array(bytes[..<cut]), in: store)
                Self.checkBounds(l, cut)
                try store.reset(to: mark)
            }
        }
    }

    @Test("unclosed groups, quotes and brackets in the new paths", arguments: [
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => a (b, (c <d R=x",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => |/bin/sh -c \"x y <a@b> R=r T=t",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => a@b F=<\"x y@z R=r T=t",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => a@b R=r T=t ST=s (never closed QT=1s",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => a@b R=r H=(helo [1.2.3.4] C=\"x",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => a@b R=r H=x DS DS DS",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd == a@b R=r defer (-44 H=x [1.2.3.4: text",
        "2025-01-01 12:00:00 H=(((((((((( [1.2.3.4] F=<<<<<<< rejected RCPT <x>: y",
        "2025-01-01 12:00:00 F=\" rejected RCPT",
        "2025-01-01 12:00:00 refused connection from (",
        "2025-01-01 12:00:00 Start ' queue run",
        "2025-01-01 12:00:00 x authenticator failed for",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd x authenticator failed H=",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd x authenticator failed H=(a [1.2.3.4",
        "2025-01-01 12:00:00 H=x [1.2.3.4] TLS error on ",
        "2025-01-01 12:00:00 too many recipients: message rejected: sender=",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd == a@b R=r defer (",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd == a@b R=r defer (1): ",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd == a@b R=r defer (): x H=",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd == a@b R=r defer (12345678901234): x H=y [1.2.3.4]: z",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => :",
        "2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd ** a: ",
    ])
    func hostile(text: String) throws {
        let store = try makeStore()
        let l = try parse(text, in: store)
        Self.checkBounds(l, text.utf8.count)
    }

    @Test("a shadow transport's unclosed comment does not swallow a known kind or flag")
    func unclosedComment() throws {
        let store = try makeStore()
        let l = try parse("2025-01-01 12:00:00 1tSxTb-00000000CXd-29Hd => a@b R=r T=t ST=s (never closed QT=1s", in: store)
        #expect(l.flag == .delivery)
        let d = l.details()
        #expect(str(d.address) == "a@b" && str(d[.ST]) == "s" && str(d[.R]) == "r")
        #expect(d.reason == nil)
    }
}
