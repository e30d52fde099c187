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
}
