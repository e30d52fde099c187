import EximSpool
import FixtureSupport
import RealEximSupport
import Foundation
import Store
import StoremonCore
import Testing

/// The action layer against Debian's real Exim (installed when absent): messages queued
/// with `-odq` on a private spool, acted on through `EximActions`, each result checked
/// with `exim -bp` / `exim -Mvh` and with storemon's own reader. Only ids this test made
/// are touched, on a spool no one else uses.
@Suite("Actions through a real Exim", .serialized)
struct EximActionsRealTests {
    static func view(_ exim: RealExim, _ id: String) throws -> MessageView {
        try MessageView.read(id: id, spoolDirectory: exim.spool, now: Int(Date().timeIntervalSince1970))
    }

    @Test("freeze, thaw, add recipient, mark delivered: exim -bp and storemon's reader agree")
    func freezeThawRecipients() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let id = try exim.queue(from: "alice@storemon.test", to: ["bob@storemon.test"], subject: "actions 1")
        let actions = EximActions(spoolDirectory: exim.spool, readOnly: false, binary: exim.binary, configFile: exim.configFile)
        #expect(actions.availability == .allowed(binary: exim.binary))
        let mid = try #require(MessageID(id))

        let frozen = try actions.run(.freeze, on: mid)
        #expect(frozen.succeeded, "\(frozen.output.map(\.string))")
        #expect(frozen.commandLine == [exim.binary, "-C", exim.configFile, "-Mf", id])
        #expect(frozen.summary.string.contains("is now frozen"))
        #expect(exim.entry(id)?.contains("*** frozen ***") == true)
        #expect(try Self.view(exim, id).envelope.isFrozen)

        let thawed = try actions.run(.thaw, on: mid)
        #expect(thawed.succeeded)
        #expect(exim.entry(id)?.contains("*** frozen ***") == false)
        #expect(try !Self.view(exim, id).envelope.isFrozen)

        let added = try actions.run(.addRecipient("carol@storemon.test"), on: mid)
        #expect(added.succeeded, "\(added.output.map(\.string))")
        #expect(exim.entry(id)?.contains("\n          carol@storemon.test") == true)
        #expect(exim.exim(["-Mvh", id]).1.contains("\ncarol@storemon.test\n"))

        let marked = try actions.run(.markDelivered("bob@storemon.test"), on: mid)
        #expect(marked.succeeded)
        #expect(exim.entry(id)?.contains("\n        D bob@storemon.test") == true)
        let v = try Self.view(exim, id)
        #expect(v.pending.map { TerminalQuoter().quote($0.address).string } == ["carol@storemon.test"])
        #expect(v.delivered.map { TerminalQuoter().quote($0.address).string } == ["bob@storemon.test"])

