import EximFormats
import Glibc
import Store
import StoremonSystem

/// One running Exim process, as the processes pane lists it (like `exiwhat`, but read
/// from `/proc` without signalling anything): pid, parent, age, and what it is doing.
public struct EximProcess: Sendable, Equatable {
    /// The process id.
    public var pid: Int
    /// The parent's process id.
    public var parentPID: Int
    /// Seconds since the process started.
    public var ageSeconds: Int
    /// The kernel's short name (`/proc/PID/comm`), e.g. `exim4`.
    public var name: TaintedString
    /// The process title: its command line as it stands now (`/proc/PID/cmdline`, the
    /// NULs between arguments made spaces), which Exim may have rewritten. Tainted: any
    /// user can start a process whose title holds escape sequences.
    public var title: TaintedString
    /// What its arguments say it is doing (`EximProcessKind.classify`): the kind, and the
    /// checked details (message id, queue-run option) its activity text shows.
    public var classification: EximProcessKind.Classification
    /// How the process was recognised as Exim's (by its executable, or inferred from its
    /// names when the executable cannot be read).
    public var recognition: Recognition

    /// How a process was recognised as Exim's (`EximProcessReader`).
    public enum Recognition: String, Sendable, Hashable {
        /// `/proc/PID/exe` resolves to an Exim binary: certain, whatever the process's name
        /// (`sendmail`, `mailq`... are links to Exim on many systems).
        case executable
        /// The executable could not be read (another user's process, when not root): its
        /// kernel name or first argument is an Exim binary's name. Inferred.
        case name
        /// The executable could not be read; the process was started as one of Exim's call
        /// names (`sendmail`, `mailq`, `runq`...) by an absolute path that, resolved on
        /// this machine, is an Exim binary. Inferred: another program installed at the
        /// same path inside a container or chroot would be taken for Exim.
        case callName = "call_name"
    }

    /// For a process recognised without its executable (inferred), what it was
    /// recognised by, as screens mark it: `by name`, `by call name`; nil when certain.
    public var inferredBy: String? {
        switch recognition {
        case .executable: nil
        case .name: "by name"
        case .callName: "by call name"
        }
    }

    /// The kind (the fixed vocabulary of `exim_processes{kind}` and the JSON).
    public var kind: EximProcessKind { classification.kind }

    /// What it is doing, built from the kind and its checked details (`delivering
    /// 1xWd9D-0006xR-10`, `daemon, queue runs -q30m`...), or nil for `.other`, whose title
    /// says it better. Untainted: every part was checked against Exim's syntax.
    public var activity: String? { classification.activity }

    /// Creates a process entry.
    public init(pid: Int, parentPID: Int, ageSeconds: Int, name: TaintedString, title: TaintedString,
                classification: EximProcessKind.Classification, recognition: Recognition = .executable) {
        self.pid = pid
        self.parentPID = parentPID
        self.ageSeconds = ageSeconds
        self.name = name
        self.title = title
        self.classification = classification
        self.recognition = recognition
    }
}

extension EximProcess {
    /// How many processes of each kind `processes` holds, every kind present (zeros
    /// included), in `EximProcessKind.allCases` order.
    public static func counts(_ processes: [EximProcess]) -> [(kind: EximProcessKind, count: Int)] {
        var n = [EximProcessKind: Int]()
        for p in processes { n[p.kind, default: 0] += 1 }
        return EximProcessKind.allCases.map { ($0, n[$0] ?? 0) }
    }
}

/// Reads the running Exim processes from `/proc` (a reader: no curses, no pools; the
/// result is plain values for the snapshot).
///
/// A process is Exim's by what it runs, not by what it is called: on Debian
/// `/usr/sbin/sendmail`, `mailq`, `rmail`, `rsmtp`, `runq` and `newaliases` are links to
/// `exim4`, and a process started by one of them is named after the link. So:
///
/// 1. When `/proc/PID/exe` can be read, the process is Exim's exactly when the file it
///    resolves to has an Exim binary's name (`isEximBinary`): `exim`, `exim4`, or either
///    followed by `-` and a version, as Exim's own build installs it (`exim-4.98-1`, with
///    `exim` a link to it). Its names are not consulted: a script called `exim4` runs a
///    shell, and is not Exim.
/// 2. Otherwise (another user's process when storemon is not root; a zombie), inferred from
///    the names: the kernel name (`comm`) or the first argument's file name is an Exim
///    binary's name (`.name`); or the first argument is an absolute path ending in one of
///    Exim's call names (`EximProcessKind.callNames`) that resolves, on this machine, to an
///    Exim binary (`.callName`). A call name alone proves nothing (Postfix and sendmail
///    install the same names), so a process started as a bare `sendmail` (found on `PATH`)
///    whose executable cannot be read is not counted.
///
/// System calls go through `StoremonSystem` (`DirectoryListing`, `RegularFile.contents`,
/// `SymbolicLink`).
public struct EximProcessReader: Sendable {
    /// The `/proc` directory (tests point it elsewhere).
    public let root: String
    /// Most processes listed (a busy server may run hundreds; the pane shows the oldest first).
    public static let limit = 500
    /// Bytes read at most from `cmdline` (the title) and `stat`.
    static let cmdlineLimit = 4096, statLimit = 2048, commLimit = 64

    /// A reader of `root` (default `/proc`).
    public init(root: String = "/proc") { self.root = root }

    /// The Exim processes running now, oldest first (then by pid). Unreadable or vanished
    /// processes are skipped: a process may end while it is being read. Empty when `root`
    /// cannot be listed (see `readIfListable()`).
    public func read() -> [EximProcess] { readIfListable() ?? [] }

