import EximFormats
import EximSpool
import Foundation
import Store

/// Everything `storemon show` and the monitor's message overlay display about one queued
/// message, copied out of the pools into plain values: the envelope, the recipients
/// (pending and delivered), every stored header with what its flag means, the message
/// log, and (when asked for) the start of the body.
///
/// Data flows one way: `SpoolMessage` (EximSpool, views into a tainted pool) →
/// `MessageView` (values that survive the pool's reset) → text (`MessageViewText`) or
/// JSON (`MessageViewJSON`). Text from the spool stays `TaintedString` until it is quoted.
public struct MessageView: Sendable {
    /// The message id.
    public var id: MessageID
    /// Where the files are.
    public var location: SpoolMessageLocation
    /// The envelope.
    public var envelope: Envelope
    /// Every original recipient, in `-H` order, with its delivered mark.
    public var recipients: [Recipient]
    /// Every stored header, in `-H` order, deleted ones included.
    public var headers: [Header]
    /// The message log (`msglog/ID`).
    public var messageLog: FileText
    /// The body (after the `-D` file's first line), when it was asked for.
    public var body: FileText?

    /// The most body bytes `storemon show --body` and the overlay read: 256 KiB.
    public static let bodyLimit = 256 << 10

    /// Recipients not yet delivered.
    public var pending: [Recipient] { recipients.filter { !$0.delivered } }
    /// Recipients already delivered (in the non-recipients tree or the `-J` journal).
    public var delivered: [Recipient] { recipients.filter { $0.delivered } }

    /// The envelope: who sent it, when, how big, its state, where it came from.
    public struct Envelope: Sendable {
        /// Envelope sender without `<>`; empty for a bounce.
        public var sender: TaintedString
        /// Originator login, uid and gid (`-H` line 2).
        public var login: TaintedString
        /// Originator uid.
        public var uid: Int
        /// Originator gid.
        public var gid: Int
        /// An untrusted local user set the sender (`exim -bp` shows `sender (login)`).
        public var senderSetUntrusted: Bool
        /// A local sender (`-local`).
        public var isLocal: Bool
        /// When reception started, seconds since the epoch.
        public var receivedTime: Int
        /// Microseconds of the received time.
        public var receivedMicroseconds: Int
        /// Seconds on the queue at the time the view was made.
        public var ageSeconds: Int
        /// The `exim -bp` size (live headers + body), nil without a `-D` file.
        public var size: Int?
        /// The size as `exim -bp` prints it (5 columns).
        public var sizeText: String
        /// When it was frozen, nil when it is not frozen.
        public var frozenSince: Int?
        /// Delay warnings sent so far.
        public var warningCount: Int
        /// `-body_linecount`, when present.
        public var bodyLineCount: Int?
        /// The sending host and reception details (nil fields are absent in `-H`).
        public var host: Host
        /// SMTP authentication, if any.
        public var authentication: Authentication
        /// Inbound TLS, if any.
        public var tls: TLS
        /// ACL variables (`acl_c…`, `acl_m…`) kept with the message.
        public var aclVariables: [ACLVariable]
        /// Every other option line of `-H`, in file order (unknown ones included).
        public var options: [Option]

        /// True when the message is frozen.
        public var isFrozen: Bool { frozenSince != nil }
        /// True for a bounce (null sender `<>`).
        public var isBounce: Bool { sender.isEmpty }
        /// The age as `exim -bp` prints it (`%2dm`, `%2dh`, `%2dd`).
        public var ageText: String { EximAge.columns(seconds: ageSeconds) }
    }

    /// Where the message came from.
    public struct Host: Sendable {
        /// `-host_address` as written (`[ip]:port` or `ip.port`); nil for local mail.
        public var address: TaintedString?
        /// `-host_name`: the verified reverse-DNS name.
        public var name: TaintedString?
        /// `-helo_name`.
        public var helo: TaintedString?
        /// `-ident`: RFC 1413 ident, or the local login.
        public var ident: TaintedString?
        /// `-interface_address`: the local address it arrived on.
        public var interface: TaintedString?
        /// `-received_protocol` (`local`, `esmtps`, …).
        public var protocolName: TaintedString?
        /// `-active_hostname`.
        public var activeHostname: TaintedString?
    }

    /// SMTP authentication results.
    public struct Authentication: Sendable {
        /// `-host_auth`: the authenticator's driver name.
        public var authenticator: TaintedString?
        /// `-host_auth_pubname`: the mechanism's public name.
        public var publicName: TaintedString?
        /// `-auth_id`: the authenticated id.
        public var id: TaintedString?
        /// `-auth_sender`: the AUTH= sender.
        public var sender: TaintedString?
        /// Whether anything is known.
        public var isEmpty: Bool { authenticator == nil && publicName == nil && id == nil && sender == nil }
    }

