import Glibc

/// The dash options of a `-H` file that the reader knows by name (Exim 4.96's `spool_out.c`
/// set, plus a few older and newer ones). Anything else is `.unknown` and is kept, not dropped:
/// Exim itself ignores unknown options so that files from newer versions stay readable.
public enum SpoolOptionKind: Int, CaseIterable, Sendable {
    /// An option this reader does not know; its name and value are still available.
    case unknown = 0
    /// `-received_time_usec .NNNNNN`: the microsecond part of the received time.
    case receivedTimeUsec
    /// `-received_time_complete S.NNNNNN`: when reception finished.
    case receivedTimeComplete
    /// `-helo_name text`.
    case heloName
    /// `-host_address [ip]:port` (or the older `ip.port`).
    case hostAddress
    /// `-host_name text`: the verified reverse-DNS name of the sending host.
    case hostName
    /// `-host_auth name`: the authenticator used.
    case hostAuth
    /// `-host_auth_pubname name`.
    case hostAuthPubname
    /// `-interface_address [ip]:port`.
    case interfaceAddress
    /// `-active_hostname name`.
    case activeHostname
    /// `-ident text`: RFC 1413 ident or the local login.
    case ident
    /// `-received_protocol p`.
    case receivedProtocol
    /// `-aclc <name> <len>`: a connection ACL variable; value on the following line(s).
    case aclc
    /// `-aclm <name> <len>`: a message ACL variable; value on the following line(s).
    case aclm
    /// `-acl <n> <len>`: the pre-4.61 ACL variable form.
    case acl
    /// `-debug_selector 0x...`.
    case debugSelector
    /// `-debuglog_name path`.
    case debuglogName
    /// `-body_linecount N`.
    case bodyLinecount
    /// `-spool_file_wireformat`: the `-D` file has CRLF line endings.
    case spoolFileWireformat
    /// `-max_received_linelength N`.
    case maxReceivedLinelength
    /// `-body_zerocount N`.
    case bodyZerocount
    /// `-auth_id text`.
    case authID
    /// `-auth_sender address`.
    case authSender
    /// `-allow_unqualified_recipient`.
    case allowUnqualifiedRecipient
    /// `-allow_unqualified_sender`.
    case allowUnqualifiedSender
    /// `-deliver_firsttime`: no delivery attempted yet.
    case deliverFirsttime
    /// `-frozen T`: the message is frozen (since time T).
    case frozen
    /// `-N`: delivery suppressed.
    case noDelivery
    /// `-host_lookup_deferred`.
    case hostLookupDeferred
    /// `-host_lookup_failed`.
    case hostLookupFailed
    /// `-local`: local sender.
    case local
    /// `-localerror`: a locally generated bounce.
    case localError
    /// `-local_scan text`.
    case localScan
    /// `-spam_bar text`.
    case spamBar
    /// `-spam_score text`.
    case spamScore
    /// `-spam_score_int N`.
    case spamScoreInt
    /// `-manual_thaw`.
    case manualThaw
    /// `-sender_set_untrusted`: `exim -bp` then shows `<sender> (login)`.
    case senderSetUntrusted
    /// `-tls_certificate_verified`.
    case tlsCertificateVerified
    /// `-tls_cipher c`.
    case tlsCipher
    /// `-tls_peercert PEM`.
    case tlsPeercert
    /// `-tls_peerdn dn`.
    case tlsPeerdn
    /// `-tls_sni name`.
    case tlsSNI
    /// `-tls_ourcert PEM`.
    case tlsOurcert
    /// `-tls_ocsp N`.
    case tlsOCSP
    /// `-tls_resumption L`.
    case tlsResumption
    /// `-tls_ver v`.
    case tlsVersion
    /// `-tls_channelbinding data` (Exim 4.97+).
    case tlsChannelbinding
    /// `-smtputf8`.
    case smtputf8
    /// `-utf8_downcvt`.
    case utf8Downcvt
    /// `-utf8_optdowncvt`.
    case utf8Optdowncvt
    /// `-dsn_envid id`.
    case dsnEnvid
    /// `-dsn_ret N`.
    case dsnRet
    /// `-bmi_verdicts ...` (Brightmail).
    case bmiVerdicts