    /// As `read()`, but nil when `root` itself cannot be listed (no `/proc`), so a caller
    /// can tell "none running" from "not known".
    ///
    /// Cost: one `readlink` of `exe` per process on the machine; `comm` and `cmdline` only
    /// for Exim's own and for processes whose `exe` cannot be read; `stat` only for Exim's.
    public func readIfListable() -> [EximProcess]? {
        var pids: [Int] = []
        do {
            try DirectoryListing.forEachName(in: root) { name in
                var pid = 0
                for c in name {
                    guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), pid < Int(Int32.max) else { return true }
                    pid = pid * 10 + Int(c - UInt8(ascii: "0"))
                }
                if pid > 0 { pids.append(pid) }
                return true
            }
        } catch {
            return nil
        }
        let uptime = EximProcessReader.uptime(root: root)
        let ticks = max(1, Double(sysconf(Int32(_SC_CLK_TCK))))
        var found: [EximProcess] = []
        for pid in pids {
            let base = root + "/\(pid)"
            let exe = try? SymbolicLink.target(of: base + "/exe")
            if let exe, !EximProcessReader.isEximExecutable(exe) { continue }
            guard let comm = try? RegularFile.contents(of: base + "/comm", limit: EximProcessReader.commLimit) else { continue }
            let commName = EximProcessReader.trimmed(comm)
            let argv = (try? RegularFile.contents(of: base + "/cmdline", limit: EximProcessReader.cmdlineLimit)) ?? []
            let args = argv.split(separator: 0, omittingEmptySubsequences: false)
            let first = args.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            guard let recognition = EximProcessReader.recognise(exe: exe, comm: String(decoding: commName, as: UTF8.self),
                                                               argv0: first, resolve: { SymbolicLink.resolved($0) })
            else { continue }
            var parent = 0
            var age = 0
            if let stat = try? RegularFile.contents(of: base + "/stat", limit: EximProcessReader.statLimit),
               let close = stat.lastIndex(of: UInt8(ascii: ")")) {
                // fields after "(comm)": state ppid ... starttime is field 22 overall (index 19 here)
                let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
                if fields.count > 19 {
                    parent = Int(String(decoding: fields[1], as: UTF8.self)) ?? 0
                    if let start = Double(String(decoding: fields[19], as: UTF8.self)), let uptime {
                        age = max(0, Int(uptime - start / ticks))
                    }
                }
            }
            var titleBytes = argv
            while titleBytes.last == 0 { titleBytes.removeLast() }
            for i in titleBytes.indices where titleBytes[i] == 0 { titleBytes[i] = 0x20 }
            var words = args.map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
            // no arguments to read (a zombie's are gone): the call name is the kernel's name
            if words.isEmpty { words = [String(decoding: commName, as: UTF8.self)] }
            found.append(EximProcess(pid: pid, parentPID: parent, ageSeconds: age,
                                     name: TaintedString(taintingBytes: commName), title: TaintedString(taintingBytes: titleBytes),
                                     classification: EximProcessKind.classify(words), recognition: recognition))
            if found.count >= 4 * EximProcessReader.limit { break }
        }
        found.sort { $0.ageSeconds != $1.ageSeconds ? $0.ageSeconds > $1.ageSeconds : $0.pid < $1.pid }
        return Array(found.prefix(EximProcessReader.limit))
    }

    /// How a process is recognised as Exim's, or nil when it is not (the rules in the
    /// type's documentation). `exe` is `/proc/PID/exe`'s target, nil when it cannot be
    /// read; `comm` the kernel's name; `argv0` the first argument; `resolve` resolves a
    /// path's links (`realpath`).
    static func recognise(exe: [UInt8]?, comm: String, argv0: String,
                          resolve: (String) -> String?) -> EximProcess.Recognition? {
        if let exe { return isEximExecutable(exe) ? .executable : nil }
        let program = fileName(argv0)
        if isEximBinary(comm) || isEximBinary(program) { return .name }
        if EximProcessKind.callNames[program] != nil, argv0.hasPrefix("/"),
           let target = resolve(argv0), isEximBinary(fileName(target)) {
            return .callName
        }
        return nil
    }

    /// Whether an `exe` link's target is an Exim binary (` (deleted)`, which the kernel
    /// appends once the file was replaced, as a package upgrade does, is ignored).
    static func isEximExecutable(_ target: [UInt8]) -> Bool {
        var path = String(decoding: target, as: UTF8.self)
        if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
        return isEximBinary(fileName(path))
    }

    /// Whether a file name is an Exim binary's: `exim` or `exim4`, alone or followed by
    /// `-` and more (`exim-4.98-1`, as Exim's build names the installed binary). Exim's
    /// utilities (`exim_dumpdb`, `exim_tidydb`, `eximstats`...) are not.
    static func isEximBinary(_ name: String) -> Bool {
        name == "exim" || name == "exim4" || name.hasPrefix("exim-") || name.hasPrefix("exim4-")
    }

    /// The last component of a path (the whole text when it has no `/`).
    static func fileName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? ""
    }

    static func trimmed(_ b: [UInt8]) -> [UInt8] {
        var out = b
        while let last = out.last, last == 0x0A || last == 0 { out.removeLast() }
        return out
    }

    /// Seconds since boot (`/proc/uptime`).
    static func uptime(root: String) -> Double? {
        guard let b = try? RegularFile.contents(of: root + "/uptime", limit: 128) else { return nil }
        return Double(String(decoding: b.prefix { $0 != 0x20 }, as: UTF8.self))
    }
}
