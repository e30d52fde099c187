// replaybench: speed and memory of the replay engine (`storemon replay --check`).
//
//   swift run -c release replaybench [--lines N] [--runs R] [--single]
//       read + parse + replay + compare over the real fixtures concatenated (each copy a
//       separate set of processes) to at least N lines (default 1,000,000); --single uses
//       only the single-process traces.
//   swift run -c release replaybench --bounded
//       the bounded-cost figures of issue 8 point 5, on traces generated from a real one:
//       a daemon with 1,000 and 4,000 children (with and without terminating lines), a
//       1,000- and 4,000-deep fork chain, and a 1 GiB single-process-at-a-time trace read
//       from a pipe; time ratios and peak RSS (each case in a fresh child process).
//   swift run -c release replaybench --case NAME N [--no-terminating]
//       one generated case (daemon, chain, sequential-bytes) in this process; prints its figures.
//   swift run -c release replaybench FILE...   (check files, print reports)

import BenchSupport
import EximTrace
import FixtureSupport
import StoreReplay
#if canImport(Glibc)
import Glibc
#endif

/// `x` with `digits` decimals.
func fixed(_ x: Double, _ digits: Int) -> String { BenchText.fixed(x, digits) }

/// Peak resident set size of this process, in MB.
func peakRSSMB() -> Double {
    var u = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_maxrss) / 1024
}

var args = Array(CommandLine.arguments.dropFirst())
var targetLines = 1_000_000
var runs = 3
var files: [String] = []
var singleProcessOnly = false
var bounded = false
var caseName: String?
var caseSize = 0
var terminating = true
while !args.isEmpty {
    let a = args.removeFirst()
    if a == "--lines", let v = args.first.flatMap({ Int($0) }) { targetLines = v; args.removeFirst() }
    else if a == "--runs", let v = args.first.flatMap({ Int($0) }) { runs = v; args.removeFirst() }
    else if a == "--single" { singleProcessOnly = true }
    else if a == "--bounded" { bounded = true }
    else if a == "--no-terminating" { terminating = false }
    else if a == "--case", args.count >= 2, let n = Int(args[1]) { caseName = args[0]; caseSize = n; args.removeFirst(2) }
    else { files.append(a) }
}

let root = Fixtures.directory.path

if !files.isEmpty {
    var failed = false
    for f in files {
        do {
            let report = CheckReport.check(try TraceReader(path: f))
            print("== \(f)")
            print(report.text(limit: 20))
            failed = failed || report.failed
        } catch {
            print("\(f): \(error)")
            failed = true
        }
    }
    exit(failed ? 1 : 0)
}

func template() -> SyntheticTrace {
    guard let bytes = readWholeFile(root + "/exim-real/traces/trace1-bt.txt"),
          let t = SyntheticTrace(template: String(decoding: bytes, as: UTF8.self)) else {
        print("missing template trace under \(root)"); exit(1)
    }
    return t
}

/// Runs one generated case through a pipe (a writer thread is a forked child writing into
/// the pipe), replays it, and prints `lines seconds rssMB mismatches matched/compared`.
func runCase(_ name: String, _ n: Int, terminating: Bool) {
    let t = template()
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { print("pipe failed"); exit(1) }
    let writer = fork()
    if writer == 0 {
        close(fds[0])
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 20)
        func flush() {
            var off = 0
            while off < buf.count {
                let w = buf.withUnsafeBytes { write(fds[1], $0.baseAddress! + off, buf.count - off) }
                if w <= 0 { _exit(1) }
                off += w
            }
            buf.removeAll(keepingCapacity: true)
        }
        let emit: (String) -> Void = { line in
            buf.append(contentsOf: line.utf8); buf.append(0x0A)
            if buf.count >= 1 << 20 { flush() }
        }
        switch name {
        case "daemon": t.daemon(children: n, terminating: terminating, write: emit)
        case "chain": t.forkChain(depth: n, terminating: terminating, write: emit)
        default:
            // sequential-bytes: n MiB of exec'd processes one after another
            let per = 75_000
            t.sequential(processes: max(1, n * (1 << 20) / per), write: emit)
        }
        flush()
        close(fds[1])
        _exit(0)
    }
    close(fds[1])
    let reader = TraceReader(fileDescriptor: fds[0])
    let t0 = BenchClock.monotonic.seconds(), c0 = BenchClock.processCPU.seconds()
    let report = CheckReport.check(reader, keepLimit: 1000)
    // CPU time of the replaying process (the writer is another process): wall time on a
    // shared machine says more about the neighbours than about the replay.
    let dt = BenchClock.processCPU.seconds() - c0
    _ = t0
    var status: Int32 = 0
    waitpid(writer, &status, 0)
    print("\(report.lines) \(fixed(dt, 3)) \(fixed(peakRSSMB(), 1)) \(report.lineMismatches) \(report.matched)/\(report.compared) \(reader.bytesRead) \(report.processCount)")
}

if let name = caseName {
    runCase(name, caseSize, terminating: terminating)
    exit(0)
}

