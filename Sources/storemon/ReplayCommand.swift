import SystemPackage
import ArgumentParser
import Foundation
import EximTrace
import Store
import StoreReplay
import StoremonCore
#if canImport(Glibc)
import Glibc
#endif

/// `storemon replay TRACE|-` and `storemon replay --exec -- CMD ARGS…`: replays an
/// `exim -d+memory` trace with the one replay engine; `--check` verifies every figure,
/// the animated view (stdout a terminal) and the plain view show the same replay.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a real Exim's memory trace (exim -d+memory) and check every figure.",
        discussion: """
            TRACE is the debug output of exim -d+memory (stderr), or - for stdin, e.g.
              exim -d+memory+pid -bt user@example.com 2>&1 | storemon replay -
            When stdin is the trace, keys are read from the terminal (/dev/tty).
            --exec runs the command with -d+memory+pid added after its first word and replays its \
            debug output (stderr) live; the command's own stdout is shown after the records:
              storemon replay --exec -- exim4 -bt user@example.com

            --check replays without a screen as fast as possible and verifies every figure \
            on every memory line and every ----Exit block, side by side. Figures that rest on \
            start state no trace shows are marked "inferred" with what they rest on; figures no \
            trace can show are "not derivable" (never a match, never a mismatch). Exit code 1 if \
            anything differs, nothing was checked, or (without +pid) attribution was not decidable.

            Without --check the replay is animated in the monitor's pool panes (space pauses, \
            Right steps, +/- change the speed, Tab selects a process, q quits; at the end of the \
            trace the final state stays until q). When stdout is not a terminal each memory \
            record is printed with its process's pool figures instead. Use -d+memory+pid when \
            Exim forks: without it lines are attributed by consistency and the report says so.
            """)

    @Argument(help: ArgumentHelp("The trace file, or - for stdin.", valueName: "TRACE"))
    var trace: String?

    @Flag(name: .customLong("check"), help: "Verify every figure; no screen.")
    var check = false

    @Flag(name: .customLong("json"), help: "With --check: print the result as JSON.")
    var json = false

    @Flag(name: .customLong("exec"), help: "Run the command after -- with -d+memory+pid and replay it live.")
    var exec = false

    @Option(name: .customLong("speed"), help: ArgumentHelp("Records per second when stepping (0: no pause; default 50).", valueName: "N"))
    var speed: Double = 50

    @Argument(parsing: .postTerminator, help: ArgumentHelp("With --exec: the command and its arguments.", valueName: "CMD"))
    var command: [String] = []

    mutating func validate() throws {
        if json && !check { throw ValidationError("--json needs --check") }
        guard speed.isFinite, speed >= 0 else { throw ValidationError("--speed must be 0 or more (got \(speed))") }
        if exec {
            if command.isEmpty { throw ValidationError("--exec needs a command after --, e.g. --exec -- exim4 -bt user@example.com") }
            if trace != nil { throw ValidationError("give either TRACE or --exec -- CMD, not both") }
        } else {
            if trace == nil { throw ValidationError("missing TRACE (a file, or - for stdin), or --exec -- CMD") }
            if !command.isEmpty { throw ValidationError("arguments after -- need --exec") }
        }
    }

    func run() throws {
        let reader: TraceReader
        var child: TracedCommand?
        if exec {
            do { child = try TracedCommand(command) } catch {
                FileHandle.standardError.write(Data("storemon replay: \(TerminalText(untainted: "\(error)").string)\n".utf8))
                throw ExitCode(1)
            }
            reader = TraceReader(fileDescriptor: child!.traceFD)
        } else if trace == "-" {
            reader = TraceReader(fileDescriptor: 0)
        } else {
            do { reader = try TraceReader(path: trace!) } catch {
                FileHandle.standardError.write(Data("storemon replay: \(TerminalText(untainted: "\(error)").string)\n".utf8))
                throw ExitCode(1)
            }
        }
        let name = exec ? command.joined(separator: " ") : (trace == "-" ? "stdin" : trace!)
        var failed = false
        if check {
            let report = CheckReport.check(reader)
            print(json ? report.json() : report.text())
            failed = report.failed
        } else {
            let session = ReplaySession(reader: reader)
            var shown = false
            if ReplayScreen.isAvailable {
                // Keys come from the terminal itself when stdin carries the trace or belongs to the command.
                let keyboard = (exec || trace == "-") ? open("/dev/tty", O_RDONLY | O_CLOEXEC) : 0
                if keyboard < 0 {
                    FileHandle.standardError.write(Data("storemon replay: no terminal to read keys from (/dev/tty: \(Errno(rawValue: errno).description)); showing plain text\n".utf8))
                } else {
                    do {
                        try ReplayScreen.run(session, traceName: name, speed: speed, keyboard: keyboard,
                                             commandOutput: child.map { c in { c.outputLines() } })
                        shown = true
                        if keyboard != 0 { close(keyboard) }
                        let report = session.report
                        print(TerminalText(untainted: session.isFinished ? report.summary
                                                     : "stopped at line \(session.replay.currentLine): " + report.summary).string)
                        failed = session.isFinished && report.failed
                    } catch let e as StartError {
                        if keyboard != 0 { close(keyboard) }
                        FileHandle.standardError.write(Data("storemon replay: \(e.description); showing plain text\n".utf8))
                    }
                }
            }
            if !shown { failed = stepThrough(session) }
        }
        if let child {
            let status = child.finish()
            let out = child.outputLines()
            if !out.isEmpty {
                print("--- \(TerminalText(untainted: command[0]).string)'s standard output (\(child.outputLineCount) lines\(child.outputLineCount > out.count ? ", the last \(out.count) shown" : "")):")
                for l in out { print(TerminalText(untainted: l).string) }
            }
            print("--- \(TerminalText(untainted: command[0]).string) exited with \(status)")
        }
        if failed { throw ExitCode(1) }
    }

    /// The plain-text view (stdout not a terminal): one line per memory record with the
    /// process's pool figures (bytes in blocks per pool, 0…9), then the check summary; all
    /// trace text quoted. Returns whether the check failed.
    private func stepThrough(_ session: ReplaySession) -> Bool {
        let pause = speed > 0 ? UInt32(min(1_000_000, 1_000_000 / speed)) : 0
        while session.stepMemory() != nil {
            guard let r = session.replay.currentSummary else { continue }
            var line = "line \(r.line)"
            if let pid = r.pid { line += " [\(pid)]" }
            line += " \(r.operation)"
            if let p = r.pool { line += " pool \(p)" }
            if let f = r.function { line += " \(f):\(r.sourceLine ?? 0)" }
            if let p = session.replay.currentProcessSnapshot {
                line += " | " + p.pools.map { String($0.bytes) }.joined(separator: " ")
                line += " | pool \(p.poolTotal.map(String.init) ?? "?") nonpool \(p.nonpoolTotal.map(String.init) ?? "?")"
            }
            print(TerminalText(untainted: line).string)
            if pause > 0 { usleep(pause) }
        }
        let report = session.report
        print(TerminalText(untainted: report.summary).string)
        return report.failed
    }
}

