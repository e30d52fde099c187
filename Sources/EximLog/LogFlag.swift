/// The two characters that follow the message id on a main-log line about a delivery
/// or an arrival (eximon.md, section 4.3).
///
/// `rawValue` is a small dense number, so counters can live in a fixed array.
public enum LogFlag: UInt8, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// `<=`: the message arrived (reception).
    case arrival = 0
    /// `(=`: an arrival under "fakereject": the client was told no, the message was kept.
    case fakeRejectArrival
    /// `=>`: a normal delivery (the first address of a delivery).
    case delivery
    /// `->`: another address delivered in the same transaction.
    case additionalAddress
    /// `>>`: a cutthrough delivery (logged before the `<=` line).
    case cutthrough
    /// `*>`: a delivery suppressed by `-N` (would have been `=>`).
    case suppressed
    /// `**`: a permanent delivery failure (the address bounces).
    case failed
    /// `==`: a deferred delivery (temporary failure).
    case deferred

    /// The flag exactly as Exim writes it, e.g. `"<="`. Also the key in the monitor's JSON.
    public var text: String {
        switch self {
        case .arrival: return "<="
        case .fakeRejectArrival: return "(="
        case .delivery: return "=>"
        case .additionalAddress: return "->"
        case .cutthrough: return ">>"
        case .suppressed: return "*>"
        case .failed: return "**"
        case .deferred: return "=="
        }
    }

    /// Same as `text`.
    public var description: String { text }

    /// True for the flags that report a delivery attempt of an address
    /// (`=>`, `->`, `>>`, `*>`, `**`, `==`), false for the two arrival flags.
    public var isDelivery: Bool { self != .arrival && self != .fakeRejectArrival }

    /// The flag for two bytes, or nil if they are not one of Exim's flags.
    @inline(__always)
    static func from(_ a: UInt8, _ b: UInt8) -> LogFlag? {
        switch (a, b) {
        case (0x3C, 0x3D): return .arrival            // <=
        case (0x28, 0x3D): return .fakeRejectArrival  // (=
        case (0x3D, 0x3E): return .delivery           // =>
        case (0x2D, 0x3E): return .additionalAddress  // ->
        case (0x3E, 0x3E): return .cutthrough         // >>
        case (0x2A, 0x3E): return .suppressed         // *>
        case (0x2A, 0x2A): return .failed             // **
        case (0x3D, 0x3D): return .deferred           // ==
        default: return nil
        }
    }
}
