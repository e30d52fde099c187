import EximFormats

/// What an Exim process is doing, in a fixed vocabulary (the `kind` label of
/// `exim_processes`, the JSON `kind`). Decided once, from Exim's documented command-line
/// options, by `EximProcessKind.classify`; the processes pane's activity text is built from
/// the result, so the pane, the metrics and JSON never disagree.
public enum EximProcessKind: String, Sendable, Hashable, CaseIterable {
    /// The listening daemon (`-bd`, with or without `-q…` queue runs).
    case daemon
    /// A queue runner (`-q…`, `-R…`, `-S…` without `-bd`).
    case queueRunner = "queue_runner"
    /// Delivering one message (`-M ID` forced, `-Mc ID`, `-MC … ID` continued delivery).
    case delivery
    /// An SMTP session on stdin (`-bs`, as inetd or a local client starts it; `-bS` batched).
    case smtpSession = "smtp_session"
    /// A message submitted locally (`-t`, `-bm`, `-i`/`-oi`, or recipients as arguments).
    case localSubmission = "local_submission"
    /// Listing or counting the queue (`-bp…`).
    case queueListing = "queue_listing"
    /// Anything else: a title Exim rewrote, a test option, an administrative `-M…` command.
    case other

    /// One classification of a process's arguments: its kind and the details its activity
    /// text shows. Every detail is checked against Exim's own syntax before it is kept (an
    /// argument is text any user can set), so none holds control characters.
    public struct Classification: Sendable, Equatable {
        /// The kind.
        public var kind: EximProcessKind
        /// The option that decided it (`-bd`, `-Mc`, `-bS`, `-qff`...), when one did.
        public var option: String?
        /// The message a delivery works on (a valid Exim message id), else nil.
        public var messageID: String?
        /// The daemon's queue-run option (`-q30m`), else nil.
        public var queueRuns: String?

        /// What the process is doing, as the processes pane and plain frame show it; nil
        /// for `.other` (the title says it better).
        public var activity: String? {
            switch kind {
            case .daemon: return "daemon" + (queueRuns.map { ", queue runs \($0)" } ?? "")
            case .queueRunner: return "queue run" + (option.map { " \($0)" } ?? "")
            case .delivery:
                let what = messageID.map { "delivering \($0)" } ?? "delivering"
                return option == "-M" ? what + " (forced)" : what
            case .smtpSession: return option == "-bS" ? "batched SMTP input" : "SMTP session on stdin"
            case .localSubmission: return "local submission"
            case .queueListing: return "listing the queue"
            case .other: return nil
            }
        }
    }

    /// Exim's call names and the options each stands for. Exim looks at the file name of
    /// its first argument: called as `mailq` it behaves as if `-bp` came before any other
    /// option, as `runq` `-q`, as `rsmtp` `-bS`, as `rmail` `-i -oee`, as `newaliases` `-bi`;
    /// as `sendmail` it is simply Exim (its options are sendmail's). Systems install these
    /// names as links to the Exim binary (Debian: `/usr/sbin/sendmail` -> `exim4`).
    public static let callNames: [String: [String]] = [
        "sendmail": [], "mailq": ["-bp"], "runq": ["-q"], "rsmtp": ["-bS"], "rmail": ["-i", "-oee"],
        "newaliases": ["-bi"],
    ]

