import ArgumentParser
import Foundation
import StoremonCore

/// `storemon [PATH]`: the live monitor of Exim-style memory pools on real mail traffic.
struct Storemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storemon",
        abstract: "Watch Exim's stacking memory pools at work on a mail server's log and queue.",
        discussion: """
            storemon follows Exim's main log and scans its queue. Every refresh reads the new \
            log lines into the tainted main pool, rescans the queue into the message pools, \
            draws a snapshot, and resets main to its mark, so the ten pool panes (each pool \
            beside its tainted twin) show Exim's store at work. storemon only reads: it never \
            writes, locks or removes anything in the spool or the logs.

            PATH is Exim's log directory (e.g. /var/spool/exim/log) or a main log file (any \
            name, datestamped ones included). Without PATH, storemon asks Exim for \
            log_file_path and falls back to /var/spool/exim/log. The queue is read from \
            --spool DIR, else from the log directory's parent when it holds input/, else \
            from `exim -bP spool_directory`.

            When stdout is not a terminal (and --json is not given), a plain-text frame, \
            80 columns wide, is printed at each refresh instead. Set NO_COLOR to draw \
            without colour.

            Keys: q/F10 quit, ?/h/F1 help, space/p pause, . step (run the next phase of a \
            refresh: mark, read log, queue, search, snapshot, reset), +/- interval, r refresh now and \
            clear the maxima, / search the log (n/N next/previous, Esc closes), Tab focus \
            (log, queue, processes), arrows/PgUp/PgDn/Home/End scroll or move the queue \
            selection, Left/Right scroll sideways, Enter open the selected message (b body, \
            l message log, Esc close), f freeze, t thaw, d deliver, g give up, x remove, \
            a add recipient, m mark delivered (each asks y/n), c pool panes full/one line per \
            pair/hidden, z zoom the focused pane, s stripcharts, w Exim processes, D dates, \
            I pids.

            Stripcharts (like eximon's): the queue size, the rate of log lines matching \
            eximon's four patterns (in ' <= ', out ' => ', local ' => .+ R=local', smtp \
            ' => .+ T=[^ ]*smtp') and each --stripchart, per refresh, auto-scaled 10, 20, \
            50, ... (the label's xN is one tenth of the scale), and the bytes each pool pair holds.

            Demos: `storemon --demo --explain` narrates each phase; `--poison` adds a stale \
            view kept across a reset, which then reads Exim's 0xF0 poison.

            Exit codes: 0 ok; 1 runtime error (e.g. an unreadable or missing path, an \
            unknown terminal); 2 usage error (bad option or value).

            Actions on messages run through Exim itself (exim -Mf, -Mt, -M, -Mg, -Mrm, -Mar, \
            -Mmd), only when the spool shown is the one `exim -bP spool_directory` names; \
            --read-only turns them off. `storemon show ID` prints one message.

            Permissions (Debian): a non-root user needs group adm to read /var/log/exim4 \
            and group Debian-exim to read the spool.
            """,
        version: "storemon \(ScreenRenderer.version)",
        subcommands: [Replay.self, Show.self, Export.self]
    )

    @Argument(help: ArgumentHelp("Exim's log directory or a main log file.", valueName: "PATH"))
    var path: String?

    @Option(name: .customLong("spool"), help: ArgumentHelp("Exim's spool directory (the one holding input/).", valueName: "DIR"))
    var spool: String?

    @Option(name: .customLong("queue"), help: ArgumentHelp("Show the named queue (spool/NAME/input).", valueName: "NAME"))
    var queue: String?

    @Option(name: .customLong("interval"), help: ArgumentHelp("Seconds between refreshes; fractions allowed.", valueName: "SECONDS"))
    var interval: Double = 2

    @Flag(name: .customLong("once"), help: "Read the whole log and queue, print one frame (or JSON) and exit.")
    var once = false

    @Flag(name: .customLong("json"), help: "Print JSON snapshots (one per refresh, one per line; with --once just one).")
    var json = false

    @Flag(name: .customLong("demo"), help: "Generate realistic Exim traffic in a temporary spool and monitor it.")
    var demo = false

    @Flag(name: .customLong("no-color"), help: "Draw without colour (also when NO_COLOR is set).")
    var noColor = false

    @Flag(name: .customLong("read-only"), help: "Never act on messages (no freeze, thaw, deliver, give up, remove, add recipient, mark delivered).")
    var readOnly = false

    @Option(name: .customLong("stripchart"), help: ArgumentHelp("Also chart the rate of log lines matching REGEX (repeatable; Swift Regex syntax, tried on the whole raw line).", valueName: "REGEX=TITLE"))
    var stripcharts: [String] = []

    @Option(name: .customLong("exim"), help: ArgumentHelp("The Exim binary that actions run (default: exim or exim4 in PATH, /usr/sbin, ...).", valueName: "PATH"))
    var eximBinary: String?

    @Option(name: .customLong("exim-config"), help: ArgumentHelp("Run actions (and -bP) with `-C FILE` (an alternate configuration Exim trusts).", valueName: "FILE"))
    var eximConfig: String?

    @Option(name: .customLong("metrics-listen"),
            help: ArgumentHelp("Also serve Prometheus metrics at http://HOST:PORT/metrics (see storemon export).",
                               valueName: "HOST:PORT"))
    var metricsListen: String?

    @Flag(name: .customLong("explain"), help: "Narrate the refresh cycle in plain words under the panes (for demos: p pauses, . steps one phase).")
    var explain = false

    @Flag(name: .customLong("poison"), help: "With --demo: fill memory that resets give back with 0xF0 (Exim's test-harness poisoning) and show a deliberately stale view reading it.")
    var poison = false

    mutating func validate() throws {
        for s in stripcharts {
            do { _ = try LogPatternChart(argument: s) } catch { throw ValidationError(error.description) }
        }
        guard interval.isFinite, interval >= 0.1, interval <= 3600 else {
            throw ValidationError("--interval must be between 0.1 and 3600 seconds (got \(interval))")
        }
        if poison && !demo {
            throw ValidationError("--poison is a demonstration: use it with --demo")
        }
        if demo && (path != nil || spool != nil) {
            throw ValidationError("--demo makes its own log and spool; do not combine it with PATH or --spool")
        }
    }

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let colorWanted = !noColor && (env["NO_COLOR"] ?? "").isEmpty
        let options = RunOptions(path: path, spool: spool, queue: queue, interval: interval,
                                 once: once, json: json, demo: demo, color: colorWanted, readOnly: readOnly,
                                 stripcharts: stripcharts.compactMap { try? LogPatternChart(argument: $0) },
                                 eximBinary: eximBinary, eximConfig: eximConfig, metricsListen: metricsListen,
                                 explain: explain, poison: poison)
        let code = Runner(options: options).run()
        if code != 0 { throw ExitCode(code) }
    }
}

/// The parsed command line, as plain values.
struct RunOptions: Sendable {
    /// PATH.
    var path: String?
    /// `--spool`.
    var spool: String?
    /// `--queue`.
    var queue: String?
    /// `--interval`.
    var interval: Double
    /// `--once`.
    var once: Bool
    /// `--json`.
    var json: Bool
    /// `--demo`.
    var demo: Bool
    /// Colour wanted (no `--no-color`, no `NO_COLOR`).
    var color: Bool
    /// `--read-only`: actions on messages are off.
    var readOnly = false
    /// `--stripchart`s, after eximon's four default log charts.
    var stripcharts: [LogPatternChart] = []
    /// `--exim`: the binary actions run.
    var eximBinary: String?
    /// `--exim-config`: `-C FILE` for actions.
    var eximConfig: String?
    /// `--metrics-listen`: also serve metrics there.
    var metricsListen: String? = nil
    /// Read the log from its first line, then follow it (`storemon export`).
    var wholeLog = false
    /// `--explain`: narrate the refresh phases.
    var explain = false
    /// `--poison` (with `--demo`): poisoned resets and a stale view across them.
    var poison = false
}