    /// Inbound TLS details.
    public struct TLS: Sendable {
        /// `-tls_cipher`.
        public var cipher: TaintedString?
        /// `-tls_ver`.
        public var version: TaintedString?
        /// `-tls_peerdn`.
        public var peerDN: TaintedString?
        /// `-tls_sni`.
        public var sni: TaintedString?
        /// `-tls_certificate_verified`.
        public var certificateVerified: Bool
        /// Whether anything is known.
        public var isEmpty: Bool { cipher == nil && version == nil && peerDN == nil && sni == nil && !certificateVerified }
    }

    /// An ACL variable stored with the message.
    public struct ACLVariable: Sendable {
        /// Its full name: `acl_c_helo_seen`, `acl_m0` (pre-4.61 `-acl N`: `acl_c0`…`acl_m9`).
        public var name: TaintedString
        /// Its value (may hold newlines).
        public var value: TaintedString
    }

    /// An option line of `-H`.
    public struct Option: Sendable {
        /// Which option (`.unknown` for one this version does not know).
        public var kind: SpoolOptionKind
        /// The name without dashes (`deliver_firsttime`, `received_time_complete`).
        public var name: TaintedString
        /// The value, nil for a flag.
        public var value: TaintedString?
        /// Written with two dashes: the value came from outside (tainted in Exim).
        public var isTainted: Bool
    }

    /// One recipient.
    public struct Recipient: Sendable {
        /// The address.
        public var address: TaintedString
        /// Delivered (non-recipients tree or `-J`).
        public var delivered: Bool
        /// The errors_to address, if any.
        public var errorsTo: TaintedString?
        /// The DSN ORCPT, if any.
        public var orcpt: TaintedString?
        /// DSN flags (0x02 NEVER, 0x04 SUCCESS, 0x08 FAILURE, 0x10 DELAY).
        public var dsnFlags: Int
    }

    /// One stored header.
    public struct Header: Sendable {
        /// Its flag and what the flag means.
        public var flag: HeaderFlag
        /// The header text, continuation lines and final newline included.
        public var text: TaintedString
        /// False for a deleted header (`*`): not sent, not counted in the size.
        public var isLive: Bool { flag != .deleted }
    }

    /// The start of a file shown as text (message log, body), or why it is not shown.
    public struct FileText: Sendable {
        /// The file.
        public var path: String
        /// The bytes read (at most the limit), nil when the file was not read.
        public var text: TaintedString?
        /// The whole file's size in bytes (for a body: without the `-D` first line).
        public var fileSize: Int
        /// Why it was not read (path, cause, fix), nil when it was read.
        public var problem: String?
        /// True when the file did not exist (a message log is removed when delivery
        /// completes, or never written when `message_logs = false`).
        public var isAbsent: Bool
        /// True when only the first `text.byteCount` of `fileSize` bytes were read.
        public var isCut: Bool { (text?.byteCount ?? fileSize) < fileSize }
    }
}

extension MessageView {
    /// Copies a message read by `SpoolMessage.read` out of the pools. `now` is seconds
    /// since the epoch (for the age).
    public init(_ m: SpoolMessage, now: Int) {
        let h = m.message.header
        id = m.message.id
        location = m.location
        func value(_ k: SpoolOptionKind) -> TaintedString? { h.first(k)?.value?.copiedOut() }
        var acl: [ACLVariable] = []
        var options: [Option] = []
        for o in h.options {
            if o.kind.isACLVariable {
                acl.append(ACLVariable(name: MessageView.aclName(o), value: o.value?.copiedOut() ?? TaintedString(tainting: "")))
            } else {
                options.append(Option(kind: o.kind, name: o.name.copiedOut(), value: o.value?.copiedOut(), isTainted: o.isTainted))
            }
        }
        envelope = Envelope(
            sender: h.sender.copiedOut(), login: h.login.copiedOut(), uid: h.uid, gid: h.gid,
            senderSetUntrusted: h.senderSetUntrusted, isLocal: h.isLocal,
            receivedTime: h.receivedTime, receivedMicroseconds: h.receivedMicroseconds,
            ageSeconds: max(0, m.message.age(now: now)), size: m.message.size, sizeText: m.message.sizeText,
            frozenSince: h.frozenSince, warningCount: h.warningCount,
            bodyLineCount: h.first(.bodyLinecount)?.value?.decimalValue(),
            host: Host(address: value(.hostAddress), name: value(.hostName), helo: value(.heloName),
                       ident: value(.ident), interface: value(.interfaceAddress),
                       protocolName: value(.receivedProtocol), activeHostname: value(.activeHostname)),
            authentication: Authentication(authenticator: value(.hostAuth), publicName: value(.hostAuthPubname),
                                           id: value(.authID), sender: value(.authSender)),
            tls: TLS(cipher: value(.tlsCipher), version: value(.tlsVersion), peerDN: value(.tlsPeerdn),
                     sni: value(.tlsSNI), certificateVerified: h.has(.tlsCertificateVerified)),
            aclVariables: acl, options: options)
        recipients = (0..<h.recipientCount).map { i in
            let r = h.recipient(i)
            return Recipient(address: r.address.copiedOut(), delivered: m.message.deliveredFlags[i],
                             errorsTo: r.errorsTo?.copiedOut(), orcpt: r.orcpt?.copiedOut(), dsnFlags: r.dsnFlags)
        }
        headers = h.headers.map { Header(flag: $0.kind, text: $0.text.copiedOut()) }
        messageLog = FileText(m.messageLog)
        body = m.body.map { FileText($0) }
    }

