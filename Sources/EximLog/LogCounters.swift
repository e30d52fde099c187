/// Running counts of log lines, for the monitor's status and JSON
/// (`log.byFlag` keyed by the flag text, `rejected`, `other`, `lines`).
///
/// A plain value (outlives every pool reset). `count(_:)` is O(1) and allocation free.
public struct LogCounters: Sendable, Equatable, Codable {
    /// Physical lines seen (blank and continuation lines included).
    public var lines: Int = 0
    /// Lines that count as rejections (`LogLine.isRejection`: Exim's rejection formats,
    /// synchronization errors, ACL drops; temporary ones included).
    public var rejected: Int = 0
    /// Lines of kind `.other` (not understood; kept and shown, never dropped).
    public var other: Int = 0
    /// Lines delivered cut to the tailer's line cap.
    public var truncated: Int = 0
    private var flags = [Int](repeating: 0, count: LogFlag.allCases.count)
    private var kinds = [Int](repeating: 0, count: LogLineKind.allCases.count)

    /// Zero counts.
    public init() {}

    /// Counts one line.
    @inline(__always)
    public mutating func count(_ line: LogLine) {
        lines += 1
        let k = line.kind
        kinds[Int(k.rawValue)] += 1
        if let f = line.flag { flags[Int(f.rawValue)] += 1 }
        if line.isRejection { rejected += 1 }
        if k == .other { other += 1 }
        if line.isTruncated { truncated += 1 }
    }

    /// Adds another set of counts (e.g. one refresh's batch) to these.
    public mutating func add(_ o: LogCounters) {
        lines += o.lines; rejected += o.rejected; other += o.other; truncated += o.truncated
        for i in flags.indices { flags[i] += o.flags[i] }
        for i in kinds.indices { kinds[i] += o.kinds[i] }
    }

    /// Lines with this flag.
    public subscript(flag flag: LogFlag) -> Int { flags[Int(flag.rawValue)] }
    /// Lines of this kind.
    public subscript(kind kind: LogLineKind) -> Int { kinds[Int(kind.rawValue)] }

    /// Every flag with its count (zeros included).
    public var byFlag: [LogFlag: Int] {
        var d: [LogFlag: Int] = [:]
        for f in LogFlag.allCases { d[f] = flags[Int(f.rawValue)] }
        return d
    }
    /// Every flag's text (`"<="`, …) with its count: the JSON `log.byFlag` object.
    public var byFlagText: [String: Int] {
        var d: [String: Int] = [:]
        for f in LogFlag.allCases { d[f.text] = flags[Int(f.rawValue)] }
        return d
    }
    /// Every kind's name with its count (zeros left out).
    public var byKind: [String: Int] {
        var d: [String: Int] = [:]
        for k in LogLineKind.allCases where kinds[Int(k.rawValue)] > 0 { d[k.description] = kinds[Int(k.rawValue)] }
        return d
    }

    private enum CodingKeys: String, CodingKey { case lines, byFlag, rejected, other, truncated, byKind }

    /// Encodes `{"lines":…, "byFlag":{"<=":…}, "rejected":…, "other":…, "truncated":…, "byKind":{…}}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lines, forKey: .lines)
        try c.encode(byFlagText, forKey: .byFlag)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(other, forKey: .other)
        try c.encode(truncated, forKey: .truncated)
        try c.encode(byKind, forKey: .byKind)
    }

    /// Decodes what `encode(to:)` wrote (unknown flag texts and kind names are ignored).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lines = try c.decode(Int.self, forKey: .lines)
        rejected = try c.decode(Int.self, forKey: .rejected)
        other = try c.decode(Int.self, forKey: .other)
        truncated = try c.decodeIfPresent(Int.self, forKey: .truncated) ?? 0
        let bf = try c.decodeIfPresent([String: Int].self, forKey: .byFlag) ?? [:]
        for f in LogFlag.allCases { flags[Int(f.rawValue)] = bf[f.text] ?? 0 }
        let bk = try c.decodeIfPresent([String: Int].self, forKey: .byKind) ?? [:]
        for k in LogLineKind.allCases { kinds[Int(k.rawValue)] = bk[k.description] ?? 0 }
    }
}
