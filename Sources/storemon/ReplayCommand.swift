import ArgumentParser
import Foundation
import EximTrace
import Store
import StoreReplay
#if canImport(Glibc)
import Glibc
#endif

/// `storemon replay TRACE|-`: replays an `exim -d+memory` trace through the Store,
/// one store per Exim process; with `--check`, verifies every figure Exim printed.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a real Exim's memory trace (exim -d+memory) through the Store.",
        discussion: """
            TRACE is the debug output of exim -d+memory (stderr), or - for stdin, e.g.
              exim -d+memory -bt user@example.com 2>&1 | storemon replay -
            Use -d+memory+pid when Exim forks, so every line names its process.

            --check replays without a screen as fast as possible and verifies every figure \
            on every memory line (the Get address within its block, Rst/Rel byte counts, \
            the running pool and nonpool totals, --Malloc sizes) and every ----Exit block, \
            side by side. Figures that rest on a start value no trace shows are marked \
            "inferred". Exit code 1 if anything differs.

            Without --check the replay is animated in the monitor's pool panes (space pauses, \
            Right steps, +/- change the speed, Tab selects a process); when stdout is not a \
            terminal each memory record is printed with the process's pool figures instead. \
            --speed sets records per second (0: as fast as possible).
            """)

    @Argument(help: ArgumentHelp("The trace file, or - for stdin.", valueName: "TRACE"))
    var trace: String

    @Flag(name: .customLong("check"), help: "Verify every figure against the Store; no screen.")
    var check = false

    @Flag(name: .customLong("json"), help: "With --check: print the result as JSON.")
    var json = false

    @Option(name: .customLong("speed"), help: ArgumentHelp("Records per second when stepping (0: no pause; default 50).", valueName: "N"))
    var speed: Double = 50

    mutating func validate() throws {
        if json && !check { throw ValidationError("--json needs --check") }
        guard speed.isFinite, speed >= 0 else { throw ValidationError("--speed must be 0 or more (got \(speed))") }
    }

    func run() throws {
        let reader: TraceReader
        if trace == "-" {
            reader = TraceReader(fileDescriptor: 0)
        } else {
            do { reader = try TraceReader(path: trace) } catch {
                // A runtime error (exit 1), not a usage error.
                FileHandle.standardError.write(Data("storemon replay: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        if check {
            let report = CheckReport.check(reader)
            print(json ? report.json() : report.text())
            if report.failed { throw ExitCode(1) }
            return
        }
        let session = ReplaySession(reader: reader)
        if ReplayScreen.isAvailable {
            do {
                try ReplayScreen.run(session, traceName: trace == "-" ? "stdin" : trace, speed: speed)
                let report = session.report
                print(session.isFinished ? report.summary : "stopped at line \(session.replay.currentLine): " + report.summary)
                if session.isFinished && report.failed { throw ExitCode(1) }
                return
            } catch let e as StartError {
                // No usable terminal: say why and step through as plain text instead.
                FileHandle.standardError.write(Data("storemon replay: \(e.description); showing plain text\n".utf8))
            }
        }
        try stepThrough(session)
    }

    /// The plain-text stepping view (stdout not a terminal): one line per memory record with the process's
    /// pool figures (bytes in blocks per pool, 0…9), then the check summary.
    private func stepThrough(_ session: ReplaySession) throws {
        let pause = speed > 0 ? UInt32(min(1_000_000, 1_000_000 / speed)) : 0
        while session.stepMemory() != nil {
            guard let step = session.current else { continue }
            var line = "line \(step.record.line)"
            if let pid = step.pid { line += " [\(pid)]" }
            line += " \(step.operation)"
            if let p = step.pool { line += " pool \(p)" }
            if let s = step.site { line += " \(Self.visible(s.function)):\(s.line)" }
            if let store = step.process?.store {
                let st = store.statistics()
                line += " | " + st.pools.map { String($0.bytes) }.joined(separator: " ")
                line += " | pool \(st.poolMalloc) nonpool \(st.nonpoolMalloc)"
            }
            print(line)
            if pause > 0 { usleep(pause) }
        }
        print(session.report.summary)
        if session.report.failed { throw ExitCode(1) }
    }

    /// Trace text with control bytes made visible (a trace is untrusted input).
    static func visible(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }
}
