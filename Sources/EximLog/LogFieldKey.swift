/// A `KEY=value` field of a main-log line that the parser records (eximon.md, section 4.4).
/// Other keys are left in the line's text as opaque words.
///
/// The case names are Exim's own field letters. Some keys mean different things on
/// different lines: `P=` is the protocol on `<=` lines but the return path on `=>`
/// lines; `R=` is the bounced message's id on `<=` lines but the router elsewhere;
/// `T=` is the subject on `<=` lines but the transport elsewhere.
public enum LogFieldKey: UInt8, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// `A=`: authenticator.
    case A = 0
    /// `C=`: SMTP confirmation (quoted) on `=>`, or the command list on "no MAIL" lines.
    case C
    /// `CV=`: TLS certificate verified (`yes`, `no`, `dane`).
    case CV
    /// `Ci=`: connection id.
    case Ci
    /// `D=`: session duration.
    case D
    /// `DKIM=`: the domain that passed DKIM verification.
    case DKIM
    /// `DN=`: the TLS peer's certificate DN (quoted).
    case DN
    /// `DT=`: delivery time.
    case DT
    /// `F=`: the sender `<addr>`.
    case F
    /// `H=`: the host, which can span several words: `name [ip]`, `(helo) [ip]:port`, `name (helo) [ip]`.
    case H
    /// `I=`: the local interface `[ip]:port`.
    case I
    /// `id=` (or `id*=`): the `Message-ID:` header.
    case id
    /// `M8S=`: 8BITMIME.
    case M8S
    /// `P=`: protocol on `<=` lines, return path on delivery lines.
    case P
    /// `PRX=`: proxy address.
    case PRX
    /// `Q=`: named queue.
    case Q
    /// `QT=`: time on the queue.
    case QT
    /// `R=`: router, or on `<=` lines the id of the message that bounced.
    case R
    /// `RT=`: receive time.
    case RT
    /// `S=`: size in bytes.
    case S
    /// `SNI=`: TLS SNI.
    case SNI
    /// `ST=`: the shadow transport that also ran for a local delivery (its name; a failure
    /// follows as `(error text)`, which is skipped).
    case ST
    /// `T=`: subject (quoted) on `<=` lines, transport elsewhere.
    case T
    /// `U=`: local user or ident.
    case U
    /// `X=`: TLS cipher suite.
    case X

    /// Number of keys (the size of the per-line field table).
    static let count = 25

    /// The key as Exim writes it, without the `=`.
    public var description: String {
        switch self {
        case .A: return "A"
        case .C: return "C"
        case .CV: return "CV"
        case .Ci: return "Ci"
        case .D: return "D"
        case .DKIM: return "DKIM"
        case .DN: return "DN"
        case .DT: return "DT"
        case .F: return "F"
        case .H: return "H"
        case .I: return "I"
        case .id: return "id"
        case .M8S: return "M8S"
        case .P: return "P"
        case .PRX: return "PRX"
        case .Q: return "Q"
        case .QT: return "QT"
        case .R: return "R"
        case .RT: return "RT"
        case .S: return "S"
        case .SNI: return "SNI"
        case .ST: return "ST"
        case .T: return "T"
        case .U: return "U"
        case .X: return "X"
        }
    }

    /// The key for the bytes `p[0..<n]` (the text before `=`), or nil if not recorded.
    @inline(__always)
    static func lookup(_ p: UnsafePointer<UInt8>, _ n: Int) -> LogFieldKey? {
        switch n {
        case 1:
            switch p[0] {
            case 0x41: return .A
            case 0x43: return .C
            case 0x44: return .D
            case 0x46: return .F
            case 0x48: return .H
            case 0x49: return .I
            case 0x50: return .P
            case 0x51: return .Q
            case 0x52: return .R
            case 0x53: return .S
            case 0x54: return .T
            case 0x55: return .U
            case 0x58: return .X
            default: return nil
            }
        case 2:
            switch (p[0], p[1]) {
            case (0x43, 0x56): return .CV      // CV
            case (0x43, 0x69): return .Ci      // Ci
            case (0x44, 0x4E): return .DN      // DN
            case (0x44, 0x54): return .DT      // DT
            case (0x69, 0x64): return .id      // id
            case (0x51, 0x54): return .QT      // QT
            case (0x52, 0x54): return .RT      // RT
            case (0x53, 0x54): return .ST      // ST
            default: return nil
            }
        case 3:
            if p[0] == 0x69 && p[1] == 0x64 && p[2] == 0x2A { return .id }        // id*
            if p[0] == 0x4D && p[1] == 0x38 && p[2] == 0x53 { return .M8S }      // M8S
            if p[0] == 0x50 && p[1] == 0x52 && p[2] == 0x58 { return .PRX }      // PRX
            if p[0] == 0x53 && p[1] == 0x4E && p[2] == 0x49 { return .SNI }      // SNI
            return nil
        case 4:
            if p[0] == 0x44 && p[1] == 0x4B && p[2] == 0x49 && p[3] == 0x4D { return .DKIM }
            return nil
        default:
            return nil
        }
    }
}
