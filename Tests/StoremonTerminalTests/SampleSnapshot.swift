import Foundation
import Store
import StoremonCore
@testable import storemon

/// A small hand-made snapshot for the renderer tests (no files, no pools).
enum SampleSnapshot {
    /// Pool statistics with a chain of `lengths` (each half used, the last one current).
    static func stats(_ lengths: [Int], order: Int = 13) -> PoolStatistics {
        let chain = lengths.map { BlockStatistics(length: $0, used: $0 / 2) }
        let bytes = lengths.reduce(0) { $0 + $1 + 16 }
        let s = PoolStatistics(bytes: bytes, blocks: lengths.count, maxBytes: bytes * 2, maxBlocks: lengths.count + 1,
                               order: order, maxOrder: order + 1, chain: chain,
                               currentBlock: lengths.isEmpty ? nil : lengths.count - 1)
        return s
    }

    /// A snapshot with ten pools, a few log lines and two queued messages.
    static func make(hostileLine: String? = nil) -> Snapshot {
        var pools: [PoolSnapshot] = []
        for i in 0..<10 {
            let kind = PoolKind(rawValue: i % 5)!
            let lengths = i % 5 == 2 ? [] : Array([4096, 8192, 16384].prefix(1 + i % 3))
            pools.append(PoolSnapshot(index: i, kind: kind, isTainted: i >= 5, statistics: stats(lengths),
                                      history: (0..<30).map { 1000 + ($0 * 37 + i * 11) % 500 }))
        }
        var tail = [
            LogTailLine(kind: .arrival, flag: .arrival, time: "10:00:01", text: TaintedString(tainting: "1vNBQY-000Abc-0A <= alice@example.org H=localhost [127.0.0.1] P=esmtp S=466")),
            LogTailLine(kind: .delivery, flag: .delivery, time: "10:00:02", text: TaintedString(tainting: "1vNBQY-000Abc-0A => bob <bob@storemon.test> R=local_user T=mail_spool")),
            LogTailLine(kind: .deferral, flag: .deferred, time: "10:00:03", text: TaintedString(tainting: "1vNBQZ-000Abd-0B == x@remote.test R=smarthost defer (111): Connection refused")),
            LogTailLine(kind: .failure, flag: .failed, time: "10:00:04", text: TaintedString(tainting: "1vNBQZ-000Abd-0B ** nobody@storemon.test: Unrouteable address")),
            LogTailLine(kind: .rejection, flag: nil, time: "10:00:05", text: TaintedString(tainting: "H=(evil) [127.0.0.3] F=<spam@blocked.test> rejected RCPT <x@storemon.test>")),
        ]
        if let hostileLine { tail.append(LogTailLine(kind: .other, flag: nil, time: nil, text: TaintedString(tainting: hostileLine))) }
        let log = LogSnapshot(path: "/var/log/exim4/mainlog", lines: 5, byFlag: [.arrival: 1, .delivery: 1, .deferred: 1, .failed: 1],
                              rejected: 1, other: 0, linesPerSecond: 2.5, tail: tail)
        let queue = QueueSnapshot(spoolPath: "/var/spool/exim4", queueName: nil, messages: [
            QueueEntry(id: "1vNBQZ-000Abd-0B", ageSeconds: 600, size: 1700, sizeText: " 1.7K",
                       sender: TaintedString(tainting: "carol@storemon.test"),
                       recipients: [TaintedString(tainting: "x@remote.test"), TaintedString(tainting: "y@remote.test")],
                       delivered: [], frozen: false),
            QueueEntry(id: "1vNBRA-000Abe-0C", ageSeconds: 7200, size: 466, sizeText: "  466",
                       sender: TaintedString(tainting: ""), recipients: [TaintedString(tainting: "z@remote.test")],
                       delivered: [], frozen: true),
        ])
        let status = StatusSnapshot(logPath: log.path, spoolPath: queue.spoolPath, interval: 2, refreshMilliseconds: 1.5,
                                    resets: 7, refreshes: 7, quotedPoolsInUse: 0, paused: false, time: Date())
        return Snapshot(pools: pools, quoted: [], log: log, queue: queue, unreadable: [], status: status)
    }

    /// Renders the sample at a size.
    static func render(width: Int, height: Int, state: ViewState = ViewState(), run: RunState = RunState(interval: 2),
                       snapshot: Snapshot = make()) -> ScreenGrid {
        ScreenRenderer.render(MonitorViewModel(snapshot, recipientLimit: QueuePane.maxAddresses), state: state, run: run,
                              width: width, height: height, unicode: true)
    }
}
