import Foundation
import Store
import SystemPackage
import Testing
@testable import EximLog

/// Following a log file: partial lines, rotation, truncation, missing and unreadable
/// files, datestamps, start positions, huge lines. Each test uses its own temp dir.
@Suite("Log tailer")
struct TailerTests {
    func lines(_ range: ClosedRange<Int>) -> [String] { range.map { String(logLine($0).dropLast()) } }

    @Test("a half-written last line waits for its newline")
    func partialLine() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        let full = logLine(1) + logLine(2)
        let cut = full.utf8.count - 10
        append(Array(full.utf8.prefix(cut)), to: path)
        let tailer = LogTailer(path: path, start: .beginning)
        let first = try drain(tailer, store)
        #expect(first.lines == lines(1...1))
        #expect(try drain(tailer, store).lines.isEmpty)
        append(Array(full.utf8.dropFirst(cut)), to: path)
        #expect(try drain(tailer, store).lines == lines(2...2))
    }

    @Test("rotation by rename: the old file is finished, nothing lost or repeated")
    func renameRotation() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        for n in 1...3 { append(logLine(n), to: path) }
        let tailer = LogTailer(path: dir.path, start: .beginning)
        #expect(try drain(tailer, store).lines == lines(1...3))
        // A writer that opened the file before the rename keeps writing to it.
        let late = open(path, O_WRONLY | O_APPEND)
        append(logLine(4), to: path)
        #expect(rename(path, dir.file("mainlog.1")) == 0)
        _ = Array(logLine(5).utf8).withUnsafeBytes { write(late, $0.baseAddress, $0.count) }
        close(late)
        // Renamed away, no new file yet: the old descriptor is still followed.
        let between = try drain(tailer, store)
        #expect(between.lines == lines(4...5))
        #expect(tailer.path == path)
        append("2026-11-26 17:20:36 [1] 1xWd9A-0006vT-0Q => half", to: dir.file("mainlog.1"))  // no newline, ever
        for n in 6...7 { append(logLine(n), to: path) }
        let after = try drain(tailer, store)
        #expect(after.lines == ["2026-11-26 17:20:36 [1] 1xWd9A-0006vT-0Q => half"] + lines(6...7))
        #expect(after.events.contains(.rotated(from: path, to: path)))
        append(logLine(8), to: path)
        #expect(try drain(tailer, store).lines == lines(8...8))
    }

    @Test("rotation between two reads delivers the old file's rest first")
    func rotationInOneRead() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        append(logLine(1), to: path)
        let tailer = LogTailer(path: path, start: .beginning)
        #expect(try drain(tailer, store).lines == lines(1...1))
        append(logLine(2), to: path)
        #expect(rename(path, dir.file("mainlog.1")) == 0)
        append(logLine(3), to: path)
        let d = try drain(tailer, store)
        #expect(d.lines == lines(2...3))
        #expect(d.counters.lines == 2)
    }

    @Test("rotation while a big backlog is read over several small batches keeps the order")
    func rotationWithBacklog() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        append(logLine(0), to: path)
        let tailer = LogTailer(path: path, start: .beginning,
                               options: .init(readChunk: 4096, maxBytesPerRead: 4096, useInotify: false))
        #expect(try drain(tailer, store).lines == lines(0...0))
        append(lines(1...300).map { $0 + "\n" }.joined(), to: path)
        #expect(rename(path, dir.file("mainlog.1")) == 0)
        append(lines(301...310).map { $0 + "\n" }.joined(), to: path)
        var batches = 0
        var got: [String] = []
        while true {
            let mark = try store.mark()
            let batch = try tailer.readNewLines(into: store)
            for line in batch { got.append(line.bytes.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }) }
            try store.reset(to: mark)
            batches += 1
            if !batch.hasMore { break }
        }
        #expect(got == lines(1...310))
        #expect(batches > 5)
    }

    @Test("truncation in place starts again at the top")
    func truncation() throws {
        let dir = TempDir(), store = try makeStore()
        let (path, tailer) = try tailerBeforeTruncation(in: dir, store)
        append(logLine(6), to: path)
        let d = try drain(tailer, store)
        #expect(d.lines == lines(6...6))
        #expect(d.events.contains(.truncated(path: path)))
    }

    @Test("a missing file is waited for, then read from its start")
    func missingThenAppearing() throws {
        let dir = TempDir(), store = try makeStore()
        let tailer = LogTailer(path: dir.path, start: .end)
        let empty = try drain(tailer, store)
        #expect(empty.lines.isEmpty && empty.problems.isEmpty)
        #expect(tailer.path == nil)
        for n in 1...2 { append(logLine(n), to: dir.file("mainlog")) }
        let d = try drain(tailer, store)
        #expect(d.lines == lines(1...2))
        #expect(d.events == [.opened(path: dir.file("mainlog"))])
    }

    @Test("a deleted file is finished and the next one waited for")
    func deletedFile() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        append(logLine(1), to: path)
        let tailer = LogTailer(path: path, start: .beginning)
        #expect(try drain(tailer, store).lines.count == 1)
        #expect(unlink(path) == 0)
        let gone = try drain(tailer, store)
        #expect(gone.events == [.vanished(path: path)])
        #expect(tailer.path == nil)
        append(logLine(2), to: path)
        #expect(try drain(tailer, store).lines == lines(2...2))
    }

    @Test("an unreadable file gives a clear error that names it and the fix",
          .disabled(if: geteuid() == 0, "running as root: chmod 000 does not stop root from reading, so no EACCES can be produced"))
    func unreadableFile() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        append(logLine(1), to: path)
        #expect(chmod(path, 0) == 0)
        let tailer = LogTailer(path: path, start: .beginning)
        let d = try drain(tailer, store)
        #expect(d.problems == [.permissionDenied(path: path)])
        #expect(d.lines.isEmpty)
        #expect(chmod(path, 0o644) == 0)
        #expect(try drain(tailer, store).lines == lines(1...1))
    }

    @Test("the unreadable-file message names the file and the adm group")
    func unreadableMessage() {
        let text = LogTailerError.permissionDenied(path: "/var/log/exim4/mainlog").description
        #expect(text.contains("/var/log/exim4/mainlog"))
        #expect(text.contains("group adm"))
        #expect(text.contains("adduser"))
        let io = LogTailerError.readFailed(path: "/x/mainlog", errno: .ioError).description
        #expect(io.contains("/x/mainlog") && io.contains("errno \(EIO)"))
    }

    @Test("a directory path that cannot be opened as a log is reported, not crashed on")
    func directoryAsFile() throws {
        let dir = TempDir(), store = try makeStore()
        mkdir(dir.file("mainlog"), 0o755)
        let tailer = LogTailer(path: dir.file("mainlog") + "x", start: .beginning)
        #expect(try drain(tailer, store).lines.isEmpty)
        let inDir = LogTailer(path: dir.path, start: .beginning)
        let d = try drain(inDir, store)
        #expect(d.lines.isEmpty)
        #expect(d.problems == [.notARegularFile(path: dir.file("mainlog"), kind: "a directory")])
    }

    @Test("datestamped logs: the newest is followed, the old one finished first")
    func datestamped() throws {
        let dir = TempDir(), store = try makeStore()
        append(logLine(1), to: dir.file("mainlog20261125"))
        append(logLine(2), to: dir.file("mainlog20261126"))
        append(logLine(9), to: dir.file("mainlog.1"))          // a rotated copy, never followed
        let tailer = LogTailer(path: dir.path, start: .beginning)
        #expect(try drain(tailer, store).lines == lines(2...2))
        #expect(tailer.path == dir.file("mainlog20261126"))
        append(logLine(3), to: dir.file("mainlog20261126"))
        append(logLine(4), to: dir.file("mainlog20261127"))
        let d = try drain(tailer, store)
        #expect(d.lines == lines(3...4))
        #expect(d.events == [.rotated(from: dir.file("mainlog20261126"), to: dir.file("mainlog20261127"))])
    }

    @Test("log_file_path with %slog and %D")
    func logFilePathPatterns() throws {
        let dir = TempDir(), store = try makeStore()
        append(logLine(1), to: dir.file("mainlog"))
        let s = LogTailer(path: dir.path + "/%slog", start: .beginning)
        #expect(try drain(s, store).lines == lines(1...1))
        append(logLine(2), to: dir.file("main-20261126.log"))
        append(logLine(3), to: dir.file("main-20261124.log"))
        let d = LogTailer(path: dir.path + "/%s-%D.log", start: .beginning)
        #expect(try drain(d, store).lines == lines(2...2))
        #expect(d.path == dir.file("main-20261126.log"))
    }

    @Test("directory mode prefers plain mainlog over rotated copies")
    func directoryMode() throws {
        let dir = TempDir(), store = try makeStore()
        append(logLine(1), to: dir.file("mainlog.1"))
        append(logLine(2), to: dir.file("rejectlog"))
        append(logLine(3), to: dir.file("mainlog"))
        let tailer = LogTailer(path: dir.path, start: .beginning)
        #expect(try drain(tailer, store).lines == lines(3...3))
    }

    @Test("start positions: end, last N lines, beginning")
    func startPositions() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        for n in 1...10 { append(logLine(n), to: path) }
        append("2026-11-26 17:20:36 partial", to: path)
        let end = LogTailer(path: path, start: .end)
        #expect(try drain(end, store).lines.isEmpty)
        let last3 = LogTailer(path: path, start: .lastLines(3))
        #expect(try drain(last3, store).lines == lines(8...10))
        let last0 = LogTailer(path: path, start: .lastLines(0))
        #expect(try drain(last0, store).lines.isEmpty)
        let last50 = LogTailer(path: path, start: .lastLines(50))
        #expect(try drain(last50, store).lines == lines(1...10))
        let all = LogTailer(path: path, start: .beginning)
        #expect(try drain(all, store).lines == lines(1...10))
        append(" done\n", to: path)
        #expect(try drain(end, store).lines == ["2026-11-26 17:20:36 partial done"])
        #expect(try drain(last3, store).lines == ["2026-11-26 17:20:36 partial done"])
    }

    @Test("a 1 MB line is delivered cut to the cap, flagged, counted once; the rest is intact")
    func hugeLineThroughTailer() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        let huge = Array("2026-11-26 17:20:36 [1] 1xWd9A-0006vT-0Q <= a@b T=\"".utf8) + [UInt8](repeating: 0x58, count: 1 << 20)
        append(logLine(1), to: path)
        append(huge + [0x0A], to: path)
        append(logLine(2), to: path)
        let tailer = LogTailer(path: path, start: .beginning, options: .init(lineCap: 4096))
        let d = try drain(tailer, store)
        #expect(d.lines.count == 3)
        #expect(d.lines[0] == lines(1...1)[0] && d.lines[2] == lines(2...2)[0])
        #expect(d.lines[1].utf8.count == 4096)
        #expect(d.truncatedLengths == [huge.count])
        #expect(d.counters.truncated == 1 && d.counters.lines == 3)
        #expect(d.counters[flag: .arrival] == 1)
    }

    @Test("a huge line written in pieces across reads, with NUL and binary bytes")
    func hugeLineInPieces() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        let tailer = LogTailer(path: path, start: .beginning, options: .init(lineCap: 1000, readChunk: 4096))
        var seen = Drained()
        append(logLine(1), to: path)
        var body = Array("2026-11-26 17:20:36 ".utf8)
        for i in 0..<300_000 { body.append(UInt8(truncatingIfNeeded: i * 7 + 1) | 1) }   // no '\n' (0x0A is even)
        var written = 0
        for piece in stride(from: 0, to: body.count, by: 70_001) {
            let chunk = Array(body[piece..<min(body.count, piece + 70_001)])
            append(chunk, to: path)
            written += chunk.count
            let d = try drain(tailer, store)
            seen.lines += d.lines
            seen.truncatedLengths += d.truncatedLengths
        }
        append([0x00, 0xFF, 0x0A] + Array(logLine(2).utf8), to: path)
        let d = try drain(tailer, store)
        seen.lines += d.lines
        seen.truncatedLengths += d.truncatedLengths
        #expect(seen.lines.count == 3)
        #expect(seen.truncatedLengths == [written + 2])
        #expect(seen.lines.last == lines(2...2)[0])
    }

    @Test("every byte value, NUL and CR lines, blank lines: each line counted once")
    func binaryLines() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        var bytes: [UInt8] = []
        for b in 0...255 where b != 0x0A { bytes += [UInt8(b), 0x0A] }
        bytes += [0x0A, 0x0A, 0x0D, 0x0A, 0x00, 0x00, 0x0A]
        append(bytes, to: path)
        let d = try drain(LogTailer(path: path, start: .beginning), store)
        #expect(d.counters.lines == 255 + 4)
        #expect(d.counters[kind: .blank] == 2)
    }

    @Test("lines live in the tainted pool and the reset gives the memory back")
    func poolDiscipline() throws {
        let store = try makeStore()
        let tailer = LogTailer(path: realMainlog, start: .beginning)
        let taintedMain = PoolID(.main, tainted: true).index
        let before = store.statistics().pools[taintedMain]
        let mark = try store.mark()
        let batch = try tailer.readNewLines(into: store)
        var n = 0
        for line in batch {
            n += 1
            #expect(line.bytes.withUnsafeBytes { store.isTainted($0.baseAddress!) } || line.bytes.isEmpty)
        }
        #expect(n == 413)
        let during = store.statistics().pools[taintedMain]
        #expect(during.bytes > before.bytes || during.chain.map(\.used).reduce(0, +) > before.chain.map(\.used).reduce(0, +))
        try store.reset(to: mark)
        let after = store.statistics().pools[taintedMain]
        #expect(after.chain.map(\.used).reduce(0, +) == before.chain.map(\.used).reduce(0, +))
        // An untainted pool was not touched.
        #expect(store.statistics().pools[PoolID(.main, tainted: false).index].chain.map(\.used).reduce(0, +) == 0)
    }

    @Test("a file that was the log only between two reads is still read (the watcher opened it)")
    func watcherKeepsShortLivedFiles() throws {
        let dir = TempDir(), store = try makeStore()
        let path = dir.file("mainlog")
        append(logLine(1), to: path)
        let tailer = LogTailer(path: path, start: .beginning)
        #if os(Linux)
        try #require(tailer.usesInotify, "Linux always has inotify")
        #endif
        #expect(try drain(tailer, store).lines == lines(1...1))
        // B lives under the name for 50 ms only, then is renamed away and renamed again
        #expect(rename(path, dir.file("mainlog.1")) == 0)
        append(logLine(2), to: path)
        usleep(50_000)
        #expect(rename(dir.file("mainlog.1"), dir.file("mainlog.2")) == 0)
        #expect(rename(path, dir.file("mainlog.1")) == 0)
        append(logLine(3), to: dir.file("mainlog.1"))      // a late writer of B
        #expect(unlink(dir.file("mainlog.1")) == 0)        // and B is gone by name too
        append(logLine(4), to: path)
        usleep(50_000)
        let d = try drain(tailer, store)
        #expect(d.lines == lines(2...4))
        let polling = LogTailer(path: path, start: .end, options: .init(useInotify: false, watchInBackground: false))
        #expect(!polling.usesInotify)
    }
}
