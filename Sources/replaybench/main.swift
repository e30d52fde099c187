// replaybench: speed of `storemon replay --check` (read + parse + replay + compare).
//
//   swift run -c release --scratch-path .build-trace replaybench [--lines N] [--runs R]
//   swift run -c release --scratch-path .build-trace replaybench FILE...   (check files, print reports)
//
// Without files it writes a large trace made by concatenating the ten real fixture
// traces (each copy is a separate set of Exim processes, as each starts with its own
// `Exim version … pid=` line) until it has at least N lines (default 1,000,000), then
// times `CheckReport.check` over it R times (default 3) and prints the best.

import BenchSupport
import EximTrace
import FixtureSupport
import StoreReplay
#if canImport(Glibc)
import Glibc
#endif

var args = Array(CommandLine.arguments.dropFirst())
var targetLines = 1_000_000
var runs = 3
var files: [String] = []
var singleProcessOnly = false
while !args.isEmpty {
    let a = args.removeFirst()
    if a == "--lines", let v = args.first.flatMap({ Int($0) }) { targetLines = v; args.removeFirst() }
    else if a == "--runs", let v = args.first.flatMap({ Int($0) }) { runs = v; args.removeFirst() }
    else if a == "--single" { singleProcessOnly = true }
    else { files.append(a) }
}

if !files.isEmpty {
    var failed = false
    for f in files {
        do {
            let report = CheckReport.check(try TraceReader(path: f))
            print("== \(f)")
            print(report.text(limit: 20))
            failed = failed || report.hasDifferences
        } catch {
            print("\(f): \(error)")
            failed = true
        }
    }
    exit(failed ? 1 : 0)
}

let root = Fixtures.root.path
let names = ["traces/trace1-bt.txt", "traces/trace2-bp.txt", "traces/trace3-bh.txt",
             "traces/trace4-deliver-local.txt", "traces/trace5-daemon.txt", "traces/trace6-deliver-remote.txt",
             "traces-extra/e1-be-newblock.txt", "traces-extra/e2-be-config-negative.txt",
             "traces-extra/e3-be-config-reuse.txt", "traces-extra/e4-be-keepone-discard.txt"]
var one: [UInt8] = []
var oneLines = 0
// --single: only the seven traces of one process each (no forks to replay).
let forking: Set<String> = ["traces/trace4-deliver-local.txt", "traces/trace5-daemon.txt", "traces/trace6-deliver-remote.txt"]
for n in names where !(singleProcessOnly && forking.contains(n)) {
    guard let bytes = readWholeFile(root + "/" + n) else { print("missing fixture \(n)"); exit(1) }
    one += bytes
    if one.last != 0x0A { one.append(0x0A) }
    oneLines += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
}
let copies = max(1, (targetLines + oneLines - 1) / oneLines)
let path = "/tmp/replaybench-\(getpid()).txt"
guard let out = fopen(path, "wb") else { print("cannot write \(path)"); exit(1) }
for _ in 0..<copies { _ = one.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, out) } }
fclose(out)
defer { unlink(path) }
let total = copies * oneLines
print("trace: \(copies) copies of the \(singleProcessOnly ? "7 single-process" : "10") fixtures = \(total) lines, \(copies * one.count) bytes")

/// One timed `--check` over the file (read + parse + replay + compare).
/// One timed `--check` over the file (read + parse + replay + compare): wall and CPU seconds.
func timedCheck(_ path: String) -> (seconds: Double, cpu: Double, report: CheckReport)? {
    guard let reader = try? TraceReader(path: path) else { return nil }
    let t0 = BenchClock.monotonic.seconds(), c0 = BenchClock.processCPU.seconds()
    let report = CheckReport.check(reader)
    return (BenchClock.monotonic.seconds() - t0, BenchClock.processCPU.seconds() - c0, report)
}

var best = Double.infinity
var bestCPU = Double.infinity
var last: CheckReport?
for run in 1...runs {
    guard let (dt, cpu, report) = timedCheck(path) else { print("cannot read \(path)"); exit(1) }
    best = min(best, dt)
    bestCPU = min(bestCPU, cpu)
    last = report
    print("run \(run): \(BenchText.fixed(dt, 3)) s wall, \(BenchText.fixed(cpu, 3)) s CPU, \(Int(Double(total) / dt)) lines/s wall, \(Int(Double(total) / cpu)) lines/s CPU")
}
if let r = last { print(r.summary) }
print("best: \(Int(Double(total) / best)) lines/s wall (\(BenchText.fixed(best * 1e9 / Double(total), 1)) ns/line), \(Int(Double(total) / bestCPU)) lines/s of CPU time")
