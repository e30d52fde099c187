// libFuzzer target for the main-log line parser (`LogLine`).
//
// Build:  swift build -c release --product fuzz-logline --sanitize=fuzzer --sanitize=address \
//             --scratch-path .build-fuzz-log -Xswiftc -DFUZZING \
//             -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
//         (without the -sanitize-coverage flag, `--sanitize=fuzzer --sanitize=address` gives
//         an uninstrumented binary: libFuzzer says "Is the code instrumented for coverage?".
//         Changing -Xswiftc flags does not rebuild: remove the scratch folder first.)
// Run:    nice -n 19 .build-fuzz-log/release/fuzz-logline -max_total_time=600 -dict=dict.txt corpus/
// Without -DFUZZING this is a replay tool: `fuzz-logline FILE...` feeds each file to the
// same entry point (used for saved crash inputs).

import EximLog
import Store
#if canImport(Glibc)
import Glibc
#endif

/// One `Store` for the whole run: every input is parsed inside a mark that is reset
/// afterwards, as the monitor does once per refresh.
nonisolated(unsafe) private var fuzzStore: Store? = nil

/// Parses the input as one line and as newline-separated lines, and reads every
/// accessor of every parsed line. Returns 0 (libFuzzer's "keep going").
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if fuzzStore == nil { fuzzStore = try? Store() }
    guard let store = fuzzStore else { return 0 }
    do {
        let mark = try store.mark()
        defer { try? store.reset(to: mark) }
        let all = try store.copyTainted(UnsafeRawBufferPointer(start: data, count: size))
        var counters = LogCounters()
        var sink = 0
        func touch(_ line: LogLine) {
            counters.count(line)
            sink &+= line.bytes.count &+ line.text.count &+ line.body.count
            sink &+= Int(line.kind.rawValue) &+ Int(line.flag?.rawValue ?? 9)
            sink &+= line.pid ?? 0
            if let t = line.timestamp { sink &+= t.secondsSinceEpoch() &+ t.description.utf8.count }
            let d = line.details()
            for b in [line.messageID, d.address, d.originalAddress, d.recipients, d.reason] {
                if let b { sink &+= b.count; if !b.isEmpty { sink &+= Int(b[0]) &+ Int(b[b.count - 1]) } }
            }
            for key in LogFieldKey.allCases {
                if let v = d[key] {
                    sink &+= v.count &+ (d.isQuoted(key) ? 1 : 0)
                    if !v.isEmpty { sink &+= Int(v[0]) &+ Int(v[v.count - 1]) }
                }
            }
            sink &+= d.size ?? 0
            if let r = line.reason, let r2 = d.reason, r.count != r2.count { fatalError("details differ") }
        }
        touch(LogLine(all))
        var start = 0
        while start <= all.count {
            let nl = all.firstIndex(of: 0x0A, from: start) ?? all.count
            touch(LogLine(all[start..<nl]))
            start = nl + 1
        }
        if sink == 42 && counters.lines == 0 { print("unreachable") }
    } catch {
        return 0
    }
    return 0
}

#if !FUZZING
/// Replays saved inputs: `fuzz-logline FILE...`.
@main
enum FuzzLogLineReplay {
    static func main() {
        var files = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let f = fopen(path, "rb") else { print("cannot open \(path)"); continue }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&buf, 1, buf.count, f)
                if n <= 0 { break }
                bytes.append(contentsOf: buf[0..<n])
            }
            fclose(f)
            _ = bytes.withUnsafeBufferPointer { fuzzLogLine($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            files += 1
        }
        print("replayed \(files) input(s) without a crash")
    }
}
#endif