    /// Classifies an Exim command line (`args[0]` is the program: a call name in
    /// `callNames` adds the options it stands for before the others). Inferred from Exim's
    /// documented options (spec chapter "The Exim command line"); the first matching rule
    /// wins, in this order: daemon, delivery, SMTP session, queue runner, queue listing,
    /// local submission, other.
    public static func classify(_ args: [String]) -> Classification {
        var result = Classification(kind: .other)
        guard let program = args.first else { return result }
        let called = program.split(separator: "/").last.map(String.init) ?? ""
        let rest = (callNames[called] ?? []) + args.dropFirst()
        guard !rest.isEmpty else { return result }
        /// The argument after `option`, when it is a message id.
        func id(after option: String) -> String? {
            guard let i = rest.firstIndex(of: option), i + 1 < rest.count else { return nil }
            return validID(rest[i + 1])
        }
        let queueOption = rest.first { queueRunOption($0) != nil }.flatMap(queueRunOption)
        if rest.contains("-bd") {
            result.kind = .daemon
            result.option = "-bd"
            result.queueRuns = queueOption
        } else if let i = rest.firstIndex(of: "-MC") {
            // -MC transport host sequence id: the id is the last of its four arguments
            result.kind = .delivery
            result.option = "-MC"
            result.messageID = i + 4 < rest.count ? validID(rest[i + 4]) : rest.last.flatMap(validID)
        } else if rest.contains("-Mc") {
            result.kind = .delivery
            result.option = "-Mc"
            result.messageID = id(after: "-Mc")
        } else if rest.contains("-M") {
            result.kind = .delivery
            result.option = "-M"
            result.messageID = id(after: "-M")
        } else if let o = rest.first(where: { $0 == "-bs" || $0 == "-bS" }) {
            result.kind = .smtpSession
            result.option = o
        } else if let q = queueOption {
            result.kind = .queueRunner
            result.option = q
        } else if rest.contains(where: { $0.hasPrefix("-R") || $0.hasPrefix("-S") }) {
            result.kind = .queueRunner
        } else if let o = rest.first(where: { $0.hasPrefix("-bp") && $0.utf8.count <= 6 }) {
            result.kind = .queueListing
            result.option = o.utf8.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") || $0 == UInt8(ascii: "-") } ? o : "-bp"
        } else if rest.contains(where: { ["-t", "-bm", "-i", "-oi"].contains($0) }) || hasRecipients(rest) {
            result.kind = .localSubmission
        }
        return result
    }

    /// `text` when it is an Exim message id (either format), else nil.
    static func validID(_ text: String) -> String? {
        MessageIDFormat.of(Substring(text)) != nil ? text : nil
    }

    /// `arg` when it is a queue-run option as Exim documents it (`-q`, then the flags
    /// `q i f f l G<name>/`, then an optional interval such as `30m` or `1h5m`), else nil.
    /// Only letters, digits, `/`, `-` and `_` pass, at most 40 bytes.
    static func queueRunOption(_ arg: String) -> String? {
        let b = Array(arg.utf8)
        guard b.count >= 2, b.count <= 40, b[0] == UInt8(ascii: "-"), b[1] == UInt8(ascii: "q") else { return nil }
        let ok = b.dropFirst(2).allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }
        return ok ? arg : nil
    }

    /// Whether the arguments name recipients (a bare word after the options, as `exim
    /// user@example` or sendmail's interface takes them). The options that take a value
    /// (`-f`, `-F`, `-C`, `-D`, `-d`, `-oMr`...) given apart from it are skipped with it.
    /// Another mode's option (`-bt`, `-bv`, `-bP`, `-be`, `-Mrm`, `-Mvh`...) makes its bare
    /// words addresses to test, names or message ids instead, so then there are none.
    static func hasRecipients(_ rest: [String]) -> Bool {
        if rest.contains(where: { ($0.hasPrefix("-b") && $0 != "-bm") || $0.hasPrefix("-M") }) { return false }
        let takesValue: Set<String> = ["-f", "-F", "-C", "-D", "-r", "-oMa", "-oMaa", "-oMai", "-oMas", "-oMi",
                                       "-oMr", "-oMs", "-oMt"]
        var i = 0
        while i < rest.count {
            let a = rest[i]
            if a == "--" { return i + 1 < rest.count }
            if a.hasPrefix("-") {
                i += takesValue.contains(a) ? 2 : 1
                continue
            }
            return true
        }
        return false
    }
}
