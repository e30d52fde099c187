// spoolbench: queue scan speed on a 10,000-message spool made by cloning the real -H/-D
// files (Tests/Fixtures/exim-real/spool) with new ids.
//
//   swift run -c release --scratch-path .build-spool spoolbench [--messages N] [--split] [--keep DIR]
// (--keep DIR: build the spool in DIR and leave it; an existing DIR/input is reused as is.)
//
// Measures, with a warm page cache: a full scan (new reader, every -H read, parsed into a
// tainted message pool; -D and -J statted) and a rescan with nothing changed.

import BenchSupport
import EximSpool
import FixtureSupport
import Foundation
import Glibc
import Store

/// Replaces every occurrence of `old` by `new` (same length) in `bytes`.
func replaceAll(_ bytes: inout [UInt8], _ old: [UInt8], _ new: [UInt8]) {
    guard bytes.count >= old.count else { return }
    var i = 0
    while i <= bytes.count - old.count {
        if bytes[i] == old[0] && Array(bytes[i..<(i + old.count)]) == old {
            bytes.replaceSubrange(i..<(i + old.count), with: new)
            i += old.count
        } else {
            i += 1
        }
    }
}

var count = 10_000
var split = false
var keep: String?
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--messages": count = Int(args.popFirst() ?? "") ?? count
    case "--split": split = true
    case "--keep": keep = args.popFirst()
    default:
        print("usage: spoolbench [--messages N] [--split] [--keep DIR]")
        exit(2)
    }
}

// 1. Build the spool.
let source = Fixtures.url("spool/input")
let fm = FileManager.default
let names = try fm.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix("-H") }.sorted()
let originals: [(id: [UInt8], h: [UInt8], d: [UInt8])] = try names.map { n in
    let id = Array(n.dropLast(2).utf8)
    let h = Array(try Data(contentsOf: source.appendingPathComponent(n)))
    let d = Array(try Data(contentsOf: source.appendingPathComponent(String(n.dropLast()) + "D")))
    return (id, h, d)
}
let root = keep.map { URL(fileURLWithPath: $0) }
    ?? fm.temporaryDirectory.appendingPathComponent("spoolbench-\(getpid())")
let input = root.appendingPathComponent("input")
let reuse = keep != nil && fm.fileExists(atPath: input.path)
if !reuse {
    try? fm.removeItem(at: root)
    try fm.createDirectory(at: input, withIntermediateDirectories: true)
}
let t0 = BenchClock.monotonic.seconds()
for i in 0..<(reuse ? 0 : count) {
    let o = originals[i % originals.count]
    // time: 1795700000 + i/8 seconds; pid: i; fraction: i % 8 spread over 2 digits.
    let newID = Base62.encode(1_795_700_000 + i / 8, count: 6) + [UInt8(ascii: "-")] + Base62.encode(i, count: 6)
        + [UInt8(ascii: "-")] + Base62.encode((i % 8) * 400, count: 2)
    var h = o.h
    var d = o.d
    replaceAll(&h, o.id, newID)
    replaceAll(&d, o.id, newID)
    let dir = split ? input.appendingPathComponent(String(UnicodeScalar(newID[5]))) : input
    if split && !fm.fileExists(atPath: dir.path) { try fm.createDirectory(at: dir, withIntermediateDirectories: true) }
    let idText = String(decoding: newID, as: UTF8.self)
    try Data(d).write(to: dir.appendingPathComponent(SpoolFileName.name(id: idText, .data)))
    try Data(h).write(to: dir.appendingPathComponent(SpoolFileName.name(id: idText, .header)))
}
print("spool: \(count) messages (\(split ? "split" : "flat")) in \(root.path), built in \(BenchText.fixed(BenchClock.monotonic.seconds() - t0, 1)) s")

// 2. Full scans: a new reader each time, pool reset between runs.
let store = try Store()
store.currentPool = .message
let mark = try store.mark()
var full: [Double] = []
var fullCPU: [Double] = []
var messages = 0
for run in 0..<(ProcessInfo.processInfo.environment["SPOOLBENCH_FULL_ONLY"] != nil ? 40 : 12) {
    let reader = QueueReader(spoolDirectory: root.path)
    let (a, ca) = (BenchClock.monotonic.seconds(), BenchClock.threadCPU.seconds())
    let scan = try reader.scan(into: store)
    let (b, cb) = (BenchClock.monotonic.seconds(), BenchClock.threadCPU.seconds())
    messages = scan.messages.count
    if run >= 2 {                        // the first two warm the cache
        full.append(b - a)
        fullCPU.append(cb - ca)
    }
    if !scan.unreadable.isEmpty { print("unreadable: \(scan.unreadable.count), e.g. \(scan.unreadable[0])") }
    try store.reset(to: mark)
}

// 3. Rescans with nothing changed: trusting unchanged directories (the default), and
// statting every -H and -D (trustsDirectoryTimes = false).
@MainActor func rescans(trusting: Bool) throws -> (times: [Double], cpu: [Double], reread: Int, statted: Int) {
    let reader = QueueReader(spoolDirectory: root.path)
    reader.trustsDirectoryTimes = trusting
    _ = try reader.scan(into: store)
    usleep(2_100_000)          // directory times must be 2 s old when listed to be trusted
    _ = try reader.scan(into: store)
    var times: [Double] = []
    var cpus: [Double] = []
    var reread = 0
    var statted = 0
    for _ in 0..<50 {
        let (a, ca) = (BenchClock.monotonic.seconds(), BenchClock.threadCPU.seconds())
        let scan = try reader.scan(into: store)
        times.append(BenchClock.monotonic.seconds() - a)
        cpus.append(BenchClock.threadCPU.seconds() - ca)
        reread += scan.statistics.filesRead
        statted += scan.statistics.filesStatted
    }
    try store.reset(to: mark)
    return (times, cpus, reread, statted)
}
func ms(_ xs: [Double]) -> String { Figures(xs).milliseconds }
print("messages listed: \(messages)")
print("full scan (warm cache, \(full.count) runs): wall \(ms(full)); thread CPU \(ms(fullCPU))   target <= 150 ms")
if ProcessInfo.processInfo.environment["SPOOLBENCH_FULL_ONLY"] != nil { exit(0) }
let trusted = try rescans(trusting: true)
let statting = try rescans(trusting: false)
let reader = QueueReader(spoolDirectory: root.path)
_ = try reader.scan(into: store)
let pool = store.statistics().pools[PoolID(.message, tainted: true).index]

print("rescan, nothing changed (50 runs): wall \(ms(trusted.times)); thread CPU \(ms(trusted.cpu)); files re-read: \(trusted.reread), statted: \(trusted.statted)   target <= 10 ms")
print("rescan statting every file (50 runs): wall \(ms(statting.times)); thread CPU \(ms(statting.cpu)); files re-read: \(statting.reread), statted: \(statting.statted)")
print("tainted message pool: \(pool.bytes) bytes in \(pool.blocks) blocks; reader live bytes \(reader.liveBytes)")
if keep == nil { try? fm.removeItem(at: root) }
