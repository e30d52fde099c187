/// What the flag letter before a stored header means (Exim's specification, chapter
/// "Format of spool files"): the letter Exim writes between a header's length and its
/// text in a `-H` file. Letters Exim may add in later releases read as `.other`.
public enum HeaderFlag: Sendable, Equatable {
    /// A space: an ordinary header Exim attaches no meaning to.
    case ordinary
    /// `*`: deleted or replaced; kept for debugging, not sent, not counted in the size.
    case deleted
    /// `B`: a Bcc: header.
    case bcc
    /// `C`: a Cc: header.
    case cc
    /// `F`: a From: header.
    case from
    /// `I`: a Message-ID: header.
    case messageID
    /// `P`: a Received: header ("postmark").
    case received
    /// `R`: a Reply-To: header.
    case replyTo
    /// `S`: a Sender: header.
    case sender
    /// `T`: a To: header.
    case to
    /// A letter this version does not know (the byte as written).
    case other(UInt8)

    /// The flag for a byte as written in a `-H` file.
    public init(byte: UInt8) {
        switch byte {
        case UInt8(ascii: " "): self = .ordinary
        case UInt8(ascii: "*"): self = .deleted
        case UInt8(ascii: "B"): self = .bcc
        case UInt8(ascii: "C"): self = .cc
        case UInt8(ascii: "F"): self = .from
        case UInt8(ascii: "I"): self = .messageID
        case UInt8(ascii: "P"): self = .received
        case UInt8(ascii: "R"): self = .replyTo
        case UInt8(ascii: "S"): self = .sender
        case UInt8(ascii: "T"): self = .to
        default: self = .other(byte)
        }
    }

    /// The byte Exim writes for this flag.
    public var byte: UInt8 {
        switch self {
        case .ordinary: return UInt8(ascii: " ")
        case .deleted: return UInt8(ascii: "*")
        case .bcc: return UInt8(ascii: "B")
        case .cc: return UInt8(ascii: "C")
        case .from: return UInt8(ascii: "F")
        case .messageID: return UInt8(ascii: "I")
        case .received: return UInt8(ascii: "P")
        case .replyTo: return UInt8(ascii: "R")
        case .sender: return UInt8(ascii: "S")
        case .to: return UInt8(ascii: "T")
        case .other(let b): return b
        }
    }

    /// A short English meaning, e.g. `Received`, `deleted`, `ordinary`.
    public var meaning: String {
        switch self {
        case .ordinary: return "ordinary"
        case .deleted: return "deleted (not sent)"
        case .bcc: return "Bcc"
        case .cc: return "Cc"
        case .from: return "From"
        case .messageID: return "Message-ID"
        case .received: return "Received"
        case .replyTo: return "Reply-To"
        case .sender: return "Sender"
        case .to: return "To"
        case .other: return "unknown flag"
        }
    }

    /// A machine name for JSON: `ordinary`, `deleted`, `bcc`, `cc`, `from`, `message-id`,
    /// `received`, `reply-to`, `sender`, `to`, `unknown`.
    public var name: String {
        switch self {
        case .ordinary: return "ordinary"
        case .deleted: return "deleted"
        case .bcc: return "bcc"
        case .cc: return "cc"
        case .from: return "from"
        case .messageID: return "message-id"
        case .received: return "received"
        case .replyTo: return "reply-to"
        case .sender: return "sender"
        case .to: return "to"
        case .other: return "unknown"
        }
    }
}

extension SpoolHeaderLine {
    /// The flag letter's meaning.
    public var kind: HeaderFlag { HeaderFlag(byte: flag) }
}
