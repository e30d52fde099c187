import EximFormats
import EximLog
import Foundation
import Store

/// One stripchart as a snapshot value: a title, its samples (oldest first) and its
/// full-scale value, auto-scaled like eximon's (10, 20, 50, 100, … going up at once and
/// down only after `StripchartScale.settleUpdates` lower updates).
public struct StripchartSeries: Sendable, Equatable {
    /// What a chart plots.
    public enum Kind: String, Sendable {
        /// Messages on the queue at each sample.
        case queue
        /// Log lines matching a pattern since the previous sample.
        case logPattern
        /// Bytes held by a pool pair (the pool and its tainted twin) at each sample.
        case poolBytes
    }

    /// The chart's title (`queue`, `in`, `out`, a `--stripchart` title, a pool's name).
    public var title: String
    /// What it plots.
    public var kind: Kind
    /// The samples, oldest first (at most `Stripcharts.historyLength`).
    public var values: [Int]
    /// The full-scale value (the top of the chart).
    public var fullScale: Int

    /// Creates a series.
    public init(title: String, kind: Kind, values: [Int], fullScale: Int) {
        self.title = title
        self.kind = kind
        self.values = values
        self.fullScale = fullScale
    }

    /// The newest sample (0 before the first).
    public var latest: Int { values.last ?? 0 }

    /// The label above the chart, as eximon writes it: the title, and `xN` (the value of one
    /// of ten divisions) when the scale is above 10, then the newest value; byte charts
    /// give the pool pair's bytes held now (`main 8.0K`).
    public var label: String {
        switch kind {
        case .poolBytes: return "\(title) \(EximSize.short(latest))"
        case .queue, .logPattern: return (fullScale > 10 ? "\(title) x\(fullScale / 10)" : title) + " \(latest)"
        }
    }

    /// The label in at most `columns` columns: the full label, else with counts of 10,000
    /// and more written `10k`, `1.2M` (the scale `x1k`), else without the title's scale.
    public func label(maxColumns columns: Int) -> String {
        let full = label
        if full.count <= columns || kind == .poolBytes { return full }
        let short = (fullScale > 10 ? "\(title) x\(Self.compact(fullScale / 10))" : title) + " \(Self.compact(latest))"
        if short.count <= columns { return short }
        return "\(title) \(Self.compact(latest))"
    }

    /// A count in at most five characters: `9999`, `10k`, `250k`, `1.2M`.
    static func compact(_ n: Int) -> String {
        if n < 10_000 { return String(n) }
        if n < 1_000_000 { return "\(n / 1000)k" }
        let tenths = n / 100_000
        return tenths < 100 ? "\(tenths / 10).\(tenths % 10)M" : "\(n / 1_000_000)M"
    }

    /// The samples as column heights for a chart `width` columns wide and `levels` levels
    /// high (rows × 8 for block characters): the newest at the right, nil where there is no
    /// sample or it is zero, else 0 ..< `levels` against the full scale.
    public func heights(width: Int, levels: Int) -> [Int?] {
        guard width > 0, levels > 0 else { return [] }
        let shown = values.suffix(width)
        var out = [Int?](repeating: nil, count: width - shown.count)
        let top = Double(max(1, fullScale))
        for v in shown {
            if v <= 0 { out.append(nil); continue }
            out.append(min(levels - 1, max(0, Int((Double(v) / top * Double(levels)).rounded(.up)) - 1)))
        }
        return out
    }
}

/// eximon's auto-scaling: the full scale is the smallest of 10, 20, 50, 100, 200, 500, …
/// (on: 1, 2, 5 times a power of ten) that holds every sample shown; it goes up at once and
/// comes down only after `settleUpdates` updates in a row that fit a lower scale.
public struct StripchartScale: Sendable, Equatable {
    /// Updates in a row below the scale before it comes down (eximon: about 20).
    public static let settleUpdates = 20
    /// The full scale now.
    public private(set) var fullScale: Int
    private var lowUpdates = 0
    private let floor: Int

    /// A scale starting at (and never below) `floor` (10 for counts).
    public init(floor: Int = 10) {
        self.floor = max(1, floor)
        fullScale = self.floor
    }

    /// The smallest 1-2-5 step at or above `value` (never below `floor`).
    public static func step(atLeast value: Int, floor: Int = 10) -> Int {
        var s = max(1, floor)
        var k = 0
        // 10, 20, 50, 100, … from the floor's own 1-2-5 position
        while s < value {
            let next = k % 3 == 1 ? s / 2 * 5 : s * 2
            if next <= s { return Int.max }   // overflow guard
            s = next
            k += 1
        }
        return s
    }

    /// Takes the largest sample shown now; returns the full scale to draw with.
    @discardableResult
    public mutating func update(maximum: Int) -> Int {
        let needed = StripchartScale.step(atLeast: maximum, floor: floor)
        if needed > fullScale {
            fullScale = needed
            lowUpdates = 0
        } else if needed < fullScale {
            lowUpdates += 1
            if lowUpdates >= StripchartScale.settleUpdates {
                fullScale = needed
                lowUpdates = 0
            }
        } else {
            lowUpdates = 0
        }
        return fullScale
    }
}

