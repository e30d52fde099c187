import Prometheus
import StoremonCore
import Synchronization

/// The metrics as the exporter serves them: a swift-prometheus registry fed one
/// `MetricsSnapshot` per refresh, and the latest exposition rendered from it in both formats.
///
/// `publish` is called by the refresh loop; `rendered(_:)` by the HTTP server's tasks, at any
/// time, from any thread. A scrape therefore only copies bytes rendered at the last refresh:
/// its cost does not grow with the queue, and it never sees a refresh half applied.
public final class MetricsExposition: Sendable {
    /// One rendering of the registry.
    public struct Rendering: Sendable {
        /// The text format (0.0.4).
        public var text: [UInt8]
        /// The OpenMetrics 1.0 form of the same metrics.
        public var openMetrics: [UInt8]
        /// The refresh it shows (0 before the first).
        public var refresh: Int
    }

    private struct State {
        var gauges: [Key: Gauge] = [:]
        var counters: [Key: Counter] = [:]
        var lastRefresh = 0
    }

    /// A series: a family's name and its label values.
    private struct Key: Hashable {
        var name: String
        var labels: [String]
    }

    private let registry = PrometheusCollectorRegistry()
    private let histogram: ValueHistogram
    private let state = Mutex(State())
    private let current: Mutex<Rendering>

    /// Creates an empty exposition (only `storemon_refresh_seconds`, with no observations,
    /// until the first `publish`).
    public init() {
        let family = MetricFamily.refreshSeconds
        histogram = registry.makeValueHistogram(descriptor: MetricsExposition.descriptor(family), buckets: MetricFamily.refreshBuckets)
        let text = MetricsExposition.ordered(registry.emitToBuffer())
        current = Mutex(Rendering(text: text, openMetrics: OpenMetrics.transform(text), refresh: 0))
    }

    /// Applies one refresh's values: sets every gauge and counter, records the refresh's
    /// duration once per refresh, drops series the snapshot no longer has (e.g. the queue
    /// while its spool cannot be read), and renders the result.
    ///
    /// - Parameter metrics: the values of the refresh (from `MetricsSnapshot(_:version:)`).
    public func publish(_ metrics: MetricsSnapshot) {
        state.withLock { state in
            var seenGauges = Set<Key>()
            var seenCounters = Set<Key>()
            for sample in metrics.samples {
                let labels = sample.labels.map { ($0.name, $0.value) }
                let key = Key(name: sample.family.name, labels: sample.labels.map(\.value))
                switch sample.family.kind {
                case .gauge:
                    let gauge = state.gauges[key] ?? registry.makeGauge(descriptor: MetricsExposition.descriptor(sample.family), labels: labels)
                    state.gauges[key] = gauge
                    gauge.set(sample.value)
                    seenGauges.insert(key)
                case .counter:
                    let counter = state.counters[key] ?? registry.makeCounter(descriptor: MetricsExposition.descriptor(sample.family), labels: labels)
                    state.counters[key] = counter
                    // The snapshot holds the total itself: set it (reset, then add).
                    counter.reset()
                    counter.increment(by: Int64(max(0, sample.value)))
                    seenCounters.insert(key)
                case .histogram:
                    break   // refreshSeconds, below
                }
            }
            for (key, gauge) in state.gauges where !seenGauges.contains(key) {
                registry.unregisterGauge(gauge)
                state.gauges[key] = nil
            }
            for (key, counter) in state.counters where !seenCounters.contains(key) {
                registry.unregisterCounter(counter)
                state.counters[key] = nil
            }
            if metrics.refresh != state.lastRefresh {
                histogram.record(metrics.refreshSeconds)
                state.lastRefresh = metrics.refresh
            }
            let text = MetricsExposition.ordered(registry.emitToBuffer())
            let rendering = Rendering(text: text, openMetrics: OpenMetrics.transform(text), refresh: metrics.refresh)
            current.withLock { $0 = rendering }
        }
    }

    /// The registry's output (families in hash order) put in a stable order for people and
    /// diffs: families as `MetricFamily.all` lists them, a gauge's or counter's series sorted
    /// by their labels (a histogram's lines keep their bucket order).
    static func ordered(_ text: [UInt8]) -> [UInt8] {
        struct Block { var name: Substring; var comments: [Substring] = []; var samples: [Substring] = []; var kind = "" }
        var blocks: [Block] = []
        let string = String(decoding: text, as: UTF8.self)
        for line in string.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# ") {
                let words = line.split(separator: " ", maxSplits: 3)
                guard words.count >= 3 else { continue }
                if blocks.last?.name != words[2] { blocks.append(Block(name: words[2])) }
                if words[1] == "TYPE", words.count == 4 { blocks[blocks.count - 1].kind = String(words[3]) }
                blocks[blocks.count - 1].comments.append(line)
            } else if !blocks.isEmpty {
                blocks[blocks.count - 1].samples.append(line)
            }
        }
        let rank = Dictionary(MetricFamily.all.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let sorted = blocks.enumerated().sorted { a, b in
            let ra = rank[String(a.element.name)] ?? Int.max, rb = rank[String(b.element.name)] ?? Int.max
            return ra != rb ? ra < rb : a.offset < b.offset
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        for (_, block) in sorted {
            for line in block.comments { out += line.utf8; out.append(0x0A) }
            for line in block.kind == "histogram" ? block.samples : block.samples.sorted() { out += line.utf8; out.append(0x0A) }
        }
        return out
    }

    /// swift-prometheus' name for a family (the whole name as `metricName`; the unit is part of it).
    private static func descriptor(_ family: MetricFamily) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: family.name, unitName: "", helpText: family.help)
    }

    /// The latest rendering.
    public var rendering: Rendering { current.withLock { $0 } }

    /// The latest exposition in `format`.
    public func body(_ format: ExpositionFormat) -> [UInt8] {
        current.withLock { format == .text ? $0.text : $0.openMetrics }
    }
}
