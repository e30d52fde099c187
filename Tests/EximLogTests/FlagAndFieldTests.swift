import Store
import Testing
@testable import EximLog

/// Each flag and each field of message lines.
@Suite("Flags and fields")
struct FlagAndFieldTests {
    @Test("every flag", arguments: LogFlag.allCases)
    func everyFlag(flag: LogFlag) throws {
        let store = try makeStore()
        let l = try parse("2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A \(flag.text) someone@example.com R=r T=t", in: store)
        #expect(l.kind == .flagged)
        #expect(l.flag == flag)
        #expect(str(l.address) == "someone@example.com")
        #expect(str(l[.R]) == "r")
        var c = LogCounters()
        c.count(l)
        #expect(c[flag: flag] == 1)
        #expect(c.byFlagText[flag.text] == 1)
    }

    @Test("arrival with every field, the subject quoted with escapes, and recipients")
    func arrivalFields() throws {
        let store = try makeStore()
        let text = #"2025-01-01 12:05:27 1tSxTb-00000000CXd-29Hd <= alice@example.net H=mail.example.net (helo.example.net) [192.0.2.10]:52144 I=[198.51.100.5]:25 U=alice P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes A=plain:alice S=2891 id=20250101120520.GA1234@example.net T="Re: \"quoted\" caf\303\251 \\ end" from <orig@example.net> for bob@example.org carol@example.org"#
        let l = try parse(text, in: store)
        let d = l.details()
        #expect(l.flag == .arrival)
        #expect(str(d.address) == "alice@example.net")
        #expect(str(d[.H]) == "mail.example.net (helo.example.net) [192.0.2.10]:52144")
        #expect(str(d[.I]) == "[198.51.100.5]:25")
        #expect(str(d[.U]) == "alice")
        #expect(str(d[.P]) == "esmtpsa")
        #expect(str(d[.X]) == "TLS1.3:TLS_AES_256_GCM_SHA384:256")
        #expect(str(d[.CV]) == "yes")
        #expect(str(d[.A]) == "plain:alice")
        #expect(str(d[.S]) == "2891")
        #expect(d.size == 2891)
        #expect(str(d[.id]) == "20250101120520.GA1234@example.net")
        #expect(str(d[.T]) == #"Re: \"quoted\" caf\303\251 \\ end"#)
        #expect(d.isQuoted(.T))
        #expect(!d.isQuoted(.S))
        #expect(str(d.recipients) == "bob@example.org carol@example.org")
        #expect(d.reason == nil)
    }

    @Test("bounce arrival: R= is the bounced message, sender <>")
    func bounceArrival() throws {
        let store = try makeStore()
        let l = try parse("2026-11-26 17:20:53 [27713] 1xWd9R-0007D7-2U <= <> R=1xWd9R-0007Ct-2K U=Debian-exim P=local S=1610 T=\"Mail delivery failed: returning message to sender\" for dave@storemon.test", in: store)
        #expect(str(l.address) == "<>")
        #expect(str(l[.R]) == "1xWd9R-0007Ct-2K")
        #expect(str(l[.T]) == "Mail delivery failed: returning message to sender")
        #expect(str(l.recipients) == "dave@storemon.test")
    }