/// `--exec`: the command run with `-d+memory+pid` after its first word (a name looked up in
/// `PATH`, as a shell would), started by the one spawner, `ChildProcess`: stdin is ours (for
/// `exim -bs`), stderr (the trace) is a pipe the replay reads, stdout is drained into a
/// bounded buffer of lines by a thread.
final class TracedCommand: @unchecked Sendable {
    private let child: ChildProcess
    /// The read end of the command's stderr.
    var traceFD: Int32 { child.errorOutput! }
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial: [UInt8] = []
    private(set) var outputLineCount = 0
    private let drained = DispatchSemaphore(value: 0)
    static let keptOutputLines = 1000

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ command: [String]) throws {
        let argv = [command[0], "-d+memory+pid"] + command.dropFirst()
        do {
            child = try ChildProcess(argv, input: .inherited, outputs: .separate, searchingPath: true)
        } catch {
            throw SpawnError(description: "cannot run \(command[0]): \(error.reason)")
        }
        let t = Thread { [self] in self.drain() }
        t.start()
    }

    private func drain() {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            lock.lock()
            for b in buf[0..<n] {
                if b == 0x0A { add(partial); partial.removeAll(keepingCapacity: true) } else if partial.count < 4096 { partial.append(b) }
            }
            lock.unlock()
        }
        lock.lock()
        if !partial.isEmpty { add(partial); partial = [] }
        lock.unlock()
        child.closeOutput()
        drained.signal()
    }

    private func add(_ bytes: [UInt8]) {
        outputLineCount += 1
        lines.append(String(decoding: bytes, as: UTF8.self))
        if lines.count > Self.keptOutputLines { lines.removeFirst(lines.count - Self.keptOutputLines) }
    }

    /// The command's stdout lines so far (the last `keptOutputLines`).
    func outputLines() -> [String] {
        lock.lock(); defer { lock.unlock() }
        return lines
    }

    /// Stops reading the trace, waits for the command and describes how it ended
    /// ("status N" or "signal N").
    func finish() -> String {
        child.closeErrorOutput()
        let ended = child.termination(waiting: true)
        _ = drained.wait(timeout: .now() + 5)
        return ended?.description ?? "status unknown (already reaped)"
    }
}
