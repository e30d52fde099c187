// logbench: log ingest speed, read + parse + pool + reset, on a 1-million-line main log
// made by repeating the real Exim 4.96 main log (Tests/Fixtures/exim-real/log/mainlog)
// with fresh message ids.
//
//   swift run -c release --scratch-path .build-log logbench [lines] [batchKiB...]
//
// For each batch size (the bytes one refresh reads; default 64 KiB, 1 MiB, 16 MiB) it
// follows the file from the top with `LogTailer`, and per batch: marks the pool, reads
// the new complete lines into the tainted pool, parses each (`LogLine`: kind, flag,
// timestamp, pid, id), counts it (`LogCounters`) and reads its id, then resets the mark.
// The second figure per batch size also runs `details()` on every line (addresses,
// recipients, reason, all fields) and reads the address and `S=`.

import EximLog
import Store
#if canImport(Glibc)
import Glibc
#endif

/// Seconds from a monotonic clock.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Reads a whole file into memory (bench setup only).
func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}

/// Finds the real main log by walking up from this source file.
func fixtureMainlog() -> String? {
    var dir = String(#filePath)
    for _ in 0..<6 {
        guard let slash = dir.lastIndex(of: "/") else { break }
        dir = String(dir[..<slash])
        let candidate = dir + "/Tests/Fixtures/exim-real/log/mainlog"
        if access(candidate, R_OK) == 0 { return candidate }
    }
    return nil
}

@inline(__always) func isAlnum(_ b: UInt8) -> Bool { b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26 }

/// The real log's lines, repeated until `count` lines, with the 6 time characters of
/// every 16-character message id replaced by the repetition number in base 62.
func makeLog(from real: [UInt8], lines count: Int) -> [UInt8] {
    let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    var lines: [ArraySlice<UInt8>] = []
    var s = 0
    for i in real.indices where real[i] == 0x0A { lines.append(real[s...i]); s = i + 1 }
    var out: [UInt8] = []
    out.reserveCapacity(count * (real.count / max(lines.count, 1) + 2))
    var rep = 0, made = 0
    while made < count {
        var stamp = [UInt8](repeating: 0x30, count: 6)
        var r = rep
        for k in stride(from: 5, through: 0, by: -1) { stamp[k] = digits[r % 62]; r /= 62 }
        for line in lines {
            if made == count { break }
            var l = Array(line)
            var i = 0
            while i + 16 <= l.count {
                if l[i + 6] == 0x2D && l[i + 13] == 0x2D && (i == 0 || l[i - 1] == 0x20 || l[i - 1] == 0x3D)
                    && (0..<6).allSatisfy({ isAlnum(l[i + $0]) }) && (7..<13).allSatisfy({ isAlnum(l[i + $0]) })
                    && isAlnum(l[i + 14]) && isAlnum(l[i + 15]) {
                    for k in 0..<6 { l[i + k] = stamp[k] }
                    i += 16
                } else { i += 1 }
            }
            out.append(contentsOf: l)
            made += 1
        }
        rep += 1
    }
    return out
}

@main
enum LogBench {
    static func main() throws {
        let args = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let lineCount = args.first ?? 1_000_000
        let batches = args.count > 1 ? Array(args.dropFirst()) : [64, 1024, 16384]
        guard let realPath = fixtureMainlog(), let real = readFile(realPath) else {
            print("logbench: cannot find Tests/Fixtures/exim-real/log/mainlog"); exit(1)
        }
        var template = Array("/tmp/logbench.XXXXXX".utf8CString)
        guard let dirPtr = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            print("logbench: mkdtemp failed"); exit(1)
        }
        let dir = String(cString: dirPtr)
        let path = dir + "/mainlog"
        let log = makeLog(from: real, lines: lineCount)
        guard let f = fopen(path, "wb") else { print("logbench: cannot write \(path)"); exit(1) }
        _ = log.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        fclose(f)
        defer { unlink(path); rmdir(dir) }
        print("logbench: \(lineCount) lines, \(log.count) bytes (\(log.count / lineCount) bytes/line) in \(path)")

        let store = try Store()
        for (kib, full) in batches.flatMap({ k in [(k, false), (k, true)] }) {
            // Warm the page cache and the pool's blocks once, then measure three runs.
            var best = Double.infinity
            var counters = LogCounters()
            for run in 0..<4 {
                let tailer = LogTailer(path: path, start: .beginning,
                                       options: .init(maxBytesPerRead: kib * 1024,
                                                      useInotify: false))
                var c = LogCounters()
                var sink = 0
                var refreshes = 0
                let t0 = now()
                while true {
                    let mark = try store.mark()
                    let batch = try tailer.readNewLines(into: store)
                    for line in batch {
                        c.count(line)
                        if let id = line.messageID { sink &+= Int(id[0]) }
                        if full {
                            let d = line.details()
                            if let a = d.address { sink &+= a.count }
                            if let s = d[.S] { sink &+= s.count }
                        }
                    }
                    try store.reset(to: mark)
                    refreshes += 1
                    if !batch.hasMore && batch.isEmpty { break }
                }
                let dt = now() - t0
                if sink == -1 { print(sink) }
                if run > 0 { best = min(best, dt) }
                counters = c
                if c.lines != lineCount { print("logbench: read \(c.lines) lines, expected \(lineCount)"); exit(1) }
                if run == 3 {
                    let lps = Double(lineCount) / best
                    let mbs = Double(log.count) / best / 1e6
                    print("batch \(kib) KiB, \(full ? "classify + details()" : "classify only       "): best of 3 \(format3(best * 1000)) ms, "
                          + "\(Int(lps)) lines/s, \(format3(mbs)) MB/s, \(refreshes) refreshes")
                }
            }
            if full {
                var flags = ""
                for f in LogFlag.allCases { flags += " \(f.text)=\(counters[flag: f])" }
                print("  counts:\(flags) rejected=\(counters.rejected) other=\(counters.other)")
            }
        }
        let st = store.statistics()
        print("pool after the runs: tainted main maxBytes=\(st.pools[PoolID(.main, tainted: true).index].maxBytes)")
    }

    static func format3(_ v: Double) -> String {
        let scaled = (v * 1000).rounded() / 1000
        return String(scaled)
    }
}
