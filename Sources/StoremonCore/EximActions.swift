import EximSpool
import Foundation
import Glibc
import Store

/// An action on a queued message, run through Exim itself (never by touching the
/// spool), as eximon's queue menu does: each maps to one `exim -M…` option.
public enum EximAction: Sendable, Equatable {
    /// `-Mf`: freeze.
    case freeze
    /// `-Mt`: thaw.
    case thaw
    /// `-v -M`: deliver now (the output is streamed line by line).
    case deliver
    /// `-Mg`: give up (cancel delivery and send a bounce).
    case giveUp
    /// `-Mrm`: remove (no bounce).
    case remove
    /// `-Mar ID ADDRESS`: add a recipient.
    case addRecipient(String)
    /// `-Mmd ID ADDRESS`: mark one recipient delivered.
    case markDelivered(String)

    /// A short name: `freeze`, `thaw`, `deliver`, `give up`, `remove`, `add recipient`, `mark delivered`.
    public var name: String {
        switch self {
        case .freeze: return "freeze"
        case .thaw: return "thaw"
        case .deliver: return "deliver"
        case .giveUp: return "give up"
        case .remove: return "remove"
        case .addRecipient: return "add recipient"
        case .markDelivered: return "mark delivered"
        }
    }

    /// Exim's option for it.
    public var option: String {
        switch self {
        case .freeze: return "-Mf"
        case .thaw: return "-Mt"
        case .deliver: return "-M"
        case .giveUp: return "-Mg"
        case .remove: return "-Mrm"
        case .addRecipient: return "-Mar"
        case .markDelivered: return "-Mmd"
        }
    }

    /// The address an action takes, if any.
    public var address: String? {
        switch self {
        case .addRecipient(let a), .markDelivered(let a): return a
        default: return nil
        }
    }

    /// True for actions that cannot be undone (give up sends a bounce; remove deletes).
    public var isIrreversible: Bool { self == .giveUp || self == .remove }

    /// The arguments after the binary (and `-C FILE`): e.g. `["-Mf", id]`,
    /// `["-v", "-M", id]`, `["-Mar", id, address]`.
    public func arguments(id: MessageID) -> [String] {
        switch self {
        case .deliver: return ["-v", "-M", id.description]
        case .addRecipient(let a), .markDelivered(let a): return [option, id.description, a]
        default: return [option, id.description]
        }
    }

    /// Checks an address typed for `-Mar`/`-Mmd`: nil when acceptable, else why not.
    /// Exim parses the address itself (and says what is wrong with it); this only refuses
    /// what could never be one address: empty text, control characters, a leading `-`
    /// (it would read as an option), more than 1024 bytes.
    public static func problem(withAddress a: String) -> String? {
        if a.isEmpty { return "the address is empty" }
        if a.utf8.count > 1024 { return "the address is longer than 1024 bytes" }
        if a.hasPrefix("-") { return "an address cannot start with -" }
        if a.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }) {
            return "the address holds control characters"
        }
        return nil
    }
}

/// Whether actions can run, and why not.
public enum ActionAvailability: Sendable, Equatable {
    /// Actions run with this Exim binary.
    case allowed(binary: String)
    /// Actions are off; the reason is a sentence for the status line.
    case disabled(reason: String)

    /// The reason actions are off, nil when they are allowed.
    public var reason: String? {
        if case .disabled(let r) = self { return r }
        return nil
    }
}

/// The outcome of one action.
public struct EximActionResult: Sendable {
    /// What was run.
    public var action: EximAction
    /// On which message.
    public var id: MessageID
    /// The whole command line (binary first), as passed (no shell).
    public var commandLine: [String]
    /// Exim's exit status (0: done), or 128 + the signal that ended it.
    public var exitStatus: Int32
    /// True when it was stopped for running past its time limit.
    public var timedOut: Bool
    /// Its output (stdout and stderr together), quoted; the last `EximActions.outputLimit` lines.
    public var output: [TerminalText]
    /// Lines of output dropped from the front of `output` to keep it bounded.
    public var droppedLines: Int

