/// What kind of Prometheus metric a family is (its `# TYPE`).
public enum MetricKind: String, Sendable, Hashable {
    /// A value that goes up and down.
    case gauge
    /// A total that only goes up (it starts again at zero when storemon restarts).
    case counter
    /// Observations counted into cumulative buckets, with their sum and count.
    case histogram
}

/// One metric family that `storemon export` publishes: its name, `# HELP` text, `# TYPE`
/// and label names. The families are a fixed catalogue (`MetricFamily.all`), so the README's
/// table, the exposition and the tests all speak of the same names.
public struct MetricFamily: Sendable, Hashable {
    /// The metric's name (counters end in `_total`, as Prometheus' naming rules ask).
    public let name: String
    /// The `# HELP` text: plain ASCII, no backslash, quote or newline (so both the text format
    /// and OpenMetrics carry it unescaped).
    public let help: String
    /// The `# TYPE`.
    public let kind: MetricKind
    /// The label names every sample of the family has, in order.
    public let labelNames: [String]

    init(_ name: String, _ kind: MetricKind, _ help: String, labels: [String] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labelNames = labels
    }
}

extension MetricFamily {
    /// `exim_queue_messages`.
    public static let queueMessages = MetricFamily(
        "exim_queue_messages", .gauge, "Messages in Exim's queue (as exim -bpc counts them).")
    /// `exim_queue_frozen_messages`.
    public static let queueFrozenMessages = MetricFamily(
        "exim_queue_frozen_messages", .gauge, "Frozen messages in Exim's queue.")
    /// `exim_queue_bytes`.
    public static let queueBytes = MetricFamily(
        "exim_queue_bytes", .gauge, "Total size of the queued messages in bytes, as exim -bp computes each size.")
    /// `exim_queue_oldest_message_age_seconds`.
    public static let queueOldestAge = MetricFamily(
        "exim_queue_oldest_message_age_seconds", .gauge,
        "Seconds since the oldest queued message was received (0 when the queue is empty).")
    /// `exim_queue_unreadable_files`.
    public static let queueUnreadableFiles = MetricFamily(
        "exim_queue_unreadable_files", .gauge,
        "Spool files or directories that could not be read at the last refresh.")
    /// `exim_log_lines_total`.
    public static let logLines = MetricFamily(
        "exim_log_lines_total", .counter, "Main log lines read since storemon started, from the current log's first line.")
    /// `exim_log_flag_lines_total{flag}`.
    public static let logFlagLines = MetricFamily(
        "exim_log_flag_lines_total", .counter,
        "Main log lines with each message flag (<= => -> >> *> ** == (=) since storemon started.", labels: ["flag"])
    /// `exim_log_rejections_total`.
    public static let logRejections = MetricFamily(
        "exim_log_rejections_total", .counter, "Main log lines without a message flag that report a rejection.")
    /// `exim_log_rotations_total`.
    public static let logRotations = MetricFamily(
        "exim_log_rotations_total", .counter,
        "Times the main log followed was rotated (renamed and replaced, a new datestamped file, or truncated).")
    /// `exim_processes{kind}`: one series per `EximProcessKind`, zeros included.
    public static let processes = MetricFamily(
        "exim_processes", .gauge,
        "Exim processes running, by what their command line says they do (read from /proc at each refresh).",
        labels: ["kind"])
    /// `storemon_pool_bytes{pool,tainted}`.
    public static let poolBytes = MetricFamily(
        "storemon_pool_bytes", .gauge, "Bytes allocated in each of storemon's ten stacking pools before the refresh's reset.",
        labels: ["pool", "tainted"])
    /// `storemon_pool_blocks{pool,tainted}`.
    public static let poolBlocks = MetricFamily(
        "storemon_pool_blocks", .gauge, "Blocks in each pool's chain before the refresh's reset.", labels: ["pool", "tainted"])
    /// `storemon_pool_max_bytes{pool,tainted}`.
    public static let poolMaxBytes = MetricFamily(
        "storemon_pool_max_bytes", .gauge, "Each pool's high-water mark of allocated bytes.", labels: ["pool", "tainted"])
    /// `storemon_pool_order{pool,tainted}`.
    public static let poolOrder = MetricFamily(
        "storemon_pool_order", .gauge, "Each pool's next block order (block sizes grow with it).", labels: ["pool", "tainted"])
    /// `storemon_refresh_seconds` (histogram).
    public static let refreshSeconds = MetricFamily(
        "storemon_refresh_seconds", .histogram, "Time one refresh cycle took (mark, read, rescan, snapshot, reset).")
    /// `storemon_resets_total`.
    public static let resets = MetricFamily(
        "storemon_resets_total", .counter, "Pool resets done since storemon started.")
    /// `storemon_build_info{version}`.
    public static let buildInfo = MetricFamily(
        "storemon_build_info", .gauge, "Always 1; the version label names the storemon build.", labels: ["version"])

    /// Every family, in the order the README lists them.
    public static let all: [MetricFamily] = [
        queueMessages, queueFrozenMessages, queueBytes, queueOldestAge, queueUnreadableFiles,
        logLines, logFlagLines, logRejections, logRotations, processes,
        poolBytes, poolBlocks, poolMaxBytes, poolOrder,
        refreshSeconds, resets, buildInfo,
    ]

    /// The refresh histogram's upper bounds in seconds (a refresh takes milliseconds; a
    /// first read of a big log or a cold 10,000-message spool may take seconds).
    public static let refreshBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                  0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}
