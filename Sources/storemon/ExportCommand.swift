import ArgumentParser
import CTermGuard
import Foundation
import Glibc
import StoremonCore
import StoremonExport

/// `storemon export`: the monitor's refresh cycle without a screen, publishing Prometheus
/// metrics over HTTP (`--listen`) and/or into a node_exporter textfile (`--textfile`).
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Serve Exim's queue and log figures and storemon's pools as Prometheus metrics.",
        discussion: """
            Runs the monitor's refresh cycle (mark, read the log, rescan the queue, snapshot, \
            reset) every --interval seconds without a screen, and publishes each snapshot as \
            Prometheus metrics: at http://HOST:PORT/metrics (the text format, or OpenMetrics \
            when the scraper's Accept header asks for it; an index at /), and/or in FILE for \
            node_exporter's textfile collector, replaced atomically at every refresh. The log \
            counters count the whole current log from its first line, then every new line.

            PATH, --spool and --queue are found as for the monitor (see storemon --help).

            --listen defaults to 127.0.0.1:\(ListenAddress.defaultPort) (exim_exporter has 9636; \
            9637 lets both run side by side). With --textfile alone nothing listens; give \
            --listen too for both. Port 0 picks a free port; the address bound is printed on \
            stderr. --once prints one exposition on stdout (or writes FILE) and exits.

            SIGTERM and SIGINT stop the exporter cleanly (exit 0). Exit codes: 0 ok; 1 runtime \
            error (an address in use or not valid, an unreadable path, a textfile that cannot \
            be written); 2 usage error.
            """)

    @Argument(help: ArgumentHelp("Exim's log directory or a main log file.", valueName: "PATH"))
    var path: String?

    @Option(name: .customLong("spool"), help: ArgumentHelp("Exim's spool directory (the one holding input/).", valueName: "DIR"))
    var spool: String?

    @Option(name: .customLong("queue"), help: ArgumentHelp("Export the named queue (spool/NAME/input).", valueName: "NAME"))
    var queue: String?

    @Option(name: .customLong("listen"),
            help: ArgumentHelp("Serve /metrics on this address (default 127.0.0.1:\(ListenAddress.defaultPort)).",
                               valueName: "HOST:PORT"))
    var listen: String?

    @Option(name: .customLong("textfile"),
            help: ArgumentHelp("Write the metrics to FILE (atomically) for node_exporter's textfile collector.",
                               valueName: "FILE"))
    var textfile: String?

    @Option(name: .customLong("interval"), help: ArgumentHelp("Seconds between refreshes; fractions allowed.", valueName: "SECONDS"))
    var interval: Double = 15

    @Flag(name: .customLong("once"), help: "Refresh once, print the metrics (or write --textfile) and exit.")
    var once = false

    mutating func validate() throws {
        guard interval.isFinite, interval >= 0.1, interval <= 3600 else {
            throw ValidationError("--interval must be between 0.1 and 3600 seconds (got \(interval))")
        }
        if once && listen != nil {
            throw ValidationError("--once prints the metrics and exits; it does not combine with --listen")
        }
        if let textfile, textfile.isEmpty || textfile.hasSuffix("/") {
            throw ValidationError("--textfile needs a file name (e.g. /var/lib/prometheus/node-exporter/storemon.prom)")
        }
    }

    func run() throws {
        let code = ExportRunner(export: self).run()
        if code != 0 { throw ExitCode(code) }
    }
}

/// The exporter's loop: refresh, publish, write the textfile, sleep; until a signal.
struct ExportRunner {
    /// The parsed command line.
    let export: Export