/// A log pattern chart: a regular expression tried on every complete raw log line
/// (timestamp included, as eximon does) and a title.
///
/// `@unchecked Sendable`: `Regex<AnyRegexOutput>` is not marked `Sendable`, but a chart
/// is immutable after `init` and a compiled `Regex` is a value that matching never changes.
public struct LogPatternChart: @unchecked Sendable {
    /// The expression as given.
    public let source: String
    /// The chart's title.
    public let title: String
    let regex: Regex<AnyRegexOutput>

    /// Parses `REGEX=TITLE` (split at the last `=`, so the expression may hold `=`).
    /// - Throws: `LogPatternChart.ParseError` with a sentence for the usage message.
    public init(argument: String) throws(ParseError) {
        guard let eq = argument.lastIndex(of: "=") else {
            throw ParseError("--stripchart '\(argument)': expected REGEX=TITLE (e.g. ' <= .* P=esmtps=tls in')")
        }
        let pattern = String(argument[..<eq])
        let title = String(argument[argument.index(after: eq)...])
        try self.init(pattern: pattern, title: title)
    }

    /// A chart for `pattern` (Swift `Regex` syntax, close to PCRE's) titled `title`.
    public init(pattern: String, title: String) throws(ParseError) {
        guard !pattern.isEmpty else { throw ParseError("--stripchart: the regular expression before '=' is empty") }
        let t = title.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { throw ParseError("--stripchart '\(pattern)=': the title after '=' is empty") }
        guard t.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) }),
              t.utf8.count <= 40 else {
            throw ParseError("--stripchart: the title must be printable and at most 40 bytes")
        }
        do {
            regex = try Regex(pattern)
        } catch {
            throw ParseError("--stripchart '\(pattern)': not a valid regular expression: \(error)")
        }
        source = pattern
        self.title = t
    }

    /// eximon's default log charts: in ` <= `, out ` => `, local ` => .+ R=local`,
    /// smtp ` => .+ T=[^ ]*smtp`.
    public static let defaults: [LogPatternChart] = [
        (" <= ", "in"), (" => ", "out"), (" => .+ R=local", "local"), (" => .+ T=[^ ]*smtp", "smtp"),
    ].map { try! LogPatternChart(pattern: $0.0, title: $0.1) }

    /// Whether a raw line matches.
    func matches(_ line: String) -> Bool { line.contains(regex) }

    /// Why a `--stripchart` argument was refused.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        /// A sentence for the usage message.
        public let description: String
        init(_ d: String) { description = d }
    }
}

/// The stripcharts' running state (a session owns one): the pattern totals counted as
/// log lines are read, the samples taken at each refresh, the scales with their
/// hysteresis. `sample` turns it into snapshot values.
public final class Stripcharts {
    /// Samples kept per chart (the widest chart drawn).
    public static let historyLength = 240
    /// The log pattern charts.
    public let patterns: [LogPatternChart]
    private var totals: [Int]
    private var sampledTotals: [Int]
    private var series: [StripchartSeries] = []
    private var scales: [StripchartScale] = []
    private var started = false

    /// Charts for `patterns` (eximon's defaults plus `--stripchart`s), the queue and the pools.
    public init(patterns: [LogPatternChart]) {
        self.patterns = patterns
        totals = Array(repeating: 0, count: patterns.count)
        sampledTotals = totals
    }

    /// Counts one log line against every pattern (the whole raw line, timestamp included).
    public func count(_ line: LogLine) {
        guard !patterns.isEmpty else { return }
        let text = line.bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        for (i, p) in patterns.enumerated() where p.matches(text) { totals[i] += 1 }
    }

    /// Takes a sample (queue size, pattern counts since the last sample, pool pairs' held
    /// bytes) and returns every chart as snapshot values. The first sample's pattern
    /// counts are zero: the lines read at start are history, not a rate.
    public func sample(queueSize: Int, pools: [PoolSnapshot]) -> [StripchartSeries] {
        var values: [(String, StripchartSeries.Kind, Int)] = [("queue", .queue, queueSize)]
        for (i, p) in patterns.enumerated() {
            values.append((p.title, .logPattern, started ? totals[i] - sampledTotals[i] : 0))
        }
        sampledTotals = totals
        started = true
        for pair in 0..<min(5, pools.count) {
            let held = pools[pair].statistics.bytes + (pools.count > pair + 5 ? pools[pair + 5].statistics.bytes : 0)
            values.append(("\(pools[pair].kind)", .poolBytes, held))
        }
        if series.count != values.count {
            series = values.map { StripchartSeries(title: $0.0, kind: $0.1, values: [], fullScale: 10) }
            scales = values.map { StripchartScale(floor: $0.1 == .poolBytes ? 1024 : 10) }
        }
        for (i, v) in values.enumerated() {
            series[i].values.append(max(0, v.2))
            if series[i].values.count > Stripcharts.historyLength { series[i].values.removeFirst() }
            series[i].fullScale = scales[i].update(maximum: series[i].values.max() ?? 0)
        }
        return series
    }
}
