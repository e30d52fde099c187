/// What a physical main-log (or reject-log) line is about. Every line gets exactly one
/// kind; a line that is not understood is `.other`, never dropped.
public enum LogLineKind: UInt8, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// A message line with a flag (`<=`, `=>`, `->`, `>>`, `*>`, `**`, `==`, `(=`); see `LogLine.flag`.
    case flagged = 0
    /// `<id> Completed`: every address of the message is done.
    case completed
    /// `<id> Frozen (…)`, `<id> Message is frozen`, `<id> frozen by …`.
    case frozen
    /// `<id> unfrozen by …`, `<id> Unfrozen by errmsg timer …`.
    case unfrozen
    /// `<id> cancelled by …` (`exim -Mg`).
    case cancelled
    /// Any other line with a message id and no flag (`Connection refused`,
    /// `no immediate delivery: queued by ACL`, `retry time not reached`, `Spool file … is locked`, …).
    case messageEvent
    /// `exim 4.96 daemon started: pid=…, …`.
    case daemonStarted
    /// `Start queue run: pid=…` (also named queues and ODMR).
    case queueRunStarted
    /// `End queue run: pid=…`.
    case queueRunEnded
    /// `Abandon queue run: …`.
    case queueRunAbandoned
    /// A rejection: RCPT, MAIL, HELO/EHLO, connection, after DATA, size; also `temporarily rejected`.
    /// See `LogLine.rejection` and `LogLine.reason`.
    case rejected
    /// `SMTP protocol error in …` or `SMTP syntax error in …`.
    case protocolError
    /// `SMTP protocol synchronization error (…)`.
    case synchronizationError
    /// `SMTP connection from … (TCP/IP connection count = n)` or a local `-bs` session start.
    case connectionOpened
    /// `SMTP connection from … closed by QUIT` (or by another command).
    case connectionClosed
    /// `… lost …` / `unexpected disconnection while reading …`.
    case connectionLost
    /// `SMTP call from … dropped: …` (too many connections, unrecognized commands, …).
    case connectionDropped
    /// `no MAIL in SMTP connection from …`.
    case noMail
    /// `… incomplete transaction (…) from <…>`.
    case incompleteTransaction
    /// `TLS error on connection from …`.
    case tlsError
    /// `… sender verify fail …` / `… verify fail …`.
    case verifyFailed
    /// `Warning: …` (ACL `warn`, missing certificate, …).
    case warning
    /// `cwd=… N args: …` (the `arguments` log selector).
    case arguments
    /// A line with no timestamp that begins with a space or tab: the rest of the entry above.
    case continuation
    /// A reject-log header line (`Envelope-from: <…>`, `F From: …`, `  Date: …`).
    case rejectLogHeader
    /// An empty line.
    case blank
    /// Anything else: kept, counted, shown; never dropped.
    case other

    /// A short lower-case name, stable for JSON and tests (`"flagged"`, `"queueRunStarted"`, …).
    public var description: String { String(describing: Self.names[Int(rawValue)]) }

    private static let names: [StaticString] = [
        "flagged", "completed", "frozen", "unfrozen", "cancelled", "messageEvent", "daemonStarted",
        "queueRunStarted", "queueRunEnded", "queueRunAbandoned", "rejected", "protocolError",
        "synchronizationError", "connectionOpened", "connectionClosed", "connectionLost",
        "connectionDropped", "noMail", "incompleteTransaction", "tlsError", "verifyFailed",
        "warning", "arguments", "continuation", "rejectLogHeader", "blank", "other",
    ]
}

/// What was rejected, for `.rejected` lines (the word after `rejected`).
public enum LogRejection: UInt8, Sendable, Hashable, CaseIterable {
    /// `rejected RCPT <addr>: reason`.
    case rcpt
    /// `rejected MAIL <addr>: reason`.
    case mail
    /// `rejected after DATA: reason` (or `rejected DATA`).
    case data
    /// `rejected EHLO or HELO …` / `rejected HELO from …`.
    case helo
    /// `rejected connection from …` / `rejected connection in "connect" ACL`.
    case connection
    /// `rejected from <sender> …: message too big …` (the size limit).
    case size
    /// `rejected VRFY`, `rejected EXPN`, `rejected ETRN`, `rejected AUTH`, or anything else.
    case other
}
