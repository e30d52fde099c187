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
    /// A rejection in one of Exim's formats: `[H=… U=… F=<…>] rejected RCPT|MAIL|EHLO or HELO|
    /// connection|DATA|after DATA|VRFY|ETRN|AUTH …: reason` (also `temporarily rejected`),
    /// `rejected from <sender> H=…: message too big`, `F=<…> rejected by non-SMTP ACL: …`,
    /// `too many recipients: excess temporarily rejected: sender=<…> H=…` (`recipients_max`),
    /// `… rejected by local_scan(): …`, and refused connections (`refused connection from …
    /// (host_reject_connection)`, `(tcp wrappers)`, `connection from … refused (IP options)`,
    /// the daemon's `Connection from … refused: …`). A line that only quotes the word
    /// (`ignoring AUTH=… (rejected by ACL)`, a remote server's reply) is not one.
    /// See `LogLine.rejection`, `LogLine.isRejection` and `LogLineDetails.reason`.
    case rejected
    /// `SMTP protocol error in …` or `SMTP syntax error in …`.
    case protocolError
    /// `SMTP protocol synchronization error (…)`.
    case synchronizationError
    /// `SMTP connection from … (TCP/IP connection count = n)` or a local `-bs` session start.
    case connectionOpened
    /// `SMTP connection from … closed by QUIT` (or by another command).
    case connectionClosed
    /// `… lost …` / `unexpected disconnection while reading …`, the SMTP command and data
    /// timeouts, and `timed out while reading local message` (a local message's input
    /// stopped: Exim logs all of these under the `lost_incoming_connection` selector).
    case connectionLost
    /// `SMTP call from … dropped: …` (too many syntax errors, unrecognized commands, …), and
    /// `SMTP connection from … closed by DROP in ACL` (an ACL `drop`: counted as a rejection,
    /// `LogLine.rejection == .dropped`).
    case connectionDropped
    /// `no MAIL in SMTP connection from …`.
    case noMail
    /// `… incomplete transaction (…) from <…>`.
    case incompleteTransaction
    /// `TLS error on connection from …` (or `to …`), a delivery's `<id> H=name [ip] TLS error
    /// on connection (…): …`, and OpenSSL's certificate check `[ip] SSL verify error:
    /// depth=… error=… cert=…` (`SSL verify error: …` in older Exims), and tls-openssl.c's
    /// `TLS client disconnected cleanly (rejected our certificate?)` (the client hung up
    /// during the handshake).
    case tlsError
    /// `H=… sender verify fail for <addr>: …` (also `recipient verify fail`).
    case verifyFailed
    /// `Warning: …` or `WARNING: …` in any case (ACL `warn`, missing certificate, …), and
    /// receive.c's `spool directory space check failed: space=… inodes=…` (or `log
    /// directory …`): free space or inodes are below `check_spool_space` / `check_log_space`
    /// (and the inode limits), so incoming mail is refused with 452 until there is room;
    /// also smtp_in.c's `ignoring AUTH=<addr> from <host> (<why>)`: a MAIL command's
    /// authenticated sender was not accepted (reason: the text in the final parentheses);
    /// smtp_in.c's `ACL for QUIT|not-QUIT returned ERROR: <text>` (a misconfigured QUIT or
    /// not-QUIT ACL; reason: the text) and dnsbl.c's notices about a DNS list itself
    /// (`DNS list lookup for … returned <ip>; … discarded`, `DNS list lookup defer …`).
    case warning
    /// `H=… sender verify defer for <addr>: …`: verification could not complete (temporary).
    case verifyDeferred
    /// `<name> authenticator failed for <host>: 535 …` (a client's AUTH to this server failed),
    /// and `<id> <name> authenticator failed H=name [ip] 535 …` (this Exim's AUTH to a server,
    /// as the smtp transport logs it), and the transport's `<id> <name> authenticator cancelled
    /// authentication H=name [ip] <text>` (the client side gave up).
    case authenticationFailed
    /// `H=… F=<…> RCPT <…>: discarded by RCPT ACL` and other discards by an ACL
    /// (`discarded by DATA ACL`, `by non-SMTP ACL`, `by local_scan`): accepted, then dropped.
    case discarded
    /// `ETRN <arg> received from …` and `ATRN …` (remote queue starting, ODMR).
    case etrn
    /// `VRFY failed for <addr> H=…`.
    case vrfyFailed
    /// `no host name found for IP address …` / `no IP address found for host …` (reverse or
    /// forward lookup of a client failed).
    case hostLookupFailed
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
        "warning", "verifyDeferred", "authenticationFailed", "discarded", "etrn", "vrfyFailed",
        "hostLookupFailed", "arguments", "continuation", "rejectLogHeader", "blank", "other",
    ]
}

/// What was rejected, for every line that counts as a rejection (`LogLine.isRejection`):
/// the word after `rejected`, or what the line's format says.
public enum LogRejection: UInt8, Sendable, Hashable, CaseIterable {
    /// `rejected RCPT <addr>: reason` (also the recipients limit, `too many recipients: …`).
    case rcpt
    /// `rejected MAIL <addr>: reason`.
    case mail
    /// `rejected after DATA: reason` (or `rejected DATA`).
    case data
    /// `rejected EHLO or HELO …` / `rejected HELO from …`.
    case helo
    /// `rejected connection in "connect" ACL`, and refused connections
    /// (`host_reject_connection`, tcp wrappers, IP options, the daemon's limits).
    case connection
    /// `rejected from <sender> …: message too big …` (the size limit).
    case size
    /// `rejected VRFY`, `rejected EXPN`, `rejected ETRN`, `rejected AUTH`, or anything else.
    case other
    /// `SMTP protocol synchronization error (…): rejected …` (the client did not wait).
    case synchronization
    /// `SMTP connection from … closed by DROP in ACL` (an ACL `drop` ended the connection).
    case dropped
}

/// Why something was rejected, read from the reason text of a rejection line
/// (`LogLineDetails.rejectionReason`). Exim's own default texts are matched; anything
/// else an ACL says (`message = …`) is `.acl`.
public enum LogRejectionReason: UInt8, Sendable, Hashable, CaseIterable {
    /// `relay not permitted` (Exim's default for an unauthorised relay attempt).
    case relayNotPermitted
    /// `Sender verify failed`, `sender verify fail…`, `Could not complete sender verify`.
    case senderVerify
    /// `Unrouteable address`, `Unknown user`, `recipient verify …`: the recipient does not verify.
    case recipientVerify
    /// `message too big` (`message_size_limit`).
    case messageTooBig
    /// `syntactically invalid argument(s)`, `domain missing or malformed`, header syntax.
    case syntax
    /// A DNS block list matched (`is listed in`, `is in a black list at`).
    case dnsList
    /// The client sent before it was asked (synchronization error).
    case synchronization
    /// A refused connection (`host_reject_connection`, tcp wrappers, IP options, limits).
    case refusedConnection
    /// An ACL `drop`.
    case dropped
    /// Anything else: an ACL's own message (or none).
    case acl
}
