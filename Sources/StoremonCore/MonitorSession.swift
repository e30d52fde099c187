import EximLog
import EximSpool
import Foundation
import Store

/// The monitor's model: one `Store`, the log tailer and the queue reader, and the refresh
/// cycle that is the design's core.
///
/// A refresh (`refresh()`), with main as the current pool:
/// 1. `mark`;
/// 2. read the new log lines into tainted main (EximLog), count them, keep the tail;
/// 3. rescan the queue into the message pools (EximSpool); messages stay there as long as
///    they are queued, and the message pools are reset and re-read when departed messages'
///    garbage outweighs the live bytes, so they stay bounded;
/// 4. build the `Snapshot` (plain values, with the pool statistics as they stand now);
/// 5. `reset` to the mark, so main is back where it was; count the reset.
///
/// The cycle is a phase machine (`RefreshPhase`): `refresh()` runs the phases left in
/// the current refresh; `step()` runs just the next one and returns a snapshot of the
/// state after it (step mode). Each phase's figures (`PhaseReport`) come from the store's
/// statistics before and after it.
///
/// The other pools: **config** holds the start-up options (paths, colour, interval as
/// given), write-protected once start-up is over; **perm** holds the resolved paths, once;
/// **search** holds an open `/` search's query and matches, reset when it closes.
/// Run-time state (interval, pause) is plain Swift state here, in `run`: the one place
/// the screen reads and changes it.
///
/// Single-threaded, like `Store`: use a session from one thread.
///
/// ```swift
/// let session = try MonitorSession(MonitorConfiguration(paths: paths))
/// while running {
///     let snap = try session.refresh()
///     draw(snap)
///     session.waitForChange(milliseconds: Int(session.run.interval * 1000))
/// }
/// ```
public final class MonitorSession {
    /// The allocator the session works in (its statistics are what the pool panes show).
    public let store: Store
    /// The interval between refreshes (`+`/`-` change it) and the pause (the caller stops
    /// calling `refresh()`); each snapshot's status records them.
    public var run: RunState
    /// Resets done since start: one per refresh, plus message-pool rebuilds, extra log
    /// batches and closed searches.
    public private(set) var resets = 0
    /// Refreshes done since start.
    public private(set) var refreshes = 0
    /// The last snapshot made, or nil before the first refresh.
    public private(set) var lastSnapshot: Snapshot?

    private let clock: @Sendable () -> Date
    private let once: Bool
    private let config: ConfigRecord
    private let resolvedLog: PoolText?
    private let resolvedSpool: PoolText?
    private let logNote: String?
    private let spoolNote: String?
    private let spoolOrigin: String?
    private let tailer: LogTailer?
    private let reader: QueueReader?
    private var messageMark: Store.Mark
    private var messageMarkAt: (MarkPosition?, MarkPosition?)
    private let keepsStaleView: Bool
    /// The refresh in progress (step mode leaves it here between phases), or nil.
    private var cycle: RefreshCycle?
    /// What each pool's last reset gave back, and the frames made since the last reset.
    private var freed: [FreedRegion?] = Array(repeating: nil, count: 10)
    private var framesSinceReset = 0
    private var staleView: StaleViewSnapshot?

    private var counters = LogCounters()
    private var rotations = 0
    private var tail: [LogTailLine] = []
    private var history: [[Int]] = Array(repeating: [], count: 10)
    private var queueEntries: [QueueEntry] = []
    /// The entries' ids, in the same order (`exim -bp` order: by `MessageID`).
    private var queueIDs: [MessageID] = []
    /// When the queue entries' ages were worked out (seconds since the epoch).
    private var queueAgesAt = 0
    private var queueUnreadable: [UnreadableFile] = []
    private var queueProblem: String?
    private var lastRefreshTime: Date?
    private var search: LogSearch?
    /// The background count of the log before the tail (live mode), while it runs.
    private var historyCount: LogHistoryCount?
    private var historyStarted = false
    /// The stripcharts' state (pattern totals counted as lines are read, samples, scales).
    private let charts: Stripcharts

