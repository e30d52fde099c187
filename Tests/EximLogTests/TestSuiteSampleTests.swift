import Store
import Testing
@testable import EximLog

/// A sample of lines quoted from Exim's own test-suite logs (`test/log/NNNN` in Exim's
/// repository; the harness munges times, ids, sizes and addresses), read with the same
/// generic checks as the real 4.98/4.99 logs: no flagged line loses a `KEY=` field, a
/// delivery has no reason, a failure or deferral has one, and only Exim's rejection
/// formats count as rejections.
@Suite("A sample of Exim's test-suite logs")
struct TestSuiteSampleTests {
    /// (test, line) pairs, quoted unchanged.
    static let sample: [(String, String)] = [
        ("0612", #"1999-03-02 09:44:33 10HmaX-000000005vi-0000 ** rmt_reject@test.ex R=r2 T=smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<rmt_reject@test.ex>: 550 Administrative prohibition"#),
        ("0612", #"1999-03-02 09:44:33 10HmaX-000000005vi-0000 event msg:fail:delivery data "SMTP error from remote mail server after RCPT TO:<rmt_reject@test.ex>: 550 Administrative prohibition""#),
        ("0612", #"1999-03-02 09:44:33 10HmaX-000000005vi-0000 rmt_reject@test.ex: error ignored: RFC 3461 DSN, failure notify not requested"#),
        ("0612", #"1999-03-02 09:44:33 10HmaY-000000005vi-0000 => rmt_accept@test.ex R=r2 T=smtp H=127.0.0.1 [127.0.0.1] C="250 OK id=10HmaZ-000000005vi-0000""#),
        ("0612", #"1999-03-02 09:44:33 10HmbB-000000005vi-0000 ** rmt_fakereject@test.ex R=r2 T=smtp H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after end of data: 550-Your message has been rejected but is being kept for evaluation.\n550-If it was a legitimate message, it may still be delivered to the target\n550 recipient(s)."#),
        ("0612", #"1999-03-02 09:44:33 10HmbD-000000005vi-0000 == rmt_defer@test.ex R=r2 T=smtp defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<rmt_defer@test.ex>: 451 Temporary local problem - please try later"#),
        ("0612", #"1999-03-02 09:44:33 10HmbD-000000005vi-0000 == rmt_defer@test.ex routing defer (-52): retry time not reached"#),
        ("0612", #"1999-03-02 09:44:33 10HmbD-000000005vi-0000 removed by CALLER"#),
        ("0612", #"1999-03-02 09:44:33 event smtp:fail:syntax data "Invalid value for NOTIFY parameter""#),
        ("0612", #"1999-03-02 09:44:33 H=localhost (myhost.test.ex) [127.0.0.1] F=<a@dump.ex> rejected RCPT <rmt_reject@test.ex>"#),
        ("0612", #"1999-03-02 09:44:33 10HmbC-000000005vi-0000 (= b2@dump.ex H=localhost (myhost.test.ex) [127.0.0.1] P=esmtp S=sss for rmt_fakereject@test.ex"#),
        ("0612", #"1999-03-02 09:44:33 H=localhost (myhost.test.ex) [127.0.0.1] F=<c@dump.ex> temporarily rejected RCPT <rmt_defer@test.ex>"#),
        ("5100", #"1999-03-02 09:44:33 10HmaY-0005vi-00 == userx@myhost.test.ex R=smartuser T=lmtp defer (-1): LMTP error after initial connection: 440 Sorry, there's a problem here"#),
        ("5100", "440 Sorry, there's a problem here"),
        ("5100", #"1999-03-02 09:44:33 10HmaZ-0005vi-00 ** userx@myhost.test.ex R=smartuser T=lmtp: LMTP error after MAIL FROM:<CALLER@myhost.test.ex>: 550 Don't like that sender"#),
        ("5100", #"1999-03-02 09:44:33 10HmbB-0005vi-00 ** userx@myhost.test.ex: retry timeout exceeded"#),
        ("5100", #"1999-03-02 09:44:33 10HmbD-0005vi-00 -> harry <harry@myhost.test.ex> R=smartuser T=lmtp"#),
        ("5100", #"1999-03-02 09:44:33 10HmbF-0005vi-00 == jack@myhost.test.ex R=smartuser T=lmtp defer (-1): LMTP timeout after end of data (ddd bytes written)"#),
        ("5820", #"1999-03-02 09:44:33 10HmaX-0005vi-00 => CALLER@dane256ee.test.ex R=client T=send_to_server H=dane256ee.test.ex [ip4.ip4.ip4.ip4] X=TLS1.x:ke_RSA_AES_256_CBC_SHAnnn:256 CV=dane DN="CN=server1.example.com" C="250 OK id=10HmaZ-0005vi-00""#),
        ("5820", #"1999-03-02 09:44:33 10HmbH-0005vi-00 H=danelazy.test.ex [ip4.ip4.ip4.ip4]: DANE error: tlsa lookup DEFER"#),
        ("5820", #"1999-03-02 09:44:33 10HmbP-0005vi-00 == CALLER@danebroken2.test.ex R=client T=send_to_server defer (-37) H=danebroken2.test.ex [127.0.0.1]: TLS session: (certificate verification failed): Verification failed. CA constrains were violated. "#),
        ("5820", #"1999-03-02 09:44:33 10HmaZ-0005vi-00 <= <> H=the.local.host.name (myhost.test.ex) [ip4.ip4.ip4.ip4] P=esmtps X=TLS1.x:ke_RSA_AES_256_CBC_SHAnnn:256 CV=no S=sss id=E10HmaX-0005vi-00@myhost.test.ex for CALLER@dane256ee.test.ex"#),
        ("5820", #"1999-03-02 09:44:33 TLS error on connection from localhost [127.0.0.1] (recv): A TLS fatal alert has been received.: Certificate is bad"#),
        ("5820", #"1999-03-02 09:44:33 "rcpt ACL""#),
        ("0037", #"1999-03-02 09:44:33 10HmbA-000000005vi-0000 Frozen by the system filter: subject was "should freeze this"\nHere are two extra\nlines of text"#),
        ("0037", #"1999-03-02 09:44:33 10HmbA-000000005vi-0000 Unfrozen by forced delivery"#),
        ("0037", #"1999-03-02 09:44:33 10HmaY-000000005vi-0000 cancelled by system filter: subject was\#t"should fail this" (filter fail)"#),
        ("0037", #"1999-03-02 09:44:33 10HmbI-000000005vi-0000 == filter-lookup@test.ex R=userfilter defer (-17): error in filter file: failed to expand "${lookup{$local_part}lsearch{/etc/passwd}{$value}fail}" in deliver command: lookup expansions are not permitted"#),
        ("0037", #"1999-03-02 09:44:33 Start queue run: pid=p1237 -qqff -R userx"#),
        ("0092", #"1999-03-02 09:44:33 SMTP command timeout on connection from CALLER D=qqs"#),
        ("0092", #"1999-03-02 09:44:33 SMTP data timeout (message abandoned) on connection from local process F=<CALLER@myhost.test.ex> D=qqs"#),
        ("0022", #"1999-03-02 09:44:33 10HmaY-0005vi-00 *> accept <accept@y> R=accept T=appendfile"#),
        ("0022", #"1999-03-02 09:44:33 10HmaX-0005vi-00 frozen by ACL"#),
        ("0036", #"1999-03-02 09:44:33 10HmaX-0005vi-00 => abcd@eximtesthost.test.ex <abcd@eximtesthost> R=lookuphost T=send_to_server H=eximtesthost.test.ex [ip4.ip4.ip4.ip4] C="250 OK id=10HmaY-0005vi-00""#),
        ("0036", #"1999-03-02 09:44:33 10HmaY-0005vi-00 <= CALLER@myhost.test.ex H=the.local.host.name (myhost.test.ex) [ip4.ip4.ip4.ip4] P=esmtp S=sss id=E10HmaX-0005vi-00@myhost.test.ex"#),
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
