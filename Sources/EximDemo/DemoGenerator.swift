import Foundation

/// Makes realistic Exim traffic, one step at a time, into a spool directory laid out as
/// Exim's default (`<root>/log/mainlog`, `<root>/input/`, `<root>/msglog/`): main-log
/// lines of every kind (arrivals, local and remote deliveries, `->`, `>>`, `*>`, `(=`,
/// deferrals, bounces, rejections, queue runs, connections, freezes; both message id
/// formats; a few hostile bytes in HELO names) and `-H`/`-D` files that appear, get
/// partly delivered, frozen, and removed. The `-H` files follow Exim 4.96's format (as in
/// `Tests/Fixtures/exim-real/spool/input`), so the spool reader parses them.
///
/// Deterministic for a given seed and clock, so tests can check what it writes.
/// `DemoTraffic` runs it on a timer for `storemon --demo`; the events are in
/// `DemoGenerator+Events.swift`, the files they write in `DemoGenerator+Files.swift`.
public final class DemoGenerator {
    /// The spool root (holds `log/`, `input/`, `msglog/`).
    public let root: String
    /// `<root>/log/mainlog`.
    public var logPath: String { root + "/log/mainlog" }
    /// `<root>/input`.
    public var inputPath: String { root + "/input" }
    /// Messages currently in the queue (their ids).
    public var queuedIDs: [String] { queue.map(\.id) }
    /// Physical log lines written so far.
    public internal(set) var linesWritten = 0
    /// Log lines written so far, by two-character flag text (`<=`, `=>`, …), for tests.
    public internal(set) var flagsWritten: [String: Int] = [:]
    /// Rejection lines written so far.
    public internal(set) var rejectionsWritten = 0

    var rng: SplitMix64
    let clock: () -> Date
    var queue: [DemoMessage] = []
    /// The next process id (log lines, queue runs and message ids use it).
    var pidCounter = 4200
    var fractionCounter = 0
    var queueRunPid: Int?
    var step = 0

    /// Most messages the queue holds before the generator favours deliveries.
    public var queueTarget = 18

    /// Creates the directories under `root` (which must exist or be creatable).
    /// - Parameters: `seed` for the random choices; `clock` for timestamps and ids.
    public init(root: String, seed: UInt64 = 0x5EED, clock: @escaping () -> Date = Date.init) throws {
        self.root = root
        self.rng = SplitMix64(seed: seed)
        self.clock = clock
        let fm = FileManager.default
        for dir in ["log", "input", "msglog"] {
            try fm.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
        if !fm.fileExists(atPath: logPath) { _ = fm.createFile(atPath: logPath, contents: nil) }
    }

    /// Writes one event (one to a few log lines, maybe spool files). Returns the number of
    /// log lines written.
    @discardableResult
    public func step(count: Int = 1) throws -> Int {
        var written = 0
        for _ in 0..<count { written += try oneStep() }
        return written
    }

    /// Seeds a starting queue: `count` arrivals (a few of them frozen).
    public func seedQueue(_ count: Int) throws {
        for i in 0..<count {
            try arrival(frozen: i % 7 == 3)
        }
    }

    private func oneStep() throws -> Int {
        step += 1
        let before = linesWritten
        let crowded = queue.count >= queueTarget
        let roll = rng.next(100)
        switch roll {
        case 0..<30 where !crowded: try arrival(frozen: false)
        case 0..<30: try deliver()
        case 30..<52: try deliver()
        case 52..<60: try deferral()
        case 60..<65: try bounce()
        case 65..<74: try rejection()
        case 74..<79: try queueRun()
        case 79..<84: try connection()
        case 84..<87: try partialDelivery()
        case 87..<90: try hostile()
        case 90..<92: try rareFlag()
        case 92..<95: try freezeOrThaw()
        default: try arrival(frozen: false)
        }
        return linesWritten - before
    }
}