    /// `acl_c_name` / `acl_m0` from an option; `-acl N` (before 4.61): N 0–9 connection, 10–19 message.
    static func aclName(_ o: SpoolOption) -> TaintedString {
        let rest = o.aclName?.copiedOut() ?? TaintedString(tainting: "")
        var prefix: String
        switch o.kind {
        case .aclc: prefix = "acl_c"
        case .aclm: prefix = "acl_m"
        default:
            if let n = o.aclName?.decimalValue(), n >= 0, n < 20 {
                return TaintedString(tainting: (n < 10 ? "acl_c" : "acl_m") + String(n % 10))
            }
            prefix = "acl_"
        }
        return rest.withTaintedBytes { b in
            var bytes = Array(prefix.utf8)
            b.withUnsafeBytes { bytes.append(contentsOf: $0) }
            return TaintedString(taintingBytes: bytes)
        }
    }
}

extension MessageView.FileText {
    init(_ e: SpoolFileExcerpt) {
        path = e.path
        problem = e.problem
        switch e.outcome {
        case .read(let b, let size):
            text = b.copiedOut()
            fileSize = size
            isAbsent = false
        case .absent:
            text = nil
            fileSize = 0
            isAbsent = true
        default:
            text = nil
            fileSize = 0
            isAbsent = false
        }
    }
}

/// Why `MessageView.read` gave no view.
public enum MessageViewError: Error, Equatable, CustomStringConvertible {
    /// The text is not an Exim message id.
    case malformedID(String)
    /// The spool could not give the message (not queued, unreadable, corrupt).
    case spool(SpoolMessageError)
    /// The store refused (a bug).
    case store(StoreError)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .malformedID(let s):
            return "\"\(TerminalQuoter().quote(untainted: s))\" is not an Exim message id (16 characters like 1xZl3a-0002jZ-0Q, or 23 like 1tSxTb-00000000CXd-29Hd)"
        case .spool(.unreadable(let path, _, let code)) where code == EACCES:
            return PathAccess.readProblem(path, role: .spool) ?? SpoolMessageError.unreadable(path: path, operation: "open", errno: code).description
        case .spool(let e): return e.description
        case .store(let e): return "store: \(e)"
        }
    }
}

extension MessageView {
    /// Reads message `id` from the spool and copies it out: a private `Store` is used and
    /// reset, so nothing is left in any pool.
    /// - Parameters: `id` the message id as typed; `spoolDirectory` the directory holding
    ///   `input/`; `queueName` a named queue or nil; `bodyLimit` nil to skip the body, else
    ///   the most body bytes to show; `now` seconds since the epoch.
    public static func read(id text: String, spoolDirectory: String, queueName: String? = nil,
                            bodyLimit: Int? = nil, now: Int) throws(MessageViewError) -> MessageView {
        guard let id = MessageID(text) else { throw .malformedID(text) }
        let store: Store
        let mark: Store.Mark
        do {
            store = try Store()
            store.currentPool = .message
            mark = try store.mark()
        } catch { throw .store(error) }
        defer { try? store.reset(to: mark) }
        do {
            let m = try SpoolMessage.read(id, spoolDirectory: spoolDirectory, queueName: queueName,
                                          into: store, bodyLimit: bodyLimit)
            return MessageView(m, now: now)
        } catch {
            throw .spool(error)
        }
    }
}