if bounded {
    /// Runs a case in a fresh process (so peak RSS is the case's own).
    func measure(_ name: String, _ n: Int, _ term: Bool) -> (lines: Int, seconds: Double, rss: Double, summary: String) {
        let exe = CommandLine.arguments[0]
        let cmd = "'\(exe)' --case \(name) \(n)\(term ? "" : " --no-terminating")"
        guard let p = popen(cmd, "r") else { return (0, 0, 0, "popen failed") }
        var out = ""
        var buf = [CChar](repeating: 0, count: 4096)
        while fgets(&buf, Int32(buf.count), p) != nil { out += String(cString: buf) }
        pclose(p)
        let f = out.split(separator: " ")
        guard f.count >= 7 else { return (0, 0, 0, out) }
        return (Int(f[0]) ?? 0, Double(f[1]) ?? 0, Double(f[2]) ?? 0,
                "mismatching lines \(f[3]), exit lines \(f[4]), \(f[5].trimmingCharacters(in: .whitespacesAndNewlines)) bytes, \(f[6].trimmingCharacters(in: .whitespacesAndNewlines)) processes")
    }
    func row(_ label: String, _ m: (lines: Int, seconds: Double, rss: Double, summary: String)) {
        print("\(label): \(m.lines) lines in \(fixed(m.seconds, 3)) s of CPU (\(Int(Double(m.lines) / max(m.seconds, 1e-9))) lines/s), peak RSS \(fixed(m.rss, 1)) MB; \(m.summary)")
    }
    for term in [true, false] {
        let a = measure("daemon", 1000, term), b = measure("daemon", 4000, term)
        row("daemon, 1,000 children\(term ? "" : ", no terminating lines")", a)
        row("daemon, 4,000 children\(term ? "" : ", no terminating lines")", b)
        print("  ratio 4,000/1,000: \(fixed(b.seconds / max(a.seconds, 1e-9), 2))× (target ≤ 6×)")
    }
    for term in [true, false] {
        let a = measure("chain", 1000, term), b = measure("chain", 4000, term)
        row("fork chain, depth 1,000\(term ? "" : ", no terminating lines")", a)
        row("fork chain, depth 4,000\(term ? "" : ", no terminating lines")", b)
        print("  ratio 4,000/1,000: \(fixed(b.seconds / max(a.seconds, 1e-9), 2))× (target ≤ 6×)")
    }
    row("1 GiB of exec'd processes one at a time, from a pipe", measure("sequential-bytes", 1024, true))
    exit(0)
}

// Traces whose processes all end with a terminating line (a copy then never shares the
// stream with the last copy's processes, as separate runs would not).
let singleNames = ["exim-real/traces/trace1-bt.txt", "exim-real/traces/trace3-bh.txt",
                   "exim-real/traces-extra/e1-be-newblock.txt", "exim-real/traces-extra/e2-be-config-negative.txt",
                   "exim-real/traces-extra/e3-be-config-reuse.txt", "exim-real/traces-extra/e4-be-keepone-discard.txt",
                   "exim-4.99/traces/bt.memory+pid.txt", "exim-4.99/traces/bh.memory+pid.txt", "exim-4.99/traces/bP.memory+pid.txt",
                   "exim-4.99/traces/Mvh.memory+pid.txt", "exim-4.98/traces/bt.memory+pid.txt", "exim-4.98/traces/bh.memory+pid.txt"]
let forkingNames = ["exim-real/traces/trace4-deliver-local.txt", "exim-real/traces/trace5-daemon.txt",
                    "exim-real/traces-extra/e5-qff-pid-forks.txt", "exim-4.99/traces/qff.memory+pid.txt",
                    "exim-4.99/traces/bs.memory+pid.txt", "exim-4.98/traces/daemon.memory+pid.txt"]
let names = singleProcessOnly ? singleNames : singleNames + forkingNames
var one: [UInt8] = []
var oneLines = 0
for n in names {
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
print("trace: \(copies) copies of \(singleProcessOnly ? "the single-process fixtures" : "\(names.count) fixtures (with forks)") = \(total) lines, \(copies * one.count) bytes")

/// One timed `--check` over the file (read + parse + replay + compare): wall and CPU seconds.
func timedCheck(_ path: String) -> (seconds: Double, cpu: Double, report: CheckReport)? {
    guard let reader = try? TraceReader(path: path) else { return nil }
    let t0 = BenchClock.monotonic.seconds(), c0 = BenchClock.processCPU.seconds()
    let report = CheckReport.check(reader, keepLimit: 1000)
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
    print("run \(run): \(fixed(dt, 3)) s wall, \(fixed(cpu, 3)) s CPU, \(Int(Double(total) / dt)) lines/s wall, \(Int(Double(total) / cpu)) lines/s CPU")
}
if let r = last { print(r.summary) }
print("best: \(Int(Double(total) / best)) lines/s wall (\(fixed(best * 1e9 / Double(total), 1)) ns/line), \(Int(Double(total) / bestCPU)) lines/s of CPU time; peak RSS \(fixed(peakRSSMB(), 1)) MB")