    /// Starts a session: creates the store, puts the options into config and
    /// write-protects it, resolves the paths into perm, and prepares (but does not yet
    /// run) the log tailer and queue reader. Nothing is read until `refresh()`.
    public init(_ configuration: MonitorConfiguration) throws(MonitorError) {
        do {
            store = try Store(options: configuration.storeOptions)
            clock = configuration.clock
            once = configuration.once
            keepsStaleView = configuration.keepsStaleView
            run = RunState(interval: configuration.interval)
            charts = Stripcharts(patterns: configuration.stripcharts)
            logNote = configuration.paths.logNote
            spoolNote = configuration.paths.spoolNote
            spoolOrigin = configuration.paths.spoolOrigin

            // Start-up options into config, then protect it.
            store.currentPool = .config
            config = try ConfigRecord(configuration, in: store)
            try store.writeProtectConfig()

            // The resolved paths, once, into perm.
            store.currentPool = .perm
            let s = store
            if let p = configuration.paths.logPath { resolvedLog = try PoolText(MonitorSession.resolveKeepingName(p), in: s) } else { resolvedLog = nil }
            if let p = configuration.paths.spoolDirectory { resolvedSpool = try PoolText(MonitorSession.resolve(p), in: s) } else { resolvedSpool = nil }

            // The message pools' mark: the queue lives above it.
            store.currentPool = .message
            (messageMark, messageMarkAt) = try MonitorSession.locatedMark(store, .message)
            store.currentPool = .main
        } catch {
            throw .store(error)
        }

        // The tailer follows the datestamp pattern when there is one (newest file wins).
        if let pattern = config.logPattern?.string ?? resolvedLog?.string {
            let start: LogTailer.StartPosition = configuration.once || configuration.wholeLog
                ? .beginning : .lastLines(max(0, configuration.initialTailLines))
            tailer = LogTailer(path: config.logPattern != nil ? pattern : (resolvedLog?.string ?? pattern), start: start,
                               options: LogTailer.Options(useInotify: configuration.useInotify && !configuration.once,
                                                          watchInBackground: !configuration.once))
        } else {
            tailer = nil
        }
        if let spool = resolvedSpool?.string {
            let queueReader = QueueReader(spoolDirectory: spool, queueName: config.queueName?.string)
            // refreshed again and again: inotify names what changed (a rescan of a big queue
            // with one message changed then looks at that message only)
            queueReader.watchesDirectories = configuration.useInotify && !configuration.once
            reader = queueReader
        } else {
            reader = nil
        }
    }

    // MARK: start-up options (read back from the config pool)

    /// The log path as given at start (from the config pool).
    public var configuredLogPath: String? { config.logPath?.string }
    /// The spool directory as given at start (from the config pool).
    public var configuredSpoolDirectory: String? { config.spoolDirectory?.string }
    /// The named queue (from the config pool).
    public var queueName: String? { config.queueName?.string }
    /// Whether to draw in colour (from the config pool).
    public var colour: Bool { config.isColour }
    /// Internal (tests): the config pool byte that holds the colour option.
    var configColourByte: UnsafeMutableRawPointer { config.colour }
    /// The log file being followed now (changes with rotation), or the resolved path.
    public var logPath: String? { tailer?.path ?? resolvedLog?.string }
    /// The spool directory scanned (resolved, from perm).
    public var spoolDirectory: String? { resolvedSpool?.string }

    /// Sleeps `milliseconds` (the log's watcher thread catches rotations meanwhile).
    /// Result: false (kept for callers that loop on it).
    @discardableResult
    public func waitForChange(milliseconds: Int) -> Bool {
        if let tailer { return tailer.wait(milliseconds: milliseconds) }
        usleep(UInt32(max(0, min(milliseconds, 3_600_000))) * 1000)
        return false
    }

