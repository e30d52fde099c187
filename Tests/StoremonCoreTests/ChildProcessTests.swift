import Foundation
import Glibc
import Testing
import StoremonCore

/// The one spawner: its input, output and termination modes, against real programs.
@Suite("Child process")
struct ChildProcessTests {
    /// Everything `fd` gives until end of file (blocking reads).
    static func readAll(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { usleep(10_000); continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func combinedModeGivesStdoutAndStderrOnOnePipe() throws {
        let r = try #require(ChildProcess.capture(["/bin/sh", "-c", "echo out; echo err >&2; exit 4"], timeout: 20))
        #expect(r.status == 4)
        let text = String(decoding: r.output, as: UTF8.self)
        #expect(text.contains("out\n") && text.contains("err\n"))
    }

    @Test func separateModeKeepsStderrApart() throws {
        let child = try ChildProcess(["/bin/sh", "-c", "echo out; echo err >&2"], outputs: .separate)
        let err = try #require(child.errorOutput)
        #expect(Self.readAll(child.output) == "out\n")
        #expect(Self.readAll(err) == "err\n")
        #expect(child.termination(waiting: true) == .exited(0))
    }

    @Test func standardInputIsNullOrInherited() throws {
        let ours = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/0")) ?? "?"
        let null = try ChildProcess(["/bin/readlink", "/proc/self/fd/0"], outputs: .separate)
        #expect(Self.readAll(null.output) == "/dev/null\n")
        let inherited = try ChildProcess(["/bin/readlink", "/proc/self/fd/0"], input: .inherited, outputs: .separate)
        #expect(Self.readAll(inherited.output) == ours + "\n")
        _ = null.termination(waiting: true); _ = inherited.termination(waiting: true)
    }

    @Test func aNameIsLookedUpInPathOnlyWhenAsked() throws {
        #expect(throws: ChildProcessError.self) { try ChildProcess(["storemon-no-such-program-\(getpid())"], searchingPath: true) }
        let found = try ChildProcess(["sh", "-c", "exit 3"], searchingPath: true)
        #expect(found.termination(waiting: true) == .exited(3))
        #expect(found.exitStatus(waiting: true) == 3)
    }

    @Test func aSignalIsReportedAsSuch() throws {
        let child = try ChildProcess(["/bin/sh", "-c", "kill -TERM $$"], outputs: .separate)
        let ended = child.termination(waiting: true)
        #expect(ended == .signalled(SIGTERM))
        #expect(ended?.description == "signal \(SIGTERM)" && ended?.code == 128 + SIGTERM)
        child.signal(SIGKILL)   // reaped: no signal goes to a pid that may be reused
    }

    @Test func environmentIsOursWithVariablesSetOverIt() throws {
        let dir = NSTemporaryDirectory() + "storemon-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/env.out"
        let child = try ChildProcess(["/usr/bin/env"], outputs: .files(stdout: out, stderr: out),
                                     environment: ["STOREMON_CHILD_TEST": "a=b c", "HOME": "/nowhere"])
        #expect(child.output == -1 && child.errorOutput == nil && child.outputFiles?.stdout == out)
        #expect(child.wait(timeout: 20) == .exited(0))
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.contains("STOREMON_CHILD_TEST=a=b c"))
        #expect(lines.filter { $0.hasPrefix("HOME=") } == ["HOME=/nowhere"])     // replaced, not doubled
        if let path = ProcessInfo.processInfo.environment["PATH"] { #expect(lines.contains("PATH=" + path)) }
    }

    @Test func outputsGoToFilesApartOrTogether() throws {
        let dir = NSTemporaryDirectory() + "storemon-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "old contents, longer than the new\n".write(toFile: dir + "/out", atomically: true, encoding: .utf8)
        let apart = try ChildProcess(["/bin/sh", "-c", "echo out; echo err >&2; exit 5"],
                                     outputs: .files(stdout: dir + "/out", stderr: dir + "/err"))
        #expect(apart.wait(timeout: 20) == .exited(5))
        #expect(try String(contentsOfFile: dir + "/out", encoding: .utf8) == "out\n")     // truncated first
        #expect(try String(contentsOfFile: dir + "/err", encoding: .utf8) == "err\n")
        let together = try ChildProcess(["/bin/sh", "-c", "echo one; echo two >&2; echo three"],
                                        outputs: .files(stdout: dir + "/both", stderr: dir + "/both"))
        #expect(together.drain(deadline: Date().addingTimeInterval(20)) { _ in }.status == 0)
        #expect(try String(contentsOfFile: dir + "/both", encoding: .utf8) == "one\ntwo\nthree\n")
        // a file that cannot be created: the start fails, nothing runs
        #expect(throws: ChildProcessError.self) {
            try ChildProcess(["/bin/true"], outputs: .files(stdout: dir + "/missing/out", stderr: dir + "/err"))
        }
    }

    @Test func inputFromAPipeTheCallerWritesAndCloses() throws {
        let child = try ChildProcess(["/bin/sh", "-c", "tr a-z A-Z; echo done"], input: .pipe, outputs: .separate)
        let input = try #require(child.input)
        #expect(input >= 0)
        #expect(child.writeInput(Array("hello\n".utf8)))
        child.closeInput()
        child.closeInput()                                        // later calls do nothing
        #expect(Self.readAll(child.output) == "HELLO\ndone\n")
        #expect(child.wait(timeout: 20) == .exited(0))
        #expect(!child.writeInput([1]))                           // closed: nothing written

        // a child that does not read: the write fails with EPIPE, no SIGPIPE kills the caller
        let deaf = try ChildProcess(["/bin/sh", "-c", "exec 0<&-; exit 0"], input: .pipe, outputs: .separate)
        #expect(deaf.wait(timeout: 20) == .exited(0))
        #expect(!deaf.writeInput([UInt8](repeating: 0x41, count: 1 << 17)))
    }

    @Test func waitAndStopWithATimeout() throws {
        let sleeper = try ChildProcess(["/bin/sleep", "30"], outputs: .separate)
        #expect(sleeper.pid > 0)
        let start = Date()
        #expect(sleeper.wait(timeout: 0.2) == nil)                 // still running
        #expect(Date().timeIntervalSince(start) >= 0.2)
        #expect(sleeper.stop(SIGTERM, timeout: 10) == .signalled(SIGTERM))
        #expect(sleeper.stop() == .signalled(SIGTERM))             // already ended: the same answer

        // a child that ignores SIGTERM is killed after the timeout: nil
        let stubborn = try ChildProcess(["/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"],
                                        outputs: .separate)
        var ready = [UInt8](repeating: 0, count: 6)
        _ = read(stubborn.output, &ready, 6)
        #expect(stubborn.stop(SIGTERM, timeout: 0.5) == nil)
        #expect(stubborn.termination(waiting: false) == .signalled(SIGKILL))
    }
}