        // Exim's own refusal is reported, not hidden: a recipient the message does not have.
        let wrong = try actions.run(.markDelivered("nobody-here@storemon.test"), on: mid)
        #expect(!wrong.succeeded)
        #expect(wrong.summary.string.contains("failed (exit"))
    }

    @Test("deliver now streams Exim's output and the message reaches the mailbox")
    func deliverNow() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let id = try exim.queue(from: "alice@storemon.test", to: ["dave@storemon.test"], subject: "deliver me \(getpid())")
        let actions = EximActions(spoolDirectory: exim.spool, readOnly: false, binary: exim.binary, configFile: exim.configFile)
        var streamed: [String] = []
        let result = try actions.run(.deliver, on: MessageID(id)!) { streamed.append($0.string) }
        #expect(result.succeeded, "\(result.output.map(\.string))")
        #expect(result.commandLine.suffix(3) == ["-v", "-M", id])
        #expect(streamed == result.output.map(\.string))
        #expect(streamed.contains { $0.contains("delivering \(id)") })
        #expect(streamed.contains { $0.contains("=> dave") && $0.contains("T=mailbox") })
        #expect(exim.entry(id) == nil)
        let mail = try String(contentsOfFile: exim.mailbox, encoding: .utf8)
        #expect(mail.contains("Subject: deliver me \(getpid())"))
        #expect(throws: MessageViewError.self) { try Self.view(exim, id) }
    }

    @Test("give up sends a bounce; remove deletes without one")
    func giveUpAndRemove() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let a = try exim.queue(from: "alice@storemon.test", to: ["erin@storemon.test"], subject: "give up")
        let b = try exim.queue(from: "alice@storemon.test", to: ["frank@storemon.test"], subject: "remove")
        let actions = EximActions(spoolDirectory: exim.spool, readOnly: false, binary: exim.binary, configFile: exim.configFile)

        let gaveUp = try actions.run(.giveUp, on: MessageID(a)!)
        #expect(gaveUp.succeeded, "\(gaveUp.output.map(\.string))")
        #expect(exim.entry(a) == nil)
        // queue_only: the bounce to the sender waits on the queue, from <>.
        let listing = exim.listing()
        #expect(listing.contains(" <>\n") && listing.contains("alice@storemon.test"))
        let bounce = try #require(exim.ids().first { $0 != a && $0 != b })
        #expect(try Self.view(exim, bounce).envelope.isBounce)

        let removed = try actions.run(.remove, on: MessageID(b)!)
        #expect(removed.succeeded)
        #expect(exim.entry(b) == nil)
        #expect(Set(exim.ids()) == [bounce])   // no second bounce
    }

    @Test("actions are off for another spool, with --read-only, and for unusable addresses")
    func refusals() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let id = try exim.queue(from: "alice@storemon.test", to: ["bob@storemon.test"], subject: "refusals")
        let mid = try #require(MessageID(id))
        let elsewhere = EximActions(spoolDirectory: exim.directory + "/mail", readOnly: false,
                                    binary: exim.binary, configFile: exim.configFile)
        let reason = try #require(elsewhere.availability.reason)
        #expect(reason.contains(exim.directory + "/mail") && reason.contains(exim.spool))
        #expect(throws: EximActionError.disabled(reason)) { try elsewhere.run(.freeze, on: mid) }

        let readOnly = EximActions(spoolDirectory: exim.spool, readOnly: true, binary: exim.binary, configFile: exim.configFile)
        #expect(readOnly.availability.reason?.contains("--read-only") == true)
        #expect(throws: EximActionError.self) { try readOnly.run(.remove, on: mid) }

        let actions = EximActions(spoolDirectory: exim.spool + "/", readOnly: false, binary: exim.binary, configFile: exim.configFile)
        #expect(actions.availability == .allowed(binary: exim.binary), "a trailing slash is the same spool")
        #expect(throws: EximActionError.badAddress("an address cannot start with -")) {
            try actions.run(.addRecipient("-oMr x"), on: mid)
        }
        #expect(throws: EximActionError.self) { try actions.run(.addRecipient("a@b\nc"), on: mid) }
        #expect(exim.entry(id)?.contains("*** frozen ***") == false, "nothing ran")
    }

    @Test("a named queue: actions carry -qGNAME; Exim's own refusal is the result where it has one")
    func namedQueue() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let id = try exim.queueInFerry(from: "alice@storemon.test", to: "ferry-a@storemon.test", subject: "ferry")
        #expect(exim.entry(id, queue: "ferry") != nil && exim.entry(id) == nil)
        let mid = try #require(MessageID(id))
        let actions = EximActions(spoolDirectory: exim.spool, queueName: "ferry", readOnly: false,
                                  binary: exim.binary, configFile: exim.configFile)
        let frozen = try actions.run(.freeze, on: mid)
        #expect(frozen.commandLine == [exim.binary, "-C", exim.configFile, "-qGferry", "-Mf", id])
        #expect(frozen.succeeded, "\(frozen.output.map(\.string))")
        #expect(exim.entry(id, queue: "ferry")?.contains("*** frozen ***") == true)
        let v = try MessageView.read(id: id, spoolDirectory: exim.spool, queueName: "ferry", now: Int(Date().timeIntervalSince1970))
        #expect(v.envelope.isFrozen)
        // Exim 4.96 refuses -Mar with -qG ("incompatible command-line options"); a later
        // Exim may accept it. Either way the result says what Exim did.
        let added = try actions.run(.addRecipient("ferry-b@storemon.test"), on: mid)
        let listed = exim.entry(id, queue: "ferry") ?? ""
        #expect(added.succeeded == listed.contains("ferry-b@storemon.test"), "\(added.summary.string)")
        let delivered = try actions.run(.deliver, on: mid)
        #expect(delivered.succeeded, "\(delivered.output.map(\.string))")
        #expect(exim.entry(id, queue: "ferry") == nil)
        #expect(try String(contentsOfFile: exim.mailbox, encoding: .utf8).contains("Subject: ferry"))
    }
}