    /// The `r` key: clears every pool's high-water marks (`Store.clearMaxima()`), then runs
    /// a refresh cycle at once, so the maxima shown afterwards are what that one cycle
    /// needed — the reset at its end is plain to see.
    public func refreshClearingMaxima() throws(MonitorError) -> Snapshot {
        store.clearMaxima()
        return try refresh()
    }

    // MARK: the refresh cycle

    /// Runs one refresh cycle (mark, read log, rescan queue, search, snapshot, reset) and
    /// returns its snapshot; in the middle of a stepped refresh, runs the phases left.
    /// With `once`, reads the whole log and queue (several log batches, each reset after
    /// it is counted).
    public func refresh() throws(MonitorError) -> Snapshot {
        repeat {
            _ = try runPhase(frame: false)
        } while cycle != nil
        guard let snap = lastSnapshot else { throw .log("refresh ended without a snapshot") }
        return snap
    }

    /// Step mode: runs the next phase of the current refresh (starting one with `mark` if
    /// none is in progress) and returns its figures and a snapshot of the state after it.
    public func step() throws(MonitorError) -> PhaseStep {
        try runPhase(frame: true)!
    }

    /// The phase the next `step()` runs (`mark` between refreshes).
    public var nextPhase: RefreshPhase { cycle?.next ?? .mark }

