import CTermGuard
import Foundation
import Glibc
import StoremonCore
import StoremonSystem

/// Chooses the output for the command line and runs it: one frame (`--once`), JSON lines,
/// plain-text frames when stdout is not a terminal, or the live curses screen.
///
/// Every exit path goes through `run()`'s clean-up (the `--demo` spool is removed): a
/// polite or ending signal (SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1...) only sets a flag
/// that the loops poll, output errors (closed stdout, `/dev/full`, a reader that went away)
/// end the run with a message and exit code 1, and a write blocked on a full pipe still
/// sees the signal within 200 ms.
struct Runner {
    /// The parsed options.
    let options: RunOptions

    /// Runs storemon; returns the process exit code (0 ok, 1 runtime error).
    func run() -> Int32 {
        // From here on an ending signal only asks the loops to stop, so the clean-up runs.
        tg_set_graceful(1)
        tg_install(-1)
        let model: SessionModel
        do {
            model = try SessionModel.open(options)
        } catch {
            Runner.complain("\(error)")
            return Runner.endBySignalIfAsked(1)
        }
        defer { model.close() }
        // --metrics-listen: serve every snapshot as metrics while the monitor draws.
        let metrics: MetricsPublisher?
        do {
            metrics = try MetricsPublisher.start(monitorListen: options.metricsListen, model: model)
        } catch {
            FileHandleOutput.standardError("storemon: \(error)\n")
            return 1
        }
        defer { metrics?.stop() }
        // every output but the curses screen (whose `w` pane asks) lists the processes
        model.readsProcesses = options.once || options.json || isatty(1) == 0
        if options.once {
            do {
                let snapshot = try model.refresh()
                if tg_quit_requested() != 0 { model.close(); return Runner.endBySignalIfAsked(1) }
                try Runner.output(options.json ? model.jsonLine(snapshot) + "\n"
                                               : model.plainFrame(snapshot, wholeQueue: true))
                return 0
            } catch let e as OutputFailure {
                return outputFailed(e, model)
            } catch {
                Runner.complain("\(error)")
                return 1
            }
        }
        if options.json || isatty(1) == 0 {
            return streamFrames(model)
        }
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal(color: options.color)
        } catch {
            Runner.complain("\(error)")
            return 1
        }
        let outcome = MonitorScreen(model: model, terminal: terminal, explain: options.explain).run()
        terminal.close()
        switch outcome {
        case .quit: return 0
        case .inputEnded:
            Runner.complain("the terminal hung up (its input ended)")
            return 1
        case .failed(let why):
            Runner.complain(why)
            return 1
        case .signal(let signal):
            // an ending signal asked us to stop: clean up, then die by it as expected
            model.close()
            Runner.dieBy(signal)
            return 128 + signal
        }
    }

    /// Prints a JSON line (or a plain-text frame) per refresh until a signal stops it or the
    /// output fails.
    private func streamFrames(_ model: SessionModel) -> Int32 {
        while true {
            let snapshot: Snapshot
            do {
                snapshot = try model.refresh()
            } catch {
                Runner.complain("\(error)")
                return 1
            }
            do {
                try Runner.output(options.json ? model.jsonLine(snapshot) + "\n"
                                               : model.plainFrame(snapshot, wholeQueue: false) + "\n")
            } catch {
                return outputFailed(error, model)
            }
            if !Runner.pause(options.interval) { return 0 }
        }
    }

    /// A write to stdout failed or was cut short by a signal. Result: the exit code.
    private func outputFailed(_ failure: OutputFailure, _ model: SessionModel) -> Int32 {
        model.close()
        // SIGTERM/SIGINT while blocked on a full pipe: streaming ends as a signal ends it
        if case .stopped = failure { return options.once ? Runner.endBySignalIfAsked(1) : 0 }
        Runner.complain(failure.description)
        return 1
    }

    /// Sleeps `seconds` in steps of at most 0.2 s, so a quit request (SIGINT/SIGTERM) ends
    /// the wait at once. Returns false when a quit was requested (before, during or after).
    static func pause(_ seconds: Double) -> Bool {
        var remaining = seconds
        while remaining > 0 {
            if tg_quit_requested() != 0 { return false }
            let step = min(remaining, 0.2)
            usleep(useconds_t(step * 1_000_000))
            remaining -= step
        }
        return tg_quit_requested() == 0
    }

    /// Writes to stdout, giving up when a signal asks to stop.
    static func output(_ text: String) throws(OutputFailure) {
        try OutputChannel.standardOutput.write(text) {
            let s = tg_quit_requested()
            return s != 0 && s != SIGPIPE          // a broken pipe shows as EPIPE, with its message
        }
    }

    /// `storemon: message` on stderr, each line quoted for the terminal (paths and other
    /// command-line text may hold control characters).
    static func complain(_ message: String) {
        try? OutputChannel.standardError.write("storemon: " + quotedForTerminal(message) + "\n")
    }

    /// `text` with control, C1 and bidi characters escaped, line by line.
    static func quotedForTerminal(_ text: String) -> String {
        let quoter = TerminalQuoter()
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { quoter.quote(untainted: String($0)).string }.joined(separator: "\n")
    }

    /// After clean-up: if a signal asked to stop, dies by it; else returns `code`.
    static func endBySignalIfAsked(_ code: Int32) -> Int32 {
        let s = tg_quit_requested()
        if s != 0 { dieBy(s) }
        return code
    }

    /// Takes the default action of `signal` (for an ending signal: the process ends).
    static func dieBy(_ signal: Int32) {
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        raise(signal)
    }
}
