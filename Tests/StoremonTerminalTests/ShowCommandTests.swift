import FixtureSupport
import Foundation
import Testing

/// `storemon show ID` as a user runs it: text, JSON, the body, and clear errors (exit 1).
@Suite struct ShowCommandTests {
    static var spool: String { Fixtures.spool }

    @Test func showsEnvelopeRecipientsHeadersAndMessageLog() throws {
        let r = try TestSupport.run(["show", "1xWd9R-0007CA-1i", "--spool", Self.spool])
        #expect(r.status == 0, "\(r.err)")
        for piece in ["Message 1xWd9R-0007CA-1i", "Sender:       <root@storemon.test>", "Recipients: 3 (3 pending, 0 delivered)",
                      "  * deleted (not sent)", "Bcc: erin@storemon.test", "  P Received", "Message log ("] {
            #expect(r.out.contains(piece), "missing \(piece)")
        }
        #expect(!r.out.contains("Body ("))
        // The raw 8-bit subject is spelt out: no byte outside printable UTF-8 reaches stdout.
        #expect(!r.stdout.contains { $0 < 0x20 && $0 != 0x0A })
        #expect(r.out.contains("Subject: \\x"))
    }

    @Test func bodyAndJSON() throws {
        let text = try TestSupport.run(["show", "--body", "1xWd9D-0006xR-10", "--spool", Self.spool])
        #expect(text.status == 0 && text.out.contains("Body ("), "\(text.err)")
        let json = try TestSupport.run(["show", "1xWd9D-0006xR-10", "--spool", Self.spool, "--json", "--body"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["id"] as? String == "1xWd9D-0006xR-10")
        #expect((object["body"] as? [String: Any])?["cut"] as? Bool == false)
        #expect(((object["envelope"] as? [String: Any])?["aclVariables"] as? [[String: Any]])?.count == 2)
    }

    @Test func unknownAndMalformedIdsExitOne() throws {
        let unknown = try TestSupport.run(["show", "1xWd9D-0006xR-99", "--spool", Self.spool])
        #expect(unknown.status == 1 && unknown.stdout.isEmpty)
        #expect(unknown.err.contains("1xWd9D-0006xR-99 is not on the queue"), "\(unknown.err)")
        let malformed = try TestSupport.run(["show", "not-an-id", "--spool", Self.spool])
        #expect(malformed.status == 1 && malformed.err.contains("is not an Exim message id"), "\(malformed.err)")
        let noSpool = try TestSupport.run(["show", "1xWd9D-0006xR-10", "--spool", "/nonexistent/spool"])
        #expect(noSpool.status == 1 && noSpool.err.contains("/nonexistent/spool"), "\(noSpool.err)")
        #expect(try TestSupport.run(["show"]).status == 2)
        let help = try TestSupport.run(["show", "--help"])
        #expect(help.status == 0 && help.out.contains("--body"))
    }

    @Test func readOnlyIsAMonitorOption() throws {
        let help = try TestSupport.run(["--help"])
        #expect(help.out.contains("--read-only") && help.out.contains("show"))
        let log = Fixtures.mainlog
        let r = try TestSupport.run(["--once", "--read-only", "--spool", Self.spool, log])
        #expect(r.status == 0, "\(r.err)")
    }
}
