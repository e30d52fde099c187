import Store
import Testing
@testable import EximLog

/// Lines in the shapes of Exim's own test-suite logs (`test/log/NNNN` in Exim's
/// repository), written here with ordinary made-up values where the harness has
/// placeholders (no line of the suite is copied), read with the same generic checks as the real 4.98/4.99 logs: no flagged line loses a `KEY=` field, a
/// delivery has no reason, a failure or deferral has one, and only Exim's rejection
/// formats count as rejections.
@Suite("Lines in the shapes of Exim's test-suite logs")
struct TestSuiteSampleTests {
    /// (test whose shape the line follows, line) pairs.
    static let sample: [(String, String)] = [
        ("0612", #"2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A ** rmt_reject@example.org R=r2 T=smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<rmt_reject@example.org>: 550 Administrative prohibition"#),
        ("0612", #"2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A event msg:fail:delivery data "SMTP error from remote mail server after RCPT TO:<rmt_reject@example.org>: 550 Administrative prohibition""#),
        ("0612", #"2026-02-11 06:12:40 1yC3aX-00000000Rk2-0b9A rmt_reject@example.org: error ignored: RFC 3461 DSN, failure notify not requested"#),
        ("0612", #"2026-02-11 06:12:40 1yC3aY-00000000Rk2-0b9A => rmt_accept@example.org R=r2 T=smtp H=127.0.0.1 [127.0.0.1] C="250 OK id=1yC3aZ-00000000Rk2-0b9A""#),
        ("0612", #"2026-02-11 06:12:40 1yC3bB-00000000Rk2-0b9A ** rmt_fakereject@example.org R=r2 T=smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after end of data: 550-Your message has been rejected but is being kept for evaluation.\n550-If it was a legitimate message, it may still be delivered to the target\n550 recipient(s)."#),
        ("0612", #"2026-02-11 06:12:40 1yC3bD-00000000Rk2-0b9A == rmt_defer@example.org R=r2 T=smtp defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<rmt_defer@example.org>: 451 Temporary local problem - please try later"#),
        ("0612", #"2026-02-11 06:12:40 1yC3bD-00000000Rk2-0b9A == rmt_defer@example.org routing defer (-52): retry time not reached"#),
        ("0612", #"2026-02-11 06:12:40 1yC3bD-00000000Rk2-0b9A removed by alice"#),
        ("0612", #"2026-02-11 06:12:40 event smtp:fail:syntax data "Invalid value for NOTIFY parameter""#),
        ("0612", #"2026-02-11 06:12:40 H=localhost (box.example.org) [127.0.0.1] F=<a@dump.ex> rejected RCPT <rmt_reject@example.org>"#),
        ("0612", #"2026-02-11 06:12:40 1yC3bC-00000000Rk2-0b9A (= b2@dump.ex H=localhost (box.example.org) [127.0.0.1] P=esmtp S=1834 for rmt_fakereject@example.org"#),
        ("0612", #"2026-02-11 06:12:40 H=localhost (box.example.org) [127.0.0.1] F=<c@dump.ex> temporarily rejected RCPT <rmt_defer@example.org>"#),
        ("5100", #"2026-02-11 06:12:40 1yC3aY-000Rk2-0b == userx@box.example.org R=smartuser T=lmtp defer (-1): LMTP error after initial connection: 440 Sorry, there's a problem here"#),
        ("5100", "440 Sorry, there's a problem here"),
        ("5100", #"2026-02-11 06:12:40 1yC3aZ-000Rk2-0b ** userx@box.example.org R=smartuser T=lmtp: LMTP error after MAIL FROM:<alice@box.example.org>: 550 Don't like that sender"#),
        ("5100", #"2026-02-11 06:12:40 1yC3bB-000Rk2-0b ** userx@box.example.org: retry timeout exceeded"#),
        ("5100", #"2026-02-11 06:12:40 1yC3bD-000Rk2-0b -> harry <harry@box.example.org> R=smartuser T=lmtp"#),
        ("5100", #"2026-02-11 06:12:40 1yC3bF-000Rk2-0b == jack@box.example.org R=smartuser T=lmtp defer (-1): LMTP timeout after end of data (1200 bytes written)"#),
        ("5820", #"2026-02-11 06:12:40 1yC3aX-000Rk2-0b => alice@dane256ee.example.org R=client T=send_to_server H=dane256ee.example.org [192.0.2.44] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=dane DN="CN=server1.example.com" C="250 OK id=1yC3aZ-000Rk2-0b""#),
        ("5820", #"2026-02-11 06:12:40 1yC3bH-000Rk2-0b H=danelazy.example.org [192.0.2.44]: DANE error: tlsa lookup DEFER"#),
        ("5820", #"2026-02-11 06:12:40 1yC3bP-000Rk2-0b == alice@danebroken2.example.org R=client T=send_to_server defer (-37) H=danebroken2.example.org [127.0.0.1]: TLS session: (certificate verification failed): Verification failed. CA constrains were violated. "#),
        ("5820", #"2026-02-11 06:12:40 1yC3aZ-000Rk2-0b <= <> H=mx.example.org (box.example.org) [192.0.2.44] P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=1834 id=E1yC3aX-000Rk2-0b@box.example.org for alice@dane256ee.example.org"#),
        ("5820", #"2026-02-11 06:12:40 TLS error on connection from localhost [127.0.0.1] (recv): A TLS fatal alert has been received.: Certificate is bad"#),
        ("5820", #"2026-02-11 06:12:40 "rcpt ACL""#),
        ("0037", #"2026-02-11 06:12:40 1yC3bA-00000000Rk2-0b9A Frozen by the system filter: subject was "should freeze this"\nHere are two extra\nlines of text"#),
        ("0037", #"2026-02-11 06:12:40 1yC3bA-00000000Rk2-0b9A Unfrozen by forced delivery"#),
        ("0037", #"2026-02-11 06:12:40 1yC3aY-00000000Rk2-0b9A cancelled by system filter: subject was\#t"should fail this" (filter fail)"#),
        ("0037", #"2026-02-11 06:12:40 1yC3bI-00000000Rk2-0b9A == filter-lookup@example.org R=userfilter defer (-17): error in filter file: failed to expand "${lookup{$local_part}lsearch{/etc/passwd}{$value}fail}" in deliver command: lookup expansions are not permitted"#),
        ("0037", #"2026-02-11 06:12:40 Start queue run: pid=31237 -qqff -R userx"#),
        ("0092", #"2026-02-11 06:12:40 SMTP command timeout on connection from alice D=2s"#),
        ("0092", #"2026-02-11 06:12:40 SMTP data timeout (message abandoned) on connection from local process F=<alice@box.example.org> D=2s"#),
        ("0022", #"2026-02-11 06:12:40 1yC3aY-000Rk2-0b *> accept <accept@y> R=accept T=appendfile"#),
        ("0022", #"2026-02-11 06:12:40 1yC3aX-000Rk2-0b frozen by ACL"#),
        ("0036", #"2026-02-11 06:12:40 1yC3aX-000Rk2-0b => abcd@eximtesthost.example.org <abcd@eximtesthost> R=lookuphost T=send_to_server H=eximtesthost.example.org [192.0.2.44] C="250 OK id=1yC3aY-000Rk2-0b""#),
        ("0036", #"2026-02-11 06:12:40 1yC3aY-000Rk2-0b <= alice@box.example.org H=mx.example.org (box.example.org) [192.0.2.44] P=esmtp S=1834 id=E1yC3aX-000Rk2-0b@box.example.org"#),
    ]

    @Test("generic checks on every sampled line")
    func sampleLines() throws {
        let store = try makeStore()
        var rejections = 0, flagged = 0
        for (test, text) in Self.sample {
            let line = try parse(text, in: store)
            if line.isRejection { rejections += 1 }
            guard let flag = line.flag else { continue }
            flagged += 1
            let d = line.details()
            #expect(d.address != nil, "\(test): \(text)")
            let body = str(line.body) ?? ""
            let head = d.reason.flatMap { r in str(r).flatMap { body.range(of: $0).map { String(body[..<$0.lowerBound]) } } } ?? body
            for key in RealLog49xTests.keysWritten(head) {
                guard let k = LogFieldKey.allCases.first(where: { $0.description == key }) else { continue }
                #expect(d[k] != nil, "\(test): \(key)= lost in \(text)")
            }
            switch flag {
            case .delivery, .additionalAddress, .cutthrough, .suppressed:
                #expect(d.reason == nil, "\(test): \(text)")
            case .deferred, .failed:
                #expect(d.reason != nil, "\(test): \(text)")
            case .arrival, .fakeRejectArrival:
                #expect(d[.P] != nil && d[.S] != nil, "\(test): \(text)")
            }
        }
        #expect(flagged == 18)
        // Only 0612's `rejected RCPT` and `temporarily rejected RCPT`: not the remote
        // server's "rejected" in a `**` reason.
        #expect(rejections == 2)
    }

    @Test("kinds of the sampled non-flagged lines")
    func sampleKinds() throws {
        let store = try makeStore()
        var kinds: [LogLineKind] = []
        for (_, text) in Self.sample {
            let l = try parse(text, in: store)
            if l.flag == nil { kinds.append(l.kind) }
        }
        #expect(kinds == [
            .messageEvent, .messageEvent, .messageEvent, .other, .rejected, .rejected, .other,
            .messageEvent, .tlsError, .other, .frozen, .unfrozen, .cancelled, .queueRunStarted,
            .connectionLost, .connectionLost, .frozen,
        ])
    }
}
