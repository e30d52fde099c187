// libFuzzer target for the `exim -d+memory` trace parser.
//
// Build:  swift build --product fuzz-trace --sanitize=fuzzer --sanitize=address \
//           --scratch-path .build-fuzz-trace -Xswiftc -DFUZZING \
//           -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
// Run:    nice -n 19 .build-fuzz-trace/debug/fuzz-trace -max_total_time=600 corpus/
// Without -DFUZZING this is a replay tool: `fuzz-trace FILE...` feeds each file
// through the same entry point (for saved crash inputs).

import EximTrace
#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry: the input is split into lines and every line is parsed,
/// with each prefix mode, and the records' derived properties are read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let all = UnsafeBufferPointer(start: data, count: size)
    for prefixes in [TracePrefixes.detect, TracePrefixes(pid: true, timestamp: true)] {
        var parser = TraceParser(prefixes: prefixes)
        var start = 0
        while start <= size {
            var end = start
            while end < size, all[end] != 0x0A { end += 1 }
            let record = parser.parse(line: UnsafeBufferPointer(rebasing: all[start..<end]))
            _ = record.kind
            _ = record.event.site?.description
            if case .exitPool(let p) = record.event { _ = p.pool.description }
            start = end + 1
        }
    }
    return 0
}

#if !FUZZING
/// Replays saved inputs through `fuzzOne`.
@main enum FuzzMain {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let f = fopen(path, "rb") else {
                print("fuzz-trace: cannot open \(path)")
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&chunk, 1, chunk.count, f)
                if n <= 0 { break }
                bytes.append(contentsOf: chunk[0..<n])
            }
            fclose(f)
            _ = bytes.withUnsafeBufferPointer { fuzzOne($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            print("\(path): \(bytes.count) bytes parsed")
        }
    }
}
#endif
