import EximSpool
import FixtureSupport
import Foundation
import Store
import StoremonCore
import Testing

/// The action layer's own rules, with a stand-in `exim` script (the real Exim is in
/// `EximActionsRealTests`): arguments arrive verbatim (no shell), output is quoted, a
/// hanging command is stopped, and the reasons for refusing are clear.
@Suite("Action layer")
struct EximActionsTests {
    /// Writes an executable stand-in for Exim: `-bP spool_directory` answers `spool`;
    /// anything else runs `body` (a shell script fragment; "$@" are the arguments).
    static func fakeExim(spool: String, body: String) throws -> (dir: String, path: String) {
        let dir = try Fixtures.temporaryDirectory("fake-exim")
        let path = dir + "/exim"
        let script = """
            #!/bin/sh
            if [ "$1" = "-bP" ]; then echo "spool_directory = \(spool)"; exit 0; fi
            \(body)
            """
        // Written through a close-on-exec descriptor: a descriptor inherited by a program
        // another test starts meanwhile would keep the script "text file busy".
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        _ = Array(script.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        chmod(path, 0o755)
        return (dir, path)
    }

    static let id = MessageID("1xWd9D-0006xR-10")!

    @Test("each action's arguments, as eximon runs them")
    func arguments() {
        #expect(EximAction.freeze.arguments(id: Self.id) == ["-Mf", "1xWd9D-0006xR-10"])
        #expect(EximAction.thaw.arguments(id: Self.id) == ["-Mt", "1xWd9D-0006xR-10"])
        #expect(EximAction.deliver.arguments(id: Self.id) == ["-v", "-M", "1xWd9D-0006xR-10"])
        #expect(EximAction.giveUp.arguments(id: Self.id) == ["-Mg", "1xWd9D-0006xR-10"])
        #expect(EximAction.remove.arguments(id: Self.id) == ["-Mrm", "1xWd9D-0006xR-10"])
        #expect(EximAction.addRecipient("a@b").arguments(id: Self.id) == ["-Mar", "1xWd9D-0006xR-10", "a@b"])
        #expect(EximAction.markDelivered("a@b").arguments(id: Self.id) == ["-Mmd", "1xWd9D-0006xR-10", "a@b"])
        #expect(EximAction.remove.isIrreversible && EximAction.giveUp.isIrreversible && !EximAction.freeze.isIrreversible)
    }

    @Test("an address with shell syntax reaches Exim as one argument, untouched; output is quoted")
    func noShell() throws {
        let spool = try Fixtures.temporaryDirectory("fake-spool")
        defer { Fixtures.remove(spool) }
        let (dir, exe) = try Self.fakeExim(spool: spool, body: """
            for a in "$@"; do printf '[%s]\\n' "$a"; done
            printf 'evil \\033[2J\\n'
            """)
        defer { Fixtures.remove(dir) }
        let actions = EximActions(spoolDirectory: spool, readOnly: false, binary: exe)
        #expect(actions.availability == .allowed(binary: exe))
        let address = "\"x; touch \(dir)/pwned $(id)\"@storemon.test"
        let r = try actions.run(.addRecipient(address), on: Self.id)
        #expect(r.succeeded)
        #expect(r.output.map(\.string) == ["[-Mar]", "[1xWd9D-0006xR-10]", "[" + address + "]", "evil \\x1b[2J"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/pwned"))
    }

    @Test("a failing command reports its exit status and last line")
    func failure() throws {
        let spool = try Fixtures.temporaryDirectory("fake-spool")
        defer { Fixtures.remove(spool) }
        let (dir, exe) = try Self.fakeExim(spool: spool, body: "echo 'exim: message 1xWd9D-0006xR-10 is not frozen' >&2; exit 1")
        defer { Fixtures.remove(dir) }
        let r = try EximActions(spoolDirectory: spool, readOnly: false, binary: exe).run(.thaw, on: Self.id)
        #expect(!r.succeeded && r.exitStatus == 1)
        #expect(r.summary.string == "thaw 1xWd9D-0006xR-10: failed (exit 1): exim: message 1xWd9D-0006xR-10 is not frozen")
    }

    @Test("a command that hangs is stopped after its time limit")
    func timeout() throws {
        let spool = try Fixtures.temporaryDirectory("fake-spool")
        defer { Fixtures.remove(spool) }
        let (dir, exe) = try Self.fakeExim(spool: spool, body: "echo started; exec sleep 30")
        defer { Fixtures.remove(dir) }
        let start = Date()
        let r = try EximActions(spoolDirectory: spool, readOnly: false, binary: exe).run(.deliver, on: Self.id, timeout: 0.5)
        #expect(r.timedOut && !r.succeeded)
        #expect(r.output.map(\.string) == ["started"])
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test("refusal reasons: no binary, no answer, another spool, read-only")
    func reasons() throws {
        let none = EximActions(spoolDirectory: "/var/spool/exim", readOnly: false, binary: "/nonexistent/exim")
        #expect(none.availability.reason == "/nonexistent/exim is not an executable file")
        let found = EximActions(spoolDirectory: "/var/spool/exim", readOnly: false)
        #expect(found.binary == nil || found.binary!.hasSuffix("/exim") || found.binary!.hasSuffix("/exim4"))
        let spool = try Fixtures.temporaryDirectory("fake-spool")
        defer { Fixtures.remove(spool) }
        let (dir, exe) = try Self.fakeExim(spool: spool, body: "exit 0")
        defer { Fixtures.remove(dir) }
        let silent = EximActions(spoolDirectory: spool, readOnly: false, binary: exe, settings: NoExim())
        #expect(silent.availability.reason?.contains("-bP spool_directory` gave no answer") == true)
        let other = EximActions(spoolDirectory: "/tmp", readOnly: false, binary: exe)
        #expect(other.availability.reason == "the spool shown (/tmp) is not the one \(exe) uses (\(spool)); actions would not reach these messages")
        let ro = EximActions(spoolDirectory: spool, readOnly: true, binary: exe)
        #expect(ro.availability == .disabled(reason: "read-only (--read-only): actions are off"))
        // A symbolic link to the same spool is the same spool.
        let link = dir + "/spool-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: spool)
        #expect(EximActions(spoolDirectory: link, readOnly: false, binary: exe).availability == .allowed(binary: exe))
    }

    @Test("a background run hands over lines as they come and the result at the end")
    func background() throws {
        let spool = try Fixtures.temporaryDirectory("fake-spool")
        defer { Fixtures.remove(spool) }
        let (dir, exe) = try Self.fakeExim(spool: spool, body: "echo one; sleep 0.3; echo two; exit 3")
        defer { Fixtures.remove(dir) }
        let run = EximActions(spoolDirectory: spool, readOnly: false, binary: exe).start(.deliver, on: Self.id)
        var seen: [String] = []
        let deadline = Date().addingTimeInterval(10)
        while !run.isFinished && Date() < deadline {
            seen += run.takeLines().map(\.string)
            usleep(20_000)
        }
        seen += run.takeLines().map(\.string)
        #expect(seen == ["one", "two"])
        let result = try #require(try run.wait(timeout: 1)?.get())
        #expect(result.exitStatus == 3 && !result.succeeded)
        // Refused actions end at once with the reason.
        let refused = EximActions(spoolDirectory: spool, readOnly: true, binary: exe).start(.freeze, on: Self.id)
        guard case .failure(.disabled(let why))? = refused.wait(timeout: 5) else {
            Issue.record("a read-only start ran")
            return
        }
        #expect(why.contains("--read-only"))
    }

    @Test("a process Exim leaves behind holding the pipe does not keep the result waiting")
    func leftBehind() throws {
        let spool = try Fixtures.temporaryDirectory("fake-spool")
        defer { Fixtures.remove(spool) }
        let (dir, exe) = try Self.fakeExim(spool: spool, body: "echo done; sleep 12 & exit 0")
        defer { Fixtures.remove(dir) }
        let start = Date()
        let r = try EximActions(spoolDirectory: spool, readOnly: false, binary: exe).run(.freeze, on: Self.id)
        #expect(r.succeeded && r.output.map(\.string) == ["done"])
        #expect(Date().timeIntervalSince(start) < 6, "the left-behind sleep (12 s) was waited for")
    }
}
