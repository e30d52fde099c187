import Foundation

/// Where the monitor reads from: the main log to follow and the spool to scan, found as
/// `storemon [PATH] [--spool DIR] [--queue NAME]` asks (see `PathDiscovery.discover`).
public struct MonitorPaths: Sendable, Equatable {
    /// The main log file to follow, or nil (then `logNote` says why).
    public var logPath: String?
    /// For a datestamped log, the name pattern with `%D` (YYYYMMDD) or `%M` (YYYYMM) in
    /// place of the stamp, so the monitor can move to a newer day's file; else nil.
    public var logPattern: String?
    /// Why there is no log to follow (e.g. Exim logs to syslog), or nil.
    public var logNote: String?
    /// The spool directory (the one that holds `input/`), or nil (then `spoolNote` says how to name it).
    public var spoolDirectory: String?
    /// The directory of `-H`/`-D` files scanned: `spool/input`, or `spool/NAME/input` for a named queue.
    public var inputDirectory: String?
    /// How to name the spool, when none was found; or nil.
    public var spoolNote: String?
    /// The named queue (`--queue NAME`), or nil.
    public var queueName: String?
    /// Where the spool came from when that may surprise: `exim -bP spool_directory` for a
    /// log named on the command line that is not that Exim's log (a sentence), else nil.
    public var spoolOrigin: String?

    /// Creates paths directly (tests, `--demo`).
    public init(logPath: String?, logPattern: String? = nil, logNote: String? = nil,
                spoolDirectory: String?, inputDirectory: String? = nil, spoolNote: String? = nil,
                queueName: String? = nil) {
        self.logPath = logPath
        self.logPattern = logPattern
        self.logNote = logNote
        self.spoolDirectory = spoolDirectory
        self.queueName = queueName
        self.inputDirectory = inputDirectory ?? spoolDirectory.map { PathDiscovery.inputDirectory(spool: $0, queue: queueName) }
        self.spoolNote = spoolNote
    }
}

/// Why the paths named on the command line cannot be used (exit code 1).
public enum PathDiscoveryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// PATH does not exist (or cannot be examined).
    case notFound(String)
    /// PATH is a directory with no main log in it.
    case noMainLog(inDirectory: String)
    /// `--spool DIR` names a directory without `input/` that is not `input/` itself.
    case notASpool(String)
    /// No PATH was given and no main log could be found (Exim not asked or no answer).
    case noLogFound(tried: [String])
    /// No spool directory was named and none was found.
    case noSpoolFound
    /// PATH (or something on the way to it) may not be read: the path, the cause, the fix.
    case permissionDenied(String)
    /// PATH is Exim's spool directory, but its `log/` holds no main log.
    case spoolWithoutLog(spool: String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file or directory"
        case .noMainLog(let d): return "\(d): no Exim main log in this directory (looked for mainlog, main.log, exim_mainlog and datestamped names)"
        case .notASpool(let d): return "\(d): not an Exim spool directory (it has no input/ directory and is not one)"
        case .noLogFound(let tried): return "no Exim main log found (tried \(tried.joined(separator: ", "))); name it: storemon PATH"
        case .permissionDenied(let sentence): return sentence
        case .spoolWithoutLog(let d): return "\(d) is Exim's spool directory, but \(PathDiscovery.join(d, "log")) holds no main log (Exim may log elsewhere: `exim -bP log_file_path`; Debian logs to /var/log/exim4); name the log: storemon LOGDIR --spool \(d)"
        case .noSpoolFound: return "no Exim spool directory found (Exim not installed or not answering `exim -bP spool_directory`, and neither /var/spool/exim nor /var/spool/exim4 exists); name it with --spool DIR"
        }
    }
}

/// Finds the main log and the spool, the way the issue and eximon's script describe.
///
/// Log: PATH is a log directory (in it: `mainlog`, `main.log`, `exim_mainlog`, else the
/// newest datestamped `main…` file) or a main log file of any name. Without PATH, Exim's
/// `log_file_path` (first non-`syslog` item, `%s` → `main`, `%D`/`%M` → the newest
/// existing datestamped file); only `syslog` → a note that storemon needs a file log;
/// an empty value → `<spool_directory>/log/mainlog`; no answer → `/var/spool/exim/log`.
///
/// Spool: `--spool DIR` (holding `input/`, or an `input/` directory itself); else the log
/// directory's parent when it holds `input/`; else Exim's `spool_directory`; else a note.
public enum PathDiscovery {
    /// Exim's default log directory, the last resort when nothing else names one.
    public static let defaultLogDirectory = "/var/spool/exim/log"