    /// The option's name as written in the file, without dashes.
    public var spoolName: String {
        switch self {
        case .unknown: return ""
        case .receivedTimeUsec: return "received_time_usec"
        case .receivedTimeComplete: return "received_time_complete"
        case .heloName: return "helo_name"
        case .hostAddress: return "host_address"
        case .hostName: return "host_name"
        case .hostAuth: return "host_auth"
        case .hostAuthPubname: return "host_auth_pubname"
        case .interfaceAddress: return "interface_address"
        case .activeHostname: return "active_hostname"
        case .ident: return "ident"
        case .receivedProtocol: return "received_protocol"
        case .aclc: return "aclc"
        case .aclm: return "aclm"
        case .acl: return "acl"
        case .debugSelector: return "debug_selector"
        case .debuglogName: return "debuglog_name"
        case .bodyLinecount: return "body_linecount"
        case .spoolFileWireformat: return "spool_file_wireformat"
        case .maxReceivedLinelength: return "max_received_linelength"
        case .bodyZerocount: return "body_zerocount"
        case .authID: return "auth_id"
        case .authSender: return "auth_sender"
        case .allowUnqualifiedRecipient: return "allow_unqualified_recipient"
        case .allowUnqualifiedSender: return "allow_unqualified_sender"
        case .deliverFirsttime: return "deliver_firsttime"
        case .frozen: return "frozen"
        case .noDelivery: return "N"
        case .hostLookupDeferred: return "host_lookup_deferred"
        case .hostLookupFailed: return "host_lookup_failed"
        case .local: return "local"
        case .localError: return "localerror"
        case .localScan: return "local_scan"
        case .spamBar: return "spam_bar"
        case .spamScore: return "spam_score"
        case .spamScoreInt: return "spam_score_int"
        case .manualThaw: return "manual_thaw"
        case .senderSetUntrusted: return "sender_set_untrusted"
        case .tlsCertificateVerified: return "tls_certificate_verified"
        case .tlsCipher: return "tls_cipher"
        case .tlsPeercert: return "tls_peercert"
        case .tlsPeerdn: return "tls_peerdn"
        case .tlsSNI: return "tls_sni"
        case .tlsOurcert: return "tls_ourcert"
        case .tlsOCSP: return "tls_ocsp"
        case .tlsResumption: return "tls_resumption"
        case .tlsVersion: return "tls_ver"
        case .tlsChannelbinding: return "tls_channelbinding"
        case .smtputf8: return "smtputf8"
        case .utf8Downcvt: return "utf8_downcvt"
        case .utf8Optdowncvt: return "utf8_optdowncvt"
        case .dsnEnvid: return "dsn_envid"
        case .dsnRet: return "dsn_ret"
        case .bmiVerdicts: return "bmi_verdicts"
        }
    }

    /// True for the ACL variable options, whose value follows on the next line(s).
    public var isACLVariable: Bool { self == .aclc || self == .aclm || self == .acl }

    /// The names and the hash table, built once and never freed: every kind's spool name
    /// as bytes (`names`, at `offsets[raw]`, `lengths[raw]` long) and an open-addressing
    /// table (512 slots, linear probing) from a name's FNV-1a hash to raw value + 1
    /// (0: empty slot). Plain pointers: no reference counting on the parser's hot path.
    private struct Table: @unchecked Sendable {
        let names: UnsafeMutablePointer<UInt8>
        let offsets: UnsafeMutablePointer<Int32>
        let lengths: UnsafeMutablePointer<Int32>
        let slots: UnsafeMutablePointer<UInt8>
    }

    private static let table: Table = {
        let all = allCases.map { Array($0.spoolName.utf8) }
        let total = all.reduce(0) { $0 + $1.count }
        let t = Table(names: .allocate(capacity: total), offsets: .allocate(capacity: all.count),
                      lengths: .allocate(capacity: all.count), slots: .allocate(capacity: 512))
        t.slots.initialize(repeating: 0, count: 512)
        var off = 0
        for (raw, n) in all.enumerated() {
            for (i, b) in n.enumerated() { t.names[off + i] = b }
            t.offsets[raw] = Int32(off)
            t.lengths[raw] = Int32(n.count)
            off += n.count
            guard raw != SpoolOptionKind.unknown.rawValue else { continue }
            var i = n.withUnsafeBytes { Int(truncatingIfNeeded: fnv1a($0)) } & 511
            while t.slots[i] != 0 { i = (i + 1) & 511 }
            t.slots[i] = UInt8(raw + 1)
        }
        return t
    }()

    /// FNV-1a hash of some bytes.
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The kind whose spool name is exactly `name`, or `.unknown`.
    static func lookup(_ name: UnsafeRawBufferPointer) -> SpoolOptionKind {
        guard name.count > 0, name.count <= 32, let base = name.baseAddress else { return .unknown }
        let t = table
        var i = Int(truncatingIfNeeded: fnv1a(name)) & 511
        while t.slots[i] != 0 {
            let raw = Int(t.slots[i]) - 1
            if Int(t.lengths[raw]) == name.count, memcmp(t.names + Int(t.offsets[raw]), base, name.count) == 0 {
                return SpoolOptionKind(rawValue: raw) ?? .unknown
            }
            i = (i + 1) & 511
        }
        return .unknown
    }
}
