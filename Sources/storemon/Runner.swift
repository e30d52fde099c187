import CTermGuard
import Foundation
import Glibc
import StoremonCore

/// Chooses the output for the command line and runs it: one frame (`--once`), JSON lines,
/// plain-text frames when stdout is not a terminal, or the live curses screen.
struct Runner {
    /// The parsed options.
    let options: RunOptions

    /// Runs storemon; returns the process exit code (0 ok, 1 runtime error).
    func run() -> Int32 {
        let model: SessionModel
        do {
            model = try SessionModel.open(options)
        } catch {
            FileHandleOutput.standardError("storemon: \(error)\n")
            return 1
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
        if options.once {
            do {
                let snapshot = try model.refresh()
                FileHandleOutput.standardOutput(options.json ? model.jsonLine(snapshot) + "\n"
                                                             : model.plainFrame(snapshot, wholeQueue: true))
                return 0
            } catch {
                FileHandleOutput.standardError("storemon: \(error)\n")
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
            FileHandleOutput.standardError("storemon: \(error)\n")
            return 1
        }
        let outcome = MonitorScreen(model: model, terminal: terminal, explain: options.explain).run()
        terminal.close()
        switch outcome {
        case .quit: return 0
        case .failed(let why):
            FileHandleOutput.standardError("storemon: \(why)\n")
            return 1
        case .signal(let signal):
            // a polite signal asked us to stop: clean up, then die by it as expected
            model.close()
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
            return 128 + signal
        }
    }

    /// Prints a JSON line (or a plain-text frame) per refresh until a signal stops it.
    private func streamFrames(_ model: SessionModel) -> Int32 {
        installPoliteSignals()
        while true {
            let snapshot: Snapshot
            do {
                snapshot = try model.refresh()
            } catch {
                FileHandleOutput.standardError("storemon: \(error)\n")
                return 1
            }
            FileHandleOutput.standardOutput(options.json ? model.jsonLine(snapshot) + "\n"
                                                         : model.plainFrame(snapshot, wholeQueue: false) + "\n")
            var remaining = options.interval
            while remaining > 0 {
                if tg_quit_requested() != 0 { return 0 }
                let step = min(remaining, 0.2)
                usleep(useconds_t(step * 1_000_000))
                remaining -= step
            }
            if tg_quit_requested() != 0 { return 0 }
        }
    }

    /// SIGINT/SIGTERM/SIGHUP end the stream loop cleanly (the demo spool gets removed).
    private func installPoliteSignals() {
        tg_set_graceful(1)
        tg_install(-1)
    }
}
