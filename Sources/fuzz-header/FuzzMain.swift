// libFuzzer target for the `-H` parser (and what is built on it: delivered flags, sizes,
// copy-out). Build:
//   swift build --product fuzz-header --sanitize=fuzzer --sanitize=address \
//     --scratch-path .build-fuzz-spool -Xswiftc -DFUZZING \
//     -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
// (without that last flag the binary has no coverage instrumentation here).
// Without -DFUZZING this is a replay tool: `fuzz-header FILE...` feeds each file once.

import EximSpool
import Store

/// One store for the whole run; each input is parsed between a mark and a reset.
nonisolated(unsafe) let fuzzStore: Store = {
    do {
        let s = try Store()
        s.currentPool = .message
        return s
    } catch { fatalError("cannot make a Store: \(error)") }
}()

/// Feeds one input to the parser. An input may carry a journal after a 0xFF 0xFF pair.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    var split = size
    if size >= 2 {
        for i in 0..<(size - 1) where raw[i] == 0xFF && raw[i + 1] == 0xFF { split = i; break }
    }
    do {
        try fuzzStore.withMark {
            let file = try fuzzStore.copyTainted(UnsafeRawBufferPointer(rebasing: raw[0..<split]))
            let journalBytes = split + 2 <= size ? UnsafeRawBufferPointer(rebasing: raw[(split + 2)...]) : UnsafeRawBufferPointer(start: nil, count: 0)
            let journal = JournalLines.split(try fuzzStore.copyTainted(journalBytes))
            // With and without an expected id (the name line's own, when it has one).
            _ = SpoolHeader.parse(file, expecting: MessageID(bytes: raw.prefix(23)))
            guard case .success(let h) = SpoolHeader.parse(file) else { return }
            var sink = h.uid &+ h.gid &+ h.receivedTime &+ h.warningCount &+ h.liveHeaderBytes
            for o in h.options { sink &+= o.name.count &+ (o.value?.count ?? 0) &+ (o.aclName?.count ?? 0) }
            for r in h.recipients { sink &+= r.address.count &+ (r.errorsTo?.count ?? 0) &+ (r.orcpt?.count ?? 0) }
            for x in h.headers { sink &+= x.length }
            for n in h.nonRecipients { sink &+= n.count }
            let m = QueuedMessage(header: h, dataFileSize: Int(size), journal: journal)
            let s = m.summary(now: 1_800_000_000)
            sink &+= s.recipients.count &+ s.delivered.count &+ s.sizeText.count &+ s.ageText.count
            precondition(s.recipients.count + s.delivered.count == h.recipientCount)
            precondition(h.liveHeaderBytes <= file.count)
            if sink == 42 { print("") }
        }
    } catch {
        fatalError("store failed: \(error)")
    }
    return 0
}

#if !FUZZING
import Foundation

/// Replays saved inputs (crash files, the corpus) through the fuzz entry point.
@main enum FuzzHeaderReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            _ = bytes.withUnsafeBufferPointer { fuzzOne($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
            print("ok \(path)")
        }
    }
}
#endif