    /// True when Exim said it did it (exit status 0, not timed out).
    public var succeeded: Bool { exitStatus == 0 && !timedOut }

    /// One line for a status bar: `freeze 1xZl3a-0002jZ-0Q: Message … is now frozen` or
    /// `remove …: failed (exit 1): exim: message … is not …`.
    public var summary: TerminalText {
        let head = TerminalText(untainted: action.name + " " + id.description + ": ")
        let last = output.last { !$0.isEmpty } ?? .empty
        if timedOut { return head + TerminalText(untainted: "stopped after its time limit") }
        if succeeded { return head + (last.isEmpty ? TerminalText(untainted: "done") : last) }
        return head + TerminalText(untainted: "failed (exit \(exitStatus))") + (last.isEmpty ? .empty : TerminalText(untainted: ": ") + last)
    }
}

/// Why an action was not run at all.
public enum EximActionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Actions are off (read-only, no Exim, another spool...).
    case disabled(String)
    /// The address given is not usable.
    case badAddress(String)
    /// The Exim binary could not be started.
    case cannotRun(binary: String, reason: String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .disabled(let r): return "actions are off: \(r)"
        case .badAddress(let r): return "not run: \(r)"
        case .cannotRun(let b, let r): return "cannot run \(b): \(r)"
        }
    }
}

/// The action layer: finds the Exim binary, decides whether actions are allowed on the
/// spool shown, and runs `exim [-C FILE] -M… ID [ADDRESS]` with an argv array (no shell),
/// capturing the exit status and the output (quoted: Exim echoes addresses and headers).
///
/// Actions are allowed only when the spool shown is the one that Exim binary uses
/// (`exim -bP spool_directory`, compared after resolving symbolic links): acting on a
/// message through an Exim that reads another spool would act on nothing, or on another
/// message with the same id. `readOnly` (`--read-only`) turns them off altogether.
public final class EximActions: @unchecked Sendable {
    /// The spool shown (the directory holding `input/`), or nil.
    public let spoolDirectory: String?
    /// Actions are off on request (`--read-only`).
    public let readOnly: Bool
    /// The configuration file passed as `-C FILE`, or nil.
    public let configFile: String?
    /// The named queue shown (`--queue NAME`): passed as `-qGNAME` so Exim looks for the
    /// message in `spool/NAME/input`; nil for the default queue.
    public let queueName: String?
    /// The Exim binary, or nil when none was found.
    public let binary: String?
    /// Output lines kept in a result (the stream callback sees them all).
    public static let outputLimit = 2000
    /// Longest output line kept, in bytes (the rest is cut).
    public static let lineLimit = 4096

    private let settings: EximSettingsSource
    private let requestedBinary: String?
    private let readOnlyReason: String
    private var decided: ActionAvailability?
    private let lock = NSLock()

    /// Creates the layer. `binary` nil finds `exim`, then `exim4`, in `PATH` and the usual
    /// directories (`/usr/sbin`, …). `settings` answers `-bP` (default: that binary with
    /// `configFile`).
    /// `readOnlyReason` is what the status line says when `readOnly` is set.
    public init(spoolDirectory: String?, queueName: String? = nil, readOnly: Bool,
                readOnlyReason: String = "read-only (--read-only): actions are off",
                binary: String? = nil, configFile: String? = nil, settings: EximSettingsSource? = nil) {
        self.spoolDirectory = spoolDirectory
        self.queueName = queueName
        self.readOnly = readOnly
        self.readOnlyReason = readOnlyReason
        self.configFile = configFile
        requestedBinary = binary
        let installed = InstalledExim(candidates: binary.map { [$0] }, configFile: configFile)
        self.binary = binary.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
            ?? (binary == nil ? installed.executablePath : nil)
        self.settings = settings ?? installed
    }

    /// Whether actions are allowed (decided once, on first use: it runs `exim -bP`).
    public var availability: ActionAvailability {
        lock.lock()
        defer { lock.unlock() }
        if let decided { return decided }
        let d = decide()
        decided = d
        return d
    }