    /// The note shown in the queue pane when no spool was found.
    public static let spoolHelp = "No queue shown: the Exim spool directory was not found. Name it with --spool DIR (the directory holding input/, as `exim -bP spool_directory` prints it)."

    /// The note shown in the log pane when Exim logs only to syslog.
    public static let syslogHelp = "Exim logs to syslog (log_file_path = syslog); storemon needs a file log. Add a file to log_file_path (e.g. `log_file_path = /var/log/exim/%slog : syslog`) or name a file: storemon PATH."

    /// Resolves the paths.
    /// - Parameters: `path` (PATH or nil), `spool` (`--spool` or nil), `queue` (`--queue` or nil),
    ///   `exim` (where to ask Exim's settings), `now` (today, for `%D`/`%M` when no file exists yet).
    /// - Throws: `PathDiscoveryError` when a named path cannot be used.
    public static func discover(path: String?, spool: String?, queue: String?,
                                exim: EximSettingsSource, now: Date = Date()) throws(PathDiscoveryError) -> MonitorPaths {
        var logPath: String?
        var logPattern: String?
        var logNote: String?
        if let path {
            let found = try logFromArgument(path)
            logPath = found.path
            logPattern = found.pattern
        } else {
            let found = try logFromExim(exim, now: now)
            logPath = found.path
            logPattern = found.pattern
            logNote = found.note
        }

        var spoolDirectory: String?
        var spoolNote: String?
        var spoolOrigin: String?
        if let spool {
            spoolDirectory = try spoolFromArgument(spool)
        } else if let logPath, let parent = parentHoldingInput(ofLog: logPath) {
            spoolDirectory = parent
        } else if let value = exim.value(of: "spool_directory"), !value.isEmpty, PathAccess.of(value) != .missing {
            // Reachable or not: an unreadable spool is reported by the queue reader, never
            // shown as an empty queue.
            spoolDirectory = value
            if let logPath, path != nil { spoolOrigin = originNote(spool: value, log: logPath, exim: exim, now: now) }
        } else {
            spoolNote = spoolHelp
        }
        var paths = MonitorPaths(logPath: logPath, logPattern: logPattern, logNote: logNote,
                                 spoolDirectory: spoolDirectory, spoolNote: spoolNote, queueName: queue)
        paths.spoolOrigin = spoolOrigin
        return paths
    }

    /// The status line's short form of `MonitorPaths.spoolOrigin`.
    public static let spoolOriginShort = "from exim -bP; not this log's Exim"

    /// When the spool came from `exim -bP spool_directory` but the log named on the
    /// command line is not where that Exim logs: a sentence saying so, else nil.
    static func originNote(spool: String, log: String, exim: EximSettingsSource, now: Date) -> String? {
        guard let eximLog = try? logFromExim(exim, now: now).path else { return nil }
        let mine = canonicalDirectory(ofFile: log)
        let theirs = canonicalDirectory(ofFile: eximLog)
        if mine == theirs { return nil }
        return "the queue shown is \(spool), from `exim -bP spool_directory`, but the log \(log) is not that Exim's (it logs to \(eximLog)); to see this log's own queue, name its spool: --spool DIR"
    }

    /// The directory of a file, with symbolic links resolved when possible.
    static func canonicalDirectory(ofFile path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        let absolute = dir.hasPrefix("/") ? dir : join(FileManager.default.currentDirectoryPath, dir.isEmpty ? "." : dir)
        return ((absolute as NSString).resolvingSymlinksInPath as NSString).standardizingPath
    }

    /// The `-H` directory of a spool: `spool/input`, or `spool/NAME/input` for a named queue.
    public static func inputDirectory(spool: String, queue: String?) -> String {
        if let queue, !queue.isEmpty { return join(join(spool, queue), "input") }
        return join(spool, "input")
    }

    // MARK: the log