    /// Runs the next phase; with `frame`, also builds the step's snapshot.
    private func runPhase(frame: Bool) throws(MonitorError) -> PhaseStep? {
        if cycle == nil {
            cycle = RefreshCycle(now: clock(), linesBefore: counters.lines)
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let phase = cycle!.next
        let before = store.statistics()
        var after = before
        do {
            after = try run(phase, before: before)
        } catch {
            // Give back what the failed refresh got in main, as its reset would have.
            store.currentPool = .main
            if let mark = cycle?.mark, phase != .reset { try? store.reset(to: mark) }
            cycle = nil
            switch error {
            case let e as StoreError: throw .store(e)
            case let e as LogTailerError: throw .log(e.description)
            default: throw .log(String(describing: error))
            }
        }
        let report = makeReport(phase, before: before, after: after)
        cycle!.busy += DispatchTime.now().uptimeNanoseconds - started
        var snap: Snapshot?
        if phase == .reset {
            // The refresh's frame carries every phase's figures, the reset's included.
            var whole = cycle!.snapshot!
            whole.phases = cycle!.reports + [report]
            whole.status.refreshMilliseconds = Double(cycle!.busy) / 1e6
            whole.staleView = staleView
            lastSnapshot = whole
            if frame {
                snap = makeSnapshot(after, now: cycle!.now, rate: whole.log.linesPerSecond, unreadable: cycle!.unreadable,
                                    resetsAfter: resets, recordHistory: false)
                snap!.phases = whole.phases
            }
            cycle = nil
        } else {
            cycle!.reports.append(report)
            cycle!.next = phase.next(searchOpen: search != nil)!
            if frame {
                snap = cycle!.snapshot ?? makeSnapshot(after, now: cycle!.now, rate: lastSnapshot?.log.linesPerSecond ?? 0,
                                                       unreadable: cycle!.unreadable, resetsAfter: resets, recordHistory: false)
                snap!.phases = cycle!.reports
            }
        }
        guard var snap else { return nil }
        snap.step = report
        if snap.charts.isEmpty { snap.charts = lastSnapshot?.charts ?? [] }   // sampled once per refresh
        snap.status.refreshMilliseconds = lastSnapshot?.status.refreshMilliseconds ?? 0
        snap.status.refreshes = refreshes
        return PhaseStep(report: report, snapshot: snap)
    }

    /// The body of one phase. Result: the statistics after it.
    private func run(_ phase: RefreshPhase, before: StoreStatistics) throws -> StoreStatistics {
        store.currentPool = .main
        switch phase {
        case .mark:
            let (mark, at) = try MonitorSession.locatedMark(store, .main)
            cycle!.mark = mark
            (cycle!.mainMark, cycle!.taintedMainMark) = at
            if keepsStaleView, let t = at.1 {
                // The data range of the mark's block in tainted main: Exim's 0-byte get
                // gives the watermark's address; the block's length is in the statistics.
                let w = UInt(bitPattern: try store.get(0, .tainted))
                let length = store.statistics().pools[PoolKind.main.rawValue + 5].chain[t.block].length
                cycle!.markBlock = (w - UInt(t.offset))..<(w - UInt(t.offset) + UInt(length))
            }
        case .readLog:
            let linesBefore = counters.lines
            var unreadable: [UnreadableFile] = []
            defer { cycle?.unreadable += unreadable }
            var more = try readLog(&unreadable)
            // A burst bigger than one batch: count it, reset, read on (bounded pool use).
            // The reset gives the cookie back too (and poisons it): take the mark again.
            while more {
                try store.reset(to: cycle!.mark!)
                resets += 1
                cycle!.mark = try store.mark()
                cycle!.staleView = nil
                more = try readLog(&unreadable)
            }
            // --once: a last line without a newline is a line too (no newline will come now)
            if once, let tailer {
                try store.reset(to: cycle!.mark!)
                resets += 1
                cycle!.mark = try store.mark()
                cycle!.staleView = nil
                try count(tailer.readRemainder(into: store))
            }
            followHistoryCount()
            cycle!.linesRead = counters.lines - linesBefore
        case .queue:
            try scanQueue(now: cycle!.now)
            cycle!.unreadable += queueUnreadable
        case .search:
            if let search {
                store.currentPool = .search
                defer { store.currentPool = .main }
                try search.scan(tail[...], store: store)
            }
        case .snapshot:
            let now = cycle!.now
            let elapsed = lastRefreshTime.map { now.timeIntervalSince($0) } ?? 0
            let rate = elapsed > 0 ? Double(counters.lines - cycle!.linesBefore) / elapsed : 0
            lastRefreshTime = now
            refreshes += 1
            // The reset that follows is counted in the snapshot it ends.
            var snap = makeSnapshot(before, now: now, rate: rate, unreadable: cycle!.unreadable,
                                    resetsAfter: resets + 1, recordHistory: true)
            snap.charts = charts.sample(queueSize: snap.queue.messages.count, pools: snap.pools)
            cycle!.snapshot = snap
            return before
        case .reset:
            try store.reset(to: cycle!.mark!)
            resets += 1
            let after = store.statistics()
            for i in [PoolKind.main.rawValue, PoolKind.main.rawValue + 5] {
                freed[i] = FreedRegion(before: before.pools[i], after: after.pools[i])
            }
            framesSinceReset = 0
            if let view = cycle!.staleView { staleView = view.readAfterReset(in: store, refresh: refreshes) }
            return after
        }
        return store.statistics()
    }

    /// The figures of one phase from the statistics around it.
    private func makeReport(_ phase: RefreshPhase, before: StoreStatistics, after: StoreStatistics) -> PhaseReport {
        let c = cycle!
        var above = 0
        if let m = c.mainMark { above += m.bytesInUseAbove(in: after.pools[PoolKind.main.rawValue]) }
        if let m = c.taintedMainMark { above += m.bytesInUseAbove(in: after.pools[PoolKind.main.rawValue + 5]) }
        var r = PhaseReport(phase: phase, refresh: refreshes + (phase < .snapshot ? 1 : 0),
                            changes: PhaseReport.changes(before: before, after: after),
                            mainMark: c.mainMark, taintedMainMark: c.taintedMainMark, bytesAboveMark: above)
        switch phase {
        case .readLog: r.lines = c.linesRead
        case .queue: r.messages = queueEntries.count
        case .search: r.matches = search?.snapshot(tail: Array(tail.suffix(LogSnapshot.tailLength))).matches.count ?? 0
        case .snapshot:
            r.lines = c.snapshot?.log.tail.count ?? 0
            r.messages = c.snapshot?.queue.messages.count ?? 0
        case .reset:
            r.blocksKept = PhaseReport.blocksKept(afterReset: after.pools[PoolKind.main.rawValue])
                + PhaseReport.blocksKept(afterReset: after.pools[PoolKind.main.rawValue + 5])
        case .mark: break
        }
        return r
    }

    /// Takes a mark in `pool` (made current) and locates it (`Store.position(of:)`): the
    /// cookie in the pool, the watermark in its tainted twin.
    static func locatedMark(_ store: Store, _ pool: PoolKind) throws(StoreError) -> (Store.Mark, (MarkPosition?, MarkPosition?)) {
        store.currentPool = pool
        let mark = try store.mark()
        let at = store.position(of: mark)
        return (mark, (at.untainted, at.tainted))
    }

    /// Reads one batch of new log lines into tainted main; counts them and keeps the tail.
    /// Result: true when more is waiting (the caller resets and calls again).
    private func readLog(_ unreadable: inout [UnreadableFile]) throws -> Bool {
        guard let tailer else { return false }
        let batch = try tailer.readNewLines(into: store)
        for event in batch.events {
            switch event {
            case .rotated, .truncated: rotations += 1
            case .opened, .vanished: break
            }
        }
        if let problem = batch.problem {
            unreadable.append(UnreadableFile(path: tailer.path ?? resolvedLog?.string ?? "", reason: problem.description))
        }
        count(batch)
        return batch.hasMore
    }

    /// Counts a batch's lines and keeps the newest in the tail (copied out of the pool).
    private func count(_ batch: LogBatch) {
        // Count every line; copy out only those that stay in the tail.
        let keep = LogSnapshot.tailLength
        var recent: [LogLine] = []
        recent.reserveCapacity(min(keep, 1024))
        var ring = 0
        var numberOfFirst = 0
        for line in batch {
            counters.count(line)
            charts.count(line)
            if keepsStaleView && cycle?.staleView == nil && line.kind != .blank,
               let view = StaleView(line.text, lineNumber: counters.lines),
               view.lies(in: cycle?.markBlock) {
                cycle?.staleView = view   // a line in the block the reset keeps (and poisons)
            }
            if recent.count < keep {
                if recent.isEmpty { numberOfFirst = counters.lines }
                recent.append(line)
            } else {
                recent[ring] = line
                ring = (ring + 1) % keep
                numberOfFirst += 1
            }
        }
        if !recent.isEmpty {
            let ordered = recent.count < keep ? recent : Array(recent[ring...] + recent[..<ring])
            for (k, line) in ordered.enumerated() where line.kind != .blank {
                tail.append(MonitorSession.tailLine(line, number: numberOfFirst + k))
            }
            if tail.count > keep * 2 { tail.removeFirst(tail.count - keep) }
        }
    }

    /// Live mode: the tail starts near the end of the log (read backwards), so the first
    /// frame never waits for a huge log; the lines before it are counted in the background
    /// and added once the count is complete.
    private func followHistoryCount() {
        guard !once, let tailer else { return }
        if !historyStarted, let start = tailer.initialOffset {
            historyStarted = true
            if start.offset > 0 { historyCount = LogHistoryCount(path: start.path, upTo: start.offset) }
        }
        if let h = historyCount, let result = h.result {
            counters.add(result)
            historyCount = nil
        } else if let h = historyCount, h.failure != nil {
            historyCount = nil
        }
    }

    /// A plain-value copy of one log line for the tail (cut to `LogTailLine.maxBytes`).
    static func tailLine(_ line: LogLine, number: Int) -> LogTailLine {
        let text = line.text
        let cut = text.count > LogTailLine.maxBytes
        let kept = cut ? text[0..<LogTailLine.maxBytes] : text
        let full = line.isTruncated || cut ? line.fullLength - (line.bytes.count - text.count) : nil
        var time: String?
        if let t = line.timestamp {
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
            time = "\(two(t.hour)):\(two(t.minute)):\(two(t.second))"
        }
        var tailLine = LogTailLine(kind: kind(of: line), flag: line.flag, time: time,
                                   text: kept.copiedOut(), fullLength: full, number: number)
        if let t = line.timestamp {
            func pad(_ v: Int, _ n: Int) -> String { let d = String(v); return String(repeating: "0", count: max(0, n - d.count)) + d }
            tailLine.date = "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2))"
        }
        tailLine.pid = line.pid
        return tailLine
    }

    /// The colour class of a line (eximon's highlighting).
    static func kind(of line: LogLine) -> LogTailKind {
        if let flag = line.flag {
            switch flag {
            case .arrival: return .arrival
            case .delivery, .additionalAddress, .cutthrough, .suppressed: return .delivery
            case .deferred: return .deferral
            case .failed: return .failure
            case .fakeRejectArrival: return .rejection
            }
        }
        if line.isRejection { return .rejection }
        switch line.kind {
        case .frozen: return .failure
        default: return .other
        }
    }

    /// Rescans the queue into the message pools; rebuilds them when garbage piles up.
    private func scanQueue(now: Date) throws {
        guard let reader else { return }
        store.currentPool = .message
        defer { store.currentPool = .main }
        do {
            var scan = try reader.scan(into: store)
            if reader.needsRebuild {
                try store.reset(to: messageMark)
                resets += 1
                // The reset gave the cookie back too (and may have poisoned it): mark again.
                (messageMark, messageMarkAt) = try MonitorSession.locatedMark(store, .message)
                reader.poolWasReset()
                scan = try reader.scan(into: store)
            }
            queueProblem = nil
            let nowSeconds = Int(now.timeIntervalSince1970)
            if scan.statistics.filesRead == 0 && scan.statistics.messagesRemoved == 0
                && scan.statistics.messagesVanished == 0 && queueEntries.count == scan.messages.count {
                // Unchanged queue: keep the copied-out entries (shared with the last snapshots,
                // not copied); the snapshot says how much older they are (`ageDelta`).
            } else if let changes = scan.changes, queueIDs.count == queueEntries.count,
                      patchQueueEntries(changes, scan, now: nowSeconds) {
                // Messages changed where they stand, or a few came or went: only they were
                // copied out.
            } else {
                queueEntries = []
                queueEntries.reserveCapacity(scan.messages.count)
                queueIDs = []
                queueIDs.reserveCapacity(scan.messages.count)
                queueAgesAt = nowSeconds
                for m in scan.messages {
                    queueEntries.append(MonitorSession.entry(m, now: nowSeconds, agesAt: nowSeconds))
                    queueIDs.append(m.id)
                }
            }
            queueUnreadable = scan.unreadableDirectories.map { UnreadableFile(path: $0.path, reason: $0.reason) }
                + scan.unreadable.map { UnreadableFile(path: $0.path, reason: $0.reason.description) }
        } catch let e as QueueScanError {
            queueEntries = []
            queueIDs = []
            queueUnreadable = [UnreadableFile(path: reader.inputDirectory, reason: e.description)]
            queueProblem = e.description
            if case .directory(let path, _, let code) = e, code == EACCES || code == ENOENT,
               let why = PathAccess.readProblem(path, role: .spool) {
                queueProblem = "queue not readable: " + why
            }
        }
    }

    /// One message copied out of the pools; its age is counted from `agesAt` (the time the
    /// other entries' ages were worked out), so all share one `ageDelta`.
    private static func entry(_ m: QueuedMessage, now: Int, agesAt: Int) -> QueueEntry {
        let s = m.summary(now: now)
        return QueueEntry(id: s.id.description, ageSeconds: s.ageSeconds - (now - agesAt), size: s.size ?? 0,
                          sizeText: s.sizeText, sender: s.sender, recipients: s.recipients,
                          delivered: s.delivered, frozen: s.isFrozen,
                          untrustedSenderLogin: s.senderSetUntrusted ? s.login : nil)
    }

    /// Brings the copied-out entries up to date for the messages `changes` names (each
    /// removed where it was and, when still queued, copied out again where it now belongs):
    /// cost proportional to the change, not to the queue (the reader names the changes only
    /// when at most `QueueReader.structuralPatchLimit` messages came or went, so the
    /// insertions and removals here are as few). False (entries to be rebuilt) when the
    /// result does not line up with the scan.
    private func patchQueueEntries(_ changes: Set<MessageID>, _ scan: QueueScan, now: Int) -> Bool {
        func lowerBound<C: RandomAccessCollection>(_ c: C, _ id: MessageID) -> Int where C.Element == MessageID, C.Index == Int {
            var lo = 0, hi = c.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if c[mid] < id { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let scanned = scan.messages.lazy.map(\.id)
        for id in changes {
            let i = lowerBound(queueIDs, id)
            let was = i < queueIDs.count && queueIDs[i] == id
            let j = lowerBound(scanned, id)
            let queued = j < scan.messages.count && scan.messages[j].id == id
            if was && queued {
                // re-read: replaced where it stands
                queueEntries[i] = MonitorSession.entry(scan.messages[j], now: now, agesAt: queueAgesAt)
            } else if was {
                queueIDs.remove(at: i)
                queueEntries.remove(at: i)
            } else if queued {
                queueIDs.insert(id, at: i)
                queueEntries.insert(MonitorSession.entry(scan.messages[j], now: now, agesAt: queueAgesAt), at: i)
            }
        }
        return queueIDs.count == scan.messages.count
    }

    private func makeSnapshot(_ statistics: StoreStatistics, now: Date, rate: Double, unreadable: [UnreadableFile],
                              resetsAfter: Int, recordHistory: Bool) -> Snapshot {
        var pools: [PoolSnapshot] = []
        let marks = currentMarks()
        let age = framesSinceReset
        framesSinceReset += 1
        for (i, s) in statistics.pools.enumerated() {
            if recordHistory {
                history[i].append(s.bytes)
                if history[i].count > PoolSnapshot.historyLength { history[i].removeFirst(history[i].count - PoolSnapshot.historyLength) }
            }
            let id = PoolID(index: i)!
            var gone = freed[i]
            gone?.age = age
            pools.append(PoolSnapshot(index: i, kind: id.kind, isTainted: id.isTainted, statistics: s, history: history[i],
                                      mark: marks[i], freed: gone.flatMap { $0.isVisible ? $0 : nil }))
        }
        let quoted = statistics.quoted.map { QuotedPoolSnapshot(quoterName: $0.quoter.name, quoterID: $0.quoter.id, statistics: $0.pool) }
        let byFlag = counters.byFlag
        let flagged = byFlag.values.reduce(0, +)
        let shownTail = Array(tail.suffix(LogSnapshot.tailLength))
        var log = LogSnapshot(path: logPath, lines: counters.lines, byFlag: byFlag, rejected: counters.rejected,
                              other: max(0, counters.lines - flagged - counters.rejected), linesPerSecond: rate,
                              tail: shownTail, note: logPaneNote, rotations: rotations)
        log.counting = historyCount?.progress
        let queueNote = reader == nil ? (spoolNote ?? PathDiscovery.spoolHelp)
            : [queueProblem, spoolOrigin].compactMap { $0 }.joined(separator: "; ").nilIfEmpty
        var queue = QueueSnapshot(spoolPath: spoolDirectory, queueName: queueName, messages: queueEntries, note: queueNote)
        queue.error = queueProblem
        queue.ageDelta = Int(now.timeIntervalSince1970) - queueAgesAt
        var status = StatusSnapshot(logPath: logPath, spoolPath: spoolDirectory, interval: run.interval,
                                    refreshMilliseconds: 0,   // set by refresh() after its reset
                                    resets: resetsAfter, refreshes: refreshes, quotedPoolsInUse: quoted.count,
                                    paused: run.paused, time: now)
        if spoolOrigin != nil { status.spoolNote = PathDiscovery.spoolOriginShort }
        var snap = Snapshot(pools: pools, quoted: quoted, log: log, queue: queue, unreadable: unreadable, status: status,
                            search: search?.snapshot(tail: shownTail))
        snap.staleView = staleView
        return snap
    }

    /// Where each pool's mark lies now: main's refresh mark (while a refresh holds it),
    /// the message pools' queue mark, the search pool's search mark.
    private func currentMarks() -> [MarkPosition?] {
        var marks = [MarkPosition?](repeating: nil, count: 10)
        if let c = cycle, c.mark != nil {
            marks[PoolKind.main.rawValue] = c.mainMark
            marks[PoolKind.main.rawValue + 5] = c.taintedMainMark
        }
        marks[PoolKind.message.rawValue] = messageMarkAt.0
        marks[PoolKind.message.rawValue + 5] = messageMarkAt.1
        if let search {
            let at = store.position(of: search.mark)
            marks[PoolKind.search.rawValue] = at.untainted
            marks[PoolKind.search.rawValue + 5] = at.tainted
        }
        return marks
    }

    /// What the log pane says instead of (or above) lines: no log, or a log not there yet.
    private var logPaneNote: String? {
        guard let tailer else { return logNote ?? "No main log to follow." }
        if let p = historyCount?.progress, p.bytesTotal > 0 {
            return "Counting the earlier lines: \(p.bytesDone * 100 / p.bytesTotal) % (\(p.lines) lines so far)"
        }
        if tailer.path == nil { return "Waiting for the main log \(config.logPattern?.string ?? resolvedLog?.string ?? "") to appear." }
        return nil
    }

    // MARK: search

    /// Opens a `/` search for `query` (case-insensitive bytes) over the log tail, replacing
    /// any open one. Its query and matching lines are allocated in the search pools.
    @discardableResult
    public func search(_ query: String) throws(MonitorError) -> SearchSnapshot {
        try closeSearch()
        store.currentPool = .search
        defer { store.currentPool = .main }
        do {
            let s = try LogSearch(query: query, store: store)
            search = s
            let shown = Array(tail.suffix(LogSnapshot.tailLength))
            try s.scan(shown[...], store: store)
            s.move(forward: false, tail: shown)   // start at the newest match
            return s.snapshot(tail: shown)
        } catch {
            throw .store(error)
        }
    }

    /// The open search, or nil.
    public var currentSearch: SearchSnapshot? { search?.snapshot(tail: Array(tail.suffix(LogSnapshot.tailLength))) }

    /// `n`: the next (newer) match, wrapping. nil when no search is open.
    @discardableResult
    public func nextMatch() -> SearchSnapshot? { moveMatch(forward: true) }

    /// `N`: the previous (older) match, wrapping. nil when no search is open.
    @discardableResult
    public func previousMatch() -> SearchSnapshot? { moveMatch(forward: false) }

    private func moveMatch(forward: Bool) -> SearchSnapshot? {
        guard let search else { return nil }
        let shown = Array(tail.suffix(LogSnapshot.tailLength))
        search.move(forward: forward, tail: shown)
        return search.snapshot(tail: shown)
    }

    /// Esc: closes the search and tidies the search pools (reset to the search's mark).
    public func closeSearch() throws(MonitorError) {
        guard let s = search else { return }
        search = nil
        let previous = store.currentPool
        store.currentPool = .search
        defer { store.currentPool = previous }
        do {
            try store.reset(to: s.mark)
        } catch {
            throw .store(error)
        }
        resets += 1
    }

    // MARK: helpers

    /// An absolute path whose directory is symlink-free, keeping the file's own name (so a
    /// log that is a symlink, or is renamed away by rotation, is still followed by name).
    static func resolveKeepingName(_ path: String) -> String {
        let ns = path as NSString
        let name = ns.lastPathComponent
        let dir = ns.deletingLastPathComponent
        guard !name.isEmpty, name != ".", name != ".." else { return resolve(path) }
        return PathDiscovery.join(resolve(dir.isEmpty ? "." : dir), name)
    }

    /// An absolute, symlink-free path when the file exists; else the path made absolute.
    static func resolve(_ path: String) -> String {
        if let r = realpath(path, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
