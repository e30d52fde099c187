import FixtureSupport
import Foundation
import RealEximSupport
import Testing

/// The monitor's action keys against Debian's real Exim (installed when absent): a message
/// queued with `-odq` on a private `-C` spool, frozen and thawed with `f`/`t` in the live
/// screen, each result checked with `exim -bp` and on the screen's queue.
@Suite(.serialized, .enabled(if: TestSupport.hasTmux || TestSupport.inCI,
                             "tmux is not installed (`apt-get install tmux`; in CI a missing tmux fails instead)"))
struct RealEximActionsInTmuxTests {
    @Test func freezeAndThawWithTheRealExim() throws {
        let exim = try RealExim()
        defer { exim.remove() }
        let id = try exim.queue(from: "alice@storemon.test", to: ["bob@storemon.test"], subject: "screen actions")
        let tmux = try TmuxHarness(width: 140, height: 40)
        defer { tmux.close() }
        try tmux.runInShell("\(shellQuoted(TestSupport.storemon.path)) --interval 0.5 --spool \(shellQuoted(exim.spool)) --exim \(shellQuoted(exim.binary)) --exim-config \(shellQuoted(exim.configFile)) \(shellQuoted(exim.spool + "/log"))")
        func expectScreen(_ what: String, seconds: Double = 10, _ p: (String) -> Bool) {
            #expect(tmux.waitFor(seconds: seconds, p) != nil, "\(what):\n\(tmux.capture())")
        }
        expectScreen("no first frame") { $0.contains(id) && $0.contains("Queue") }
        try tmux.send("Tab")
        expectScreen("actions not offered for the real Exim's own spool") { $0.contains("f t d g x a m act") && $0.contains("1/1") }
        try tmux.send("f")
        expectScreen("no question") { $0.contains("freeze \(id)? y/n") }
        try tmux.send("y")
        expectScreen("no freeze result, or the queue does not show it") {
            $0.contains("freeze \(id): Message \(id) is now frozen") && $0.contains("*** frozen ***")
        }
        #expect(exim.entry(id)?.contains("*** frozen ***") == true, "exim -bp: \(exim.listing())")
        try tmux.send("t")
        try tmux.send("y")
        expectScreen("no thaw result, or the queue still shows it frozen") {
            $0.contains("thaw \(id): Message \(id) is no longer frozen") && !$0.contains("*** frozen ***")
        }
        #expect(exim.entry(id)?.contains("*** frozen ***") == false, "exim -bp: \(exim.listing())")
        // the overlay shows the message as Exim has it
        try tmux.send("Enter")
        expectScreen("no overlay") { $0.contains("Message \(id)") && $0.contains("<alice@storemon.test>") && $0.contains("bob@storemon.test") }
        try tmux.send("Escape")
        try tmux.send("q")
        #expect(tmux.waitForDisplay("#{alternate_on}", equals: "0"))
    }
}