    /// PATH as given: a file (any name; a datestamp in its name gives a pattern) or a directory.
    /// A spool directory (holding `input/` or `log/`) points to its `log/`. A path that
    /// cannot be reached says why (permission denied names the directory and the fix).
    static func logFromArgument(_ path: String) throws(PathDiscoveryError) -> (path: String, pattern: String?) {
        let isDir: Bool
        switch PathAccess.of(path) {
        case .exists(let d): isDir = d
        case .missing: throw .notFound(path)
        case .denied, .failed: throw .permissionDenied(PathAccess.readProblem(path, role: .log) ?? "\(path): cannot be examined")
        }
        if !isDir { return (path, datestampPattern(forFile: path)) }
        guard PathAccess.canList(path) else {
            throw .permissionDenied(PathAccess.readProblem(path, role: isDirectory(join(path, "input")) ? .spool : .log)
                                    ?? "\(path): cannot be listed")
        }
        if let found = mainLog(inDirectory: path) { return found }
        // Exim's spool directory: its log/ (Exim's default log_file_path).
        let logDir = join(path, "log")
        if isDirectory(join(path, "input")) || isDirectory(logDir) {
            if isDirectory(logDir) {
                guard PathAccess.canList(logDir) else {
                    throw .permissionDenied(PathAccess.readProblem(logDir, role: .log) ?? "\(logDir): cannot be listed")
                }
                if let found = mainLog(inDirectory: logDir) { return found }
            }
            if isDirectory(join(path, "input")) { throw .spoolWithoutLog(spool: path) }
        }
        throw .noMainLog(inDirectory: path)
    }

    /// The main log inside a log directory: a fixed name first, else the newest datestamped one.
    static func mainLog(inDirectory dir: String) -> (path: String, pattern: String?)? {
        for name in ["mainlog", "main.log", "exim_mainlog", "exim-main.log"] {
            let p = join(dir, name)
            if isRegularFile(p) { return (p, nil) }
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        var best: (stamp: String, name: String)?
        for name in names where name.lowercased().contains("main") && !isCompressed(name) {
            guard let (stamp, _) = datestamp(in: name), isRegularFile(join(dir, name)) else { continue }
            if best == nil || stamp > best!.stamp || (stamp == best!.stamp && name > best!.name) { best = (stamp, name) }
        }
        guard let best else { return nil }
        let p = join(dir, best.name)
        return (p, datestampPattern(forFile: p))
    }

    /// Asks Exim's `log_file_path`, as eximon's script does.
    static func logFromExim(_ exim: EximSettingsSource, now: Date) throws(PathDiscoveryError) -> (path: String?, pattern: String?, note: String?) {
        var tried: [String] = []
        if let value = exim.value(of: "log_file_path") {
            let items = value.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let files = items.filter { $0 != "syslog" }
            if let first = files.first {
                let named = first.replacingOccurrences(of: "%s", with: "main")
                if named.contains("%D") || named.contains("%M") {
                    return (newestDatestamped(pattern: named) ?? expand(pattern: named, date: now), named, nil)
                }
                return (named, nil, nil)
            }
            if !items.isEmpty {
                return (nil, nil, syslogHelp)   // only syslog
            }
            // Empty value: Exim logs into <spool_directory>/log/.
            if let spool = exim.value(of: "spool_directory"), !spool.isEmpty {
                let p = join(join(spool, "log"), "mainlog")
                return (p, nil, nil)
            }
        }
        tried.append(defaultLogDirectory)
        if let found = mainLog(inDirectory: defaultLogDirectory) { return (found.path, found.pattern, nil) }
        throw .noLogFound(tried: tried)
    }

    /// The newest existing file matching a `%D`/`%M` pattern (by stamp), or nil.
    static func newestDatestamped(pattern: String) -> String? {
        let dir = (pattern as NSString).deletingLastPathComponent
        let base = (pattern as NSString).lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return nil }
        let found = names.filter { matches(name: $0, pattern: base) }.sorted()
        return found.last.map { join(dir, $0) }
    }

    /// Whether a file name fits a pattern where `%D` is 8 digits and `%M` 6 digits.
    static func matches(name: String, pattern: String) -> Bool {
        let n = Array(name.utf8), p = Array(pattern.utf8)
        var i = 0, j = 0
        while j < p.count {
            if p[j] == UInt8(ascii: "%"), j + 1 < p.count, p[j + 1] == UInt8(ascii: "D") || p[j + 1] == UInt8(ascii: "M") {
                let digits = p[j + 1] == UInt8(ascii: "D") ? 8 : 6
                guard i + digits <= n.count, n[i..<(i + digits)].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
                i += digits; j += 2
                continue
            }
            guard i < n.count, n[i] == p[j] else { return false }
            i += 1; j += 1
        }
        return i == n.count
    }

