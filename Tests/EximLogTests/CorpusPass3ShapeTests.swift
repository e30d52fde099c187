import Store
import Testing
@testable import EximLog

/// Line shapes found by a third run of the readers over Exim's own test-suite logs
/// (`test/log/NNNN`, fetched read-only, never copied here). Every line below was written for
/// this file, with made-up values, from the format string in Exim's source that produces
/// it; none is Exim's text.
@Suite("Shapes found in Exim's test-suite logs (third pass)")
struct CorpusPass3ShapeTests {
    // MARK: tls-openssl.c: a client that hangs up during the handshake

    @Test("`TLS client disconnected cleanly (rejected our certificate?)` is a TLS error", arguments: [
        "2026-03-14 09:10:00 TLS client disconnected cleanly (rejected our certificate?)",
        "2026-03-14 09:10:00.417 [7301] TLS client disconnected cleanly (rejected our certificate?)",
    ])
    func clientDisconnectedCleanly(line: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .tlsError)
        #expect(l.messageID == nil && !l.isRejection)
    }

    @Test("other lines starting `TLS client` keep their kinds", arguments: [
        ("2026-03-14 09:10:01 TLS client certificate accepted for relay.example.org", LogLineKind.other),
        ("2026-03-14 09:10:01 TLS error on connection from [192.0.2.7] (SSL_accept): error: handshake failure", .tlsError),
    ])
    func tlsNeighbours(line: String, kind: LogLineKind) throws {
        let store = try makeStore()
        #expect(try parse(line, in: store).kind == kind)
    }

    // MARK: the smtp transport: our AUTH to a server was cancelled

    @Test("`<id> <name> authenticator cancelled authentication H=name [ip] <text>` is an authentication failure", arguments: [
        ("2026-03-14 09:11:00 1w3XkF-00000002aH3-8c9D login authenticator cancelled authentication H=smarthost.example.net [203.0.113.41] Invalid base64 string in server response \"334 Who?\"",
         "smarthost.example.net [203.0.113.41]", "Invalid base64 string in server response \"334 Who?\""),
        ("2026-03-14 09:11:00.250 [6002] 1w3XkF-00000002aH3-8c9D plain authenticator cancelled authentication H=relay.example.org [2001:db8::41]:587 forced failure in client_send",
         "relay.example.org [2001:db8::41]:587", "forced failure in client_send"),
    ])
    func clientAuthCancelled(line: String, host: String, reason: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .authenticationFailed)
        #expect(str(l.messageID) == "1w3XkF-00000002aH3-8c9D")
        let d = l.details()
        #expect(str(d[.H]) == host)
        #expect(str(d.reason) == reason)
    }

    @Test("`authenticator cancelled` without the transport's H= stays a message event")
    func authCancelledWithoutHost() throws {
        let store = try makeStore()
        let l = try parse("2026-03-14 09:11:01 1w3XkF-00000002aH3-8c9D login authenticator cancelled by the administrator", in: store)
        #expect(l.kind == .messageEvent)
        #expect(l.details().reason == nil)
    }

    // MARK: smtp_in.c: a MAIL command's AUTH= value ignored

    @Test("`ignoring AUTH=<addr> from <host> (<why>)` is a warning whose reason is the last parentheses", arguments: [
        ("2026-03-14 09:12:00 ignoring AUTH=alice@example.org from U=mailer (client not authenticated)",
         "client not authenticated"),
        ("2026-03-14 09:12:00 ignoring AUTH=bob@example.org from mail.example.net (helo.example.net) [198.51.100.9] (rejected by ACL)",
         "rejected by ACL"),
        ("2026-03-14 09:12:00.731 [8120] ignoring AUTH=carol@example.org from [2001:db8::9]:40123 (server_mail_auth_condition failed: authenticated ID=\"carol (sales)\")",
         "server_mail_auth_condition failed: authenticated ID=\"carol (sales)\""),
    ])
    func ignoringMailAuth(line: String, reason: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .warning)
        #expect(!l.isRejection && l.rejection == nil)
        #expect(str(l.details().reason) == reason)
    }

    @Test("an `ignoring AUTH=` line cut short stays in bounds", arguments: [
        "2026-03-14 09:12:01 ignoring AUTH=",
        "2026-03-14 09:12:01 ignoring AUTH=dave@example.org from",
        "2026-03-14 09:12:01 ignoring AUTH=dave@example.org from x (",
        "2026-03-14 09:12:01 ignoring AUTH=dave@example.org from x )",
        "2026-03-14 09:12:01 ignoring AUTH=dave@example.org from x ()",
    ])
    func ignoringMailAuthTruncated(line: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .warning || l.kind == .other)
        if let r = str(l.details().reason) { #expect(line.hasSuffix("(" + r + ")")) }
    }

    // MARK: deliver.c: a dequoted local part with brackets in it

    @Test("a dequoted local part with spaces and brackets stays the address; the quoted form is the original", arguments: [
        ("2026-03-14 09:13:00 1w3XkG-00000002aI4-9dAE ** not here (really)@example.org <\"not here (really)\"@example.org> R=byname: no such user (really)",
         "not here (really)@example.org", "<\"not here (really)\"@example.org>", "no such user (really)"),
        ("2026-03-14 09:13:00 1w3XkG-00000002aI4-9dAE ** odd <box>x@example.org <\"odd <box>x\"@example.org> R=byname: unrouteable address",
         "odd <box>x@example.org", "<\"odd <box>x\"@example.org>", "unrouteable address"),
    ])
    func bracketsInLocalPart(line: String, address: String, original: String, reason: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.flag == .failed)
        let d = l.details()
        #expect(str(d.address) == address)
        #expect(str(d.originalAddress) == original)
        #expect(d.parents == nil)
        #expect(str(d[.R]) == "byname")
        #expect(str(d.reason) == reason)
    }

    @Test("parents and the top address, each followed by a space, a colon or the end, still end the address", arguments: [
        ("2026-03-14 09:13:01 1w3XkG-00000002aI4-9dAE => alias (list@example.org, team@example.org) <boss@example.org> R=aliases T=local_delivery",
         "alias", "list@example.org, team@example.org", "<boss@example.org>"),
        ("2026-03-14 09:13:01 1w3XkG-00000002aI4-9dAE => |/usr/bin/filter (list@example.org) <list@example.org>",
         "|/usr/bin/filter", "list@example.org", "<list@example.org>"),
    ])
    func groupsAfterAddress(line: String, address: String, parents: String, original: String) throws {
        let store = try makeStore()
        let d = try parse(line, in: store).details()
        #expect(str(d.address) == address)
        #expect(str(d.parents) == parents)
        #expect(str(d.originalAddress) == original)
    }

    @Test("brackets nested in a dequoted local part, and a reason right after it, stay in place", arguments: [
        ("2026-03-14 09:13:03 1w3XkG-00000002aI4-9dAE ** a (b (c)d R=x)e@example.org <\"a (b (c)d R=x)e\"@example.org> R=byname: no such user",
         "a (b (c)d R=x)e@example.org", "<\"a (b (c)d R=x)e\"@example.org>", "no such user"),
        ("2026-03-14 09:13:03 1w3XkG-00000002aI4-9dAE ** a (b c)d@example.org: unrouteable address",
         "a (b c)d@example.org", nil, "unrouteable address"),
    ])
    func nestedBracketsInLocalPart(line: String, address: String, original: String?, reason: String) throws {
        let store = try makeStore()
        let d = try parse(line, in: store).details()
        #expect(str(d.address) == address)
        #expect(str(d.originalAddress) == original)
        #expect(d.parents == nil)
        #expect(str(d.reason) == reason)
    }

    @Test("many nested bracket groups in an address stay in bounds and give one address")
    func manyNestedGroups() throws {
        let store = try makeStore()
        let depth = 2000
        let local = String(repeating: "(a ", count: depth) + String(repeating: ")x", count: depth)
        let d = try parse("2026-03-14 09:13:04 1w3XkG-00000002aI4-9dAE ** \(local)@example.org R=r: gone", in: store).details()
        #expect(str(d.address) == local + "@example.org")
        #expect(str(d.reason) == "gone")
    }

    @Test("an unclosed bracket after the address still ends it, in bounds")
    func unclosedGroup() throws {
        let store = try makeStore()
        let d = try parse("2026-03-14 09:13:02 1w3XkG-00000002aI4-9dAE => user (parent@example.org", in: store).details()
        #expect(str(d.address) == "user")
    }

    // MARK: smtp_in.c: protocol and syntax errors from a local -bs session

    @Test("a protocol or syntax error's reason follows the host and ident, `U=` alone for a local session", arguments: [
        ("2026-03-14 09:14:00 SMTP syntax error in \"auth b@d\" U=mailer invalid character in authentication mechanism name",
         "invalid character in authentication mechanism name"),
        ("2026-03-14 09:14:00.120 [9011] SMTP protocol error in \"auth login\" U=mailer already authenticated",
         "already authenticated"),
        ("2026-03-14 09:14:00 SMTP protocol error in \"MAIL FROM:<a@example.org>\" H=(client.example.org) [198.51.100.20] U=ident1 sender already given",
         "sender already given"),
        ("2026-03-14 09:14:00 SMTP syntax error in \"FOO BAR\" H=mail.example.org [2001:db8::20]:4711 unrecognized command",
         "unrecognized command"),
    ])
    func protocolErrorReason(line: String, reason: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .protocolError)
        #expect(str(l.details().reason) == reason)
    }

    @Test("a protocol error cut short after its fields has no reason, in bounds", arguments: [
        "2026-03-14 09:14:01 SMTP syntax error in \"x\" U=mailer",
        "2026-03-14 09:14:01 SMTP syntax error in \"x\" U=",
        "2026-03-14 09:14:01 SMTP protocol error in \"x\" H=(h) [192.0.2.1]  ",
    ])
    func protocolErrorNoReason(line: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .protocolError)
        #expect(l.details().reason == nil)
    }

    // MARK: smtp_in.c's QUIT ACL errors and dnsbl.c's notices about a list

    @Test("`ACL for QUIT|not-QUIT returned ERROR: <text>` is a warning whose reason is the text", arguments: [
        ("2026-03-14 09:15:00 ACL for QUIT returned ERROR: QUIT or not-QUIT toplevel ACL may not fail ('deny' verb used incorrectly)",
         "QUIT or not-QUIT toplevel ACL may not fail ('deny' verb used incorrectly)"),
        ("2026-03-14 09:15:00.333 [4321] ACL for not-QUIT returned ERROR: unknown variable name \"acl_m_oops\"",
         "unknown variable name \"acl_m_oops\""),
    ])
    func quitAclError(line: String, reason: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .warning)
        #expect(!l.isRejection)
        #expect(str(l.details().reason) == reason)
    }

    @Test("dnsbl.c's notices about a DNS list are warnings, in either Exim's wording", arguments: [
        "2026-03-14 09:15:01 DNS list lookup for 192.0.2.8 at bl.example.net returned 198.51.100.1; not in 127.0/8 and discarded",
        "2018-05-01 10:00:00 DNS list lookup for relay7 at bl.example.net returned 203.0.113.9; invalid address discarded",
        "2026-03-14 09:15:01 DNS list lookup defer (probably timeout) for bl.example.net: assumed not in list",
    ])
    func dnsListNotice(line: String) throws {
        let store = try makeStore()
        let l = try parse(line, in: store)
        #expect(l.kind == .warning)
        #expect(l.messageID == nil && !l.isRejection)
    }

    @Test("neighbouring first words keep their kinds", arguments: [
        ("2026-03-14 09:15:02 ACL for RCPT is being rebuilt", LogLineKind.other),
        ("2026-03-14 09:15:02 DNS lookups are slow today", .other),
        ("2026-03-14 09:15:02 ACL for QUIT returned ERROR", .warning),
    ])
    func quitAclNeighbours(line: String, kind: LogLineKind) throws {
        let store = try makeStore()
        #expect(try parse(line, in: store).kind == kind)
    }

    // MARK: receive.c: an arrival's U= login or ident with spaces

    @Test("an arrival's U= value runs over its words up to the next field", arguments: [
        ("2026-03-14 09:16:00 1w3XkH-00000002aJ5-0eBF <= \"first last\"@example.org U=first last P=local S=812",
         "first last", "local", nil),
        ("2026-03-14 09:16:00 1w3XkH-00000002aJ5-0eBF <= a@example.org H=(client) [192.0.2.30] U=id ent two P=esmtp S=99 for b@example.net",
         "id ent two", "esmtp", "b@example.net"),
        ("2026-03-14 09:16:00 1w3XkH-00000002aJ5-0eBF <= a@example.org U=mailer P=local S=10 for b@example.net",
         "mailer", "local", "b@example.net"),
    ])
    func arrivalIdentWithSpaces(line: String, ident: String, proto: String, recipients: String?) throws {
        let store = try makeStore()
        let d = try parse(line, in: store).details()
        #expect(str(d[.U]) == ident)
        #expect(str(d[.P]) == proto)
        #expect(str(d.recipients) == recipients)
    }

    @Test("U= on other lines keeps to one word: a rejection after it is still found")
    func identOnRejection() throws {
        let store = try makeStore()
        let l = try parse("2026-03-14 09:16:01 U=mailer rejected connection in \"connect\" ACL", in: store)
        #expect(l.kind == .rejected)
        #expect(str(l.details()[.U]) == "mailer")
    }
}