    @Test("delivery: original address, parent, C=, QT=, DT=, F=, H=")
    func deliveryFields() throws {
        let store = try makeStore()
        let l = try parse(#"2025-01-01 12:05:31 1tSxTb-00000000CXd-29Hd => bob@example.org <Bob@Example.org> (list@example.org) F=<alice@example.net> R=dnslookup T=remote_smtp S=3012 H=mx1.example.org [203.0.113.7] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 Ok: queued as 4YQ2Bq0mZz" QT=4s DT=1s"#, in: store)
        let d = l.details()
        #expect(l.flag == .delivery)
        #expect(str(d.address) == "bob@example.org")
        #expect(str(d.originalAddress) == "<Bob@Example.org>")
        #expect(str(d[.F]) == "<alice@example.net>")
        #expect(str(d[.R]) == "dnslookup")
        #expect(str(d[.T]) == "remote_smtp")
        #expect(str(d[.H]) == "mx1.example.org [203.0.113.7]")
        #expect(str(d[.C]) == "250 2.0.0 Ok: queued as 4YQ2Bq0mZz")
        #expect(d.isQuoted(.C))
        #expect(str(d[.QT]) == "4s")
        #expect(str(d[.DT]) == "1s")
        #expect(d.reason == nil)
    }

    @Test("-> and >> and *> and (= lines")
    func otherDeliveryFlags() throws {
        let store = try makeStore()
        let a = try parse(#"2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A -> a001@example.org R=client T=send_to_server H=127.0.0.1 [127.0.0.1] L C="250 OK id=1yC3aY-00000000Rk2-0b9A""#, in: store)
        #expect(a.flag == .additionalAddress)
        #expect(str(a[.C]) == "250 OK id=1yC3aY-00000000Rk2-0b9A")
        #expect(str(a[.H]) == "127.0.0.1 [127.0.0.1]")
        let c = try parse(#"2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A >> userx@domain.com P=<alice@box.example.org> R=all T=smtp H=127.0.0.1 [127.0.0.1] C="250 OK""#, in: store)
        #expect(c.flag == .cutthrough)
        #expect(str(c[.P]) == "<alice@box.example.org>")
        let s = try parse("2026-02-11 06:12:40 1yC3aY-00000000Rk2-0b9A *> accept <accept@y> R=accept T=appendfile", in: store)
        #expect(s.flag == .suppressed)
        #expect(str(s.originalAddress) == "<accept@y>")
        let f = try parse("2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A (= alice@box.example.org U=alice P=local-smtp S=1834", in: store)
        #expect(f.flag == .fakeRejectArrival)
        #expect(str(f[.U]) == "alice")
    }

    @Test("deferral reasons, with DT= inside and after the reason")
    func deferralReasons() throws {
        let store = try makeStore()
        let a = try parse("2026-11-26 17:20:39 [26750] 1xWd9D-0006xR-10 == x@example.net R=to_closed_port T=remote_smtp_closed defer (111): Connection refused DT=0s", in: store)
        #expect(a.flag == .deferred)
        #expect(str(a.address) == "x@example.net")
        #expect(str(a.reason) == "Connection refused")
        #expect(str(a[.DT]) == "0s")
        #expect(str(a[.T]) == "remote_smtp_closed")
        let b = try parse("2026-11-26 17:20:39 [26762] 1xWd9D-0006xd-2A == y@example.org R=to_closed_port T=remote_smtp_closed defer (-54) DT=0s: retry time not reached for any host for 'example.org'", in: store)
        #expect(str(b.reason) == "retry time not reached for any host for 'example.org'")
        #expect(str(b[.DT]) == "0s")
        let r = try parse("2026-11-26 17:20:51 [27412] 1xWd9F-0006zB-2f == x@defer.test routing defer (-52) DT=0s: retry time not reached", in: store)
        #expect(str(r.reason) == "retry time not reached")
        #expect(r[.R] == nil)
    }

    @Test("failure reasons: after R=…: , after the address: , after : , after H=…[ip]:")
    func failureReasons() throws {
        let store = try makeStore()
        let a = try parse("2026-11-26 17:20:40 [26811] 1xWd9E-0006yQ-2w ** someone@bounce.test R=fail_domain: Domain bounce.test accepts no mail (storemon test) DT=0s", in: store)
        #expect(a.flag == .failed)
        #expect(str(a[.R]) == "fail_domain")
        #expect(str(a.reason) == "Domain bounce.test accepts no mail (storemon test)")
        #expect(str(a[.DT]) == "0s")
        let b = try parse("2026-11-26 17:20:53 [27711] 1xWd9R-0007Ct-2K ** ghostuser@storemon.test: Unrouteable address DT=0s", in: store)
        #expect(str(b.address) == "ghostuser@storemon.test")
        #expect(str(b.reason) == "Unrouteable address")
        let c = try parse("2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A ** userx@mxt1.example.org R=others : lowest numbered MX record points to local host", in: store)
        #expect(str(c.reason) == "lowest numbered MX record points to local host")
        let d = try parse("2025-01-01 12:06:05 1tSxTa-00000000CXa-0aB3 ** ghost@example.com R=dnslookup T=remote_smtp H=mx.example.com [198.51.100.77]: SMTP error from remote mail server after RCPT TO:<ghost@example.com>: 550 5.1.1 User unknown", in: store)
        #expect(str(d[.H]) == "mx.example.com [198.51.100.77]")
        #expect(str(d.reason) == "SMTP error from remote mail server after RCPT TO:<ghost@example.com>: 550 5.1.1 User unknown")
    }

    @Test("a quoted value that never closes runs to the end of the line")
    func unclosedQuote() throws {
        let store = try makeStore()
        let l = try parse(#"2025-01-01 12:05:27 1tSxTb-00000000CXd-29Hd <= a@b P=local S=1 T="never closed \""#, in: store)
        #expect(str(l[.T]) == #"never closed \""#)
        #expect(l.recipients == nil)
    }
}