    /// The pattern with today's stamp (local time, as Exim's default log timezone).
    static func expand(pattern: String, date: Date) -> String {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: date)
        let y = c.year ?? 1970, m = c.month ?? 1, d = c.day ?? 1
        let month = String(format: "%04d%02d", y, m)
        return pattern.replacingOccurrences(of: "%D", with: month + String(format: "%02d", d))
            .replacingOccurrences(of: "%M", with: month)
    }

    /// A datestamp in a file name: 8 digits forming YYYYMMDD (→ `%D`) or else 6 digits
    /// forming YYYYMM (→ `%M`); the stamp and the pattern token.
    static func datestamp(in name: String) -> (stamp: String, token: String)? {
        let bytes = Array(name.utf8)
        var runs: [Range<Int>] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] >= 48 && bytes[i] <= 57 {
                var j = i
                while j < bytes.count && bytes[j] >= 48 && bytes[j] <= 57 { j += 1 }
                runs.append(i..<j)
                i = j
            } else { i += 1 }
        }
        func number(_ r: Range<Int>) -> Int { bytes[r].reduce(0) { $0 * 10 + Int($1 - 48) } }
        for r in runs.reversed() where r.count == 8 {
            let y = number(r.lowerBound..<(r.lowerBound + 4)), m = number((r.lowerBound + 4)..<(r.lowerBound + 6)), d = number((r.lowerBound + 6)..<r.upperBound)
            if (1970...2999).contains(y) && (1...12).contains(m) && (1...31).contains(d) {
                return (String(decoding: bytes[r], as: UTF8.self), "%D")
            }
        }
        for r in runs.reversed() where r.count == 6 {
            let y = number(r.lowerBound..<(r.lowerBound + 4)), m = number((r.lowerBound + 4)..<r.upperBound)
            if (1970...2999).contains(y) && (1...12).contains(m) {
                return (String(decoding: bytes[r], as: UTF8.self), "%M")
            }
        }
        return nil
    }

    /// For a file whose name carries a datestamp, the same path with the stamp as `%D`/`%M`.
    static func datestampPattern(forFile path: String) -> String? {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let (stamp, token) = datestamp(in: name), let range = name.range(of: stamp, options: .backwards) else { return nil }
        return join(dir, name.replacingCharacters(in: range, with: token))
    }

    // MARK: the spool

    /// `--spool DIR`: the directory holding `input/`, or `input/` itself.
    static func spoolFromArgument(_ dir: String) throws(PathDiscoveryError) -> String {
        switch PathAccess.of(dir) {
        case .exists: break
        case .missing: throw .notFound(dir)
        case .failed: throw .permissionDenied(PathAccess.readProblem(dir, role: .spool) ?? "\(dir): cannot be examined")
        case .denied: return dir   // the queue pane says why it cannot be read, and the fix
        }
        if !PathAccess.canList(dir) { return dir }
        let trimmed = dir.count > 1 && dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        if isDirectory(join(trimmed, "input")) { return trimmed }
        if (trimmed as NSString).lastPathComponent == "input", isDirectory(trimmed) {
            let parent = (trimmed as NSString).deletingLastPathComponent
            return parent.isEmpty ? "." : parent
        }
        throw .notASpool(dir)
    }

    /// The parent of the log's directory when it holds `input/` (Exim's default layout).
    static func parentHoldingInput(ofLog logPath: String) -> String? {
        let logDir = (logPath as NSString).deletingLastPathComponent
        let absolute = logDir.hasPrefix("/") ? logDir : join(FileManager.default.currentDirectoryPath, logDir.isEmpty ? "." : logDir)
        let parent = ((absolute as NSString).standardizingPath as NSString).deletingLastPathComponent
        guard !parent.isEmpty, isDirectory(join(parent, "input")) else { return nil }
        return parent
    }

    // MARK: helpers

    static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }

    static func isDirectory(_ p: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue
    }

    static func isRegularFile(_ p: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && !isDir.boolValue
    }

    static func isCompressed(_ name: String) -> Bool {
        [".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z"].contains { name.hasSuffix($0) }
    }
}

extension PathDiscovery {
    /// The spool for a command that needs one and has no log to start from (`storemon
    /// show`): `--spool DIR` (holding `input/`, or `input/` itself), else Exim's
    /// `spool_directory`, else the first of `/var/spool/exim`, `/var/spool/exim4` that
    /// holds `input/`. Returns the directory and where it came from (for messages).
    /// - Throws: `PathDiscoveryError` when DIR cannot be used or no spool was found.
    public static func spool(named dir: String?, exim: EximSettingsSource) throws(PathDiscoveryError) -> (directory: String, source: String) {
        if let dir { return (try spoolFromArgument(dir), "--spool") }
        if let value = exim.value(of: "spool_directory"), !value.isEmpty, isDirectory(value) {
            return (value, "exim -bP spool_directory")
        }
        for candidate in ["/var/spool/exim", "/var/spool/exim4"] where isDirectory(candidate) {
            return (candidate, "the usual place")
        }
        throw .noSpoolFound
    }
}