    /// Runs the exporter; returns the exit code.
    func run() -> Int32 {
        // A scraper that hangs up must not kill us; signals only ask the loop to stop.
        signal(SIGPIPE, SIG_IGN)
        tg_set_graceful(1)
        tg_install(-1)

        // The address first: a port in use is reported before any log is read.
        var listen: ListenAddress?
        if let text = export.listen ?? (export.textfile == nil && !export.once ? ListenAddress.default.description : nil) {
            do {
                listen = try ListenAddress(parsing: text)
            } catch {
                return fail(error.description)
            }
        }
        let options = RunOptions(path: export.path, spool: export.spool, queue: export.queue, interval: export.interval,
                                 once: false, json: false, demo: false, color: false, wholeLog: true)
        let model: SessionModel
        do {
            model = try SessionModel.open(options)
        } catch {
            return fail(String(describing: error))
        }
        defer { model.close() }
        model.readsProcesses = true          // exim_processes{kind}, read at every refresh
        let publisher: MetricsPublisher
        do {
            publisher = try MetricsPublisher.start(listen: listen, textfile: export.textfile)
        } catch {
            return fail(error.description)
        }
        defer { publisher.stop() }
        if let bound = publisher.boundAddress {
            FileHandleOutput.standardError("storemon export: serving http://\(bound)/metrics, refreshing every \(export.interval) s\n")
        }

        var first = true
        while true {
            let snapshot: Snapshot
            do {
                snapshot = try model.refresh()
            } catch {
                return fail(String(describing: error))
            }
            if let problem = publisher.publish(snapshot) {
                // A textfile that cannot be written at start is a mistake to fix now; later
                // (a full disk) it is reported and tried again at the next refresh.
                if first { return fail(problem.description) }
                FileHandleOutput.standardError("storemon export: \(problem)\n")
            }
            first = false
            if export.once {
                if export.textfile == nil { FileHandleOutput.standardOutput(publisher.text) }
                return 0
            }
            if !Runner.pause(export.interval) { return 0 }
        }
    }

    private func fail(_ message: String) -> Int32 {
        FileHandleOutput.standardError("storemon export: \(message)\n")
        return 1
    }
}

/// Publishes snapshots as metrics: keeps the exposition, serves it over HTTP when asked, and
/// writes the textfile when asked. Shared by `storemon export` and `storemon --metrics-listen`.
final class MetricsPublisher {
    private let exposition: MetricsExposition
    private let server: MetricsServer?
    private let textfile: TextfileWriter?

    /// Starts serving on `listen` (when given) and prepares the textfile (when given).
    ///
    /// - Throws: `ExportError` when the address cannot be bound.
    static func start(listen: ListenAddress?, textfile: String?, exposition: MetricsExposition = MetricsExposition())
        throws(ExportError) -> MetricsPublisher {
        let server = try listen.map { address throws(ExportError) in try MetricsServer.start(address, exposition: exposition) }
        return MetricsPublisher(server: server, textfile: textfile.map(TextfileWriter.init(path:)), exposition: exposition)
    }

    private init(server: MetricsServer?, textfile: TextfileWriter?, exposition: MetricsExposition) {
        self.server = server
        self.textfile = textfile
        self.exposition = exposition
    }

    /// The address the server bound, or nil when it does not listen.
    var boundAddress: String? { server?.boundAddress }

    /// The current exposition in the text format.
    var text: String { String(decoding: exposition.body(.text), as: UTF8.self) }

    /// Publishes one snapshot's metrics; returns the textfile's problem, if any.
    @discardableResult
    func publish(_ snapshot: Snapshot) -> ExportError? {
        exposition.publish(MetricsSnapshot(snapshot, version: ScreenRenderer.version))
        guard let textfile else { return nil }
        do {
            try textfile.write(exposition.body(.text))
            return nil
        } catch {
            return error
        }
    }

    /// Stops the server (open scrapes get a second to finish).
    func stop() { server?.stop() }
}

extension MetricsPublisher {
    /// `storemon --metrics-listen HOST:PORT`: serves `model`'s snapshots, or nil without the option.
    ///
    /// - Throws: `ExportError` for an address that cannot be parsed or bound.
    static func start(monitorListen: String?, model: SessionModel) throws(ExportError) -> MetricsPublisher? {
        guard let monitorListen else { return nil }
        let publisher = try MetricsPublisher.start(listen: try ListenAddress(parsing: monitorListen), textfile: nil)
        model.onSnapshot = { publisher.publish($0) }
        return publisher
    }
}