    private func decide() -> ActionAvailability {
        if readOnly { return .disabled(reason: readOnlyReason) }
        guard let binary else {
            if let requestedBinary { return .disabled(reason: "\(requestedBinary) is not an executable file") }
            return .disabled(reason: "no Exim binary found (looked for exim and exim4 in PATH, /usr/sbin, /usr/exim/bin, /usr/local/sbin)")
        }
        guard let spool = spoolDirectory else { return .disabled(reason: "no spool is shown") }
        let asked = binary + (configFile.map { " -C " + $0 } ?? "") + " -bP spool_directory"
        guard let eximSpool = settings.value(of: "spool_directory"), !eximSpool.isEmpty else {
            return .disabled(reason: "`\(asked)` gave no answer, so storemon cannot tell whether the spool shown is that Exim's")
        }
        if EximActions.canonical(spool) != EximActions.canonical(eximSpool) {
            return .disabled(reason: "the spool shown (\(spool)) is not the one \(binary) uses (\(eximSpool)); actions would not reach these messages")
        }
        return .allowed(binary: binary)
    }

    /// The path with symbolic links resolved and no trailing slash (as given when it cannot be resolved).
    static func canonical(_ path: String) -> String {
        guard let r = realpath(path, nil) else {
            var p = path
            while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
            return p
        }
        defer { free(r) }
        return String(cString: r)
    }

    /// The command line an action would run (binary first), for display and confirmation:
    /// `exim [-C FILE] [-qGNAME] -M… ID [ADDRESS]`. (Exim 4.96 refuses `-Mar`/`-Mmd`
    /// together with `-qG`; its refusal is then the result, as for any other.)
    public func commandLine(_ action: EximAction, on id: MessageID) -> [String] {
        [binary ?? "exim"] + (configFile.map { ["-C", $0] } ?? []) + (queueName.map { ["-qG" + $0] } ?? [])
            + action.arguments(id: id)
    }

    /// Runs `action` on message `id` and waits for it.
    /// - Parameters: `timeout` seconds before the command is stopped (SIGTERM, then SIGKILL
    ///   after 2 s); `output` is called with each output line as it arrives (on the
    ///   calling thread), for streaming a delivery into a pane.
    /// - Throws: `EximActionError` when the action was not run (off, bad address, no binary).
    public func run(_ action: EximAction, on id: MessageID, timeout: Double = 300,
                    output: ((TerminalText) -> Void)? = nil) throws(EximActionError) -> EximActionResult {
        if let reason = availability.reason { throw .disabled(reason) }
        if let a = action.address, let why = EximAction.problem(withAddress: a) { throw .badAddress(why) }
        let argv = commandLine(action, on: id)
        let child: ChildProcess
        do { child = try ChildProcess(argv) } catch { throw .cannotRun(binary: argv[0], reason: error.reason) }

        var lines: [TerminalText] = []
        var dropped = 0
        var partial: [UInt8] = []
        func emit(_ bytes: ArraySlice<UInt8>) {
            var b = bytes
            if b.last == 0x0D { b = b.dropLast() }
            let cut = b.count > EximActions.lineLimit
            var text = TaintedString(taintingBytes: Array(b.prefix(EximActions.lineLimit))).quoted(by: TerminalQuoter())
            if cut { text = text + TerminalText(untainted: " [line cut]") }
            output?(text)
            lines.append(text)
            if lines.count > EximActions.outputLimit {
                lines.removeFirst(lines.count - EximActions.outputLimit)
                dropped += 1
            }
        }
        let (status, timedOut) = child.drain(deadline: Date().addingTimeInterval(max(0.1, timeout))) { chunk in
            partial.append(contentsOf: chunk)
            var start = 0
            while let nl = partial[start...].firstIndex(of: 0x0A) {
                emit(partial[start..<nl])
                start = nl + 1
            }
            partial.removeFirst(start)
            if partial.count > EximActions.lineLimit * 4 {   // a runaway line: flush what we have
                emit(partial[...])
                partial.removeAll()
            }
        }
        if !partial.isEmpty { emit(partial[...]) }
        return EximActionResult(action: action, id: id, commandLine: argv, exitStatus: status, timedOut: timedOut,
                                output: lines, droppedLines: dropped)
    }
}
