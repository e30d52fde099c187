import Foundation
import Store
import Testing
@testable import EximLog

/// Every line of the real Exim 4.96 logs is read, classified, and counted like an
/// independent awk count says.
@Suite("Real Exim 4.96 logs")
struct RealLogTests {
    /// awk's count of each flag: the word after the timestamp, optional zone and
    /// `[pid]`, and a 16- or 23-character id.
    static let awkFlags = #"""
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / {
      i = 3
      if ($i ~ /^[+-][0-9][0-9][0-9][0-9]$/) i++
      if ($i ~ /^\[[0-9]+\]$/) i++
      id = $i
      if ((length(id) == 16 && substr(id, 7, 1) == "-" && substr(id, 14, 1) == "-") ||
          (length(id) == 23 && substr(id, 7, 1) == "-" && substr(id, 19, 1) == "-")) {
        f = $(i + 1)
        if (f == "<=" || f == "=>" || f == "->" || f == ">>" || f == "*>" || f == "**" || f == "==" || f == "(=") c[f]++
      }
    }
    END { for (k in c) print k, c[k] }
    """#

    func readAll(_ path: String) throws -> Drained {
        let store = try makeStore()
        // Small batches, so the file is read over many refreshes.
        let tailer = LogTailer(path: path, start: .beginning,
                               options: .init(readChunk: 4096, maxBytesPerRead: 8192, useInotify: false))
        return try drain(tailer, store)
    }

    @Test("every main-log line is read once and classified", arguments: [realMainlog, realRejectlog])
    func everyLineClassified(path: String) throws {
        let d = try readAll(path)
        let wc = try run("/usr/bin/wc", ["-l", path]).split(separator: " ").first.flatMap { Int($0) }
        #expect(d.counters.lines == wc)
        #expect(d.lines.count == wc)
        #expect(d.counters.other == 0, "lines not understood: \(d.counters.other)")
        #expect(d.counters.truncated == 0)
        #expect(d.problems.isEmpty)
        // The lines come back byte for byte.
        let original = try String(contentsOfFile: path, encoding: .utf8)
        #expect(d.lines.joined(separator: "\n") + "\n" == original)
    }

    @Test("counts by flag equal awk's", arguments: [realMainlog, realRejectlog])
    func flagCountsMatchAwk(path: String) throws {
        let d = try readAll(path)
        var expected: [String: Int] = [:]
        for row in try run("/usr/bin/awk", [Self.awkFlags, path]).split(separator: "\n") {
            let parts = row.split(separator: " ")
            expected[String(parts[0])] = Int(parts[1])
        }
        for flag in LogFlag.allCases {
            #expect(d.counters[flag: flag] == expected[flag.text] ?? 0, "flag \(flag.text)")
            #expect(d.counters.byFlagText[flag.text] == expected[flag.text] ?? 0)
        }
        #expect(d.counters.rejected == grepCount(rejectionPattern, path))
        if path == realMainlog {
            // The figures themselves, so a broken awk cannot make the test pass vacuously.
            #expect(expected["<="] == 64 && expected["=>"] == 43 && expected["=="] == 23 && expected["**"] == 5)
            // 8 rejections and 2 synchronization errors (which Exim writes as rejections).
            #expect(d.counters.rejected == 10)
        }
    }

    @Test("kinds of the real main log")
    func realMainlogKinds() throws {
        let d = try readAll(realMainlog)
        let c = d.counters
        #expect(c[kind: .daemonStarted] == 2)
        #expect(c[kind: .queueRunStarted] == 2)
        #expect(c[kind: .queueRunEnded] == 2)
        #expect(c[kind: .completed] == 39)
        #expect(c[kind: .frozen] == 5)            // 1 "Frozen (…)", 1 "Message is frozen", 3 "frozen by root"
        #expect(c[kind: .cancelled] == 1)
        #expect(c[kind: .continuation] == 2)      // " Suggested action: …" after the certificate warning
        #expect(c[kind: .protocolError] == 3)
        #expect(c[kind: .synchronizationError] == 2)
        #expect(c[kind: .connectionLost] == 2)
        #expect(c[kind: .noMail] == 3)
        #expect(c[kind: .incompleteTransaction] == 4)
        #expect(c[kind: .arguments] == 81)
        #expect(c[kind: .warning] == 5)
        #expect(c[kind: .messageEvent] == 5)      // Connection refused ×2, queued by ACL ×3
    }

    @Test("kinds of the real reject log")
    func realRejectlogKinds() throws {
        let d = try readAll(realRejectlog)
        #expect(d.counters[kind: .rejected] == 8)
        #expect(d.counters[kind: .synchronizationError] == 2)
        #expect(d.counters[kind: .rejectLogHeader] == 18)
        #expect(d.counters[kind: .continuation] == 5)
    }

    @Test("every real flagged line has an id, an address and a timestamp with pid")
    func realFlaggedLinesHaveParts() throws {
        let store = try makeStore()
        let tailer = LogTailer(path: realMainlog, start: .beginning, options: .init(useInotify: false))
        let mark = try store.mark()
        var flagged = 0
        for line in try tailer.readNewLines(into: store) where line.flag != nil {
            flagged += 1
            #expect(line.messageIDFormat == .legacy)
            #expect(line.messageID?.count == 16)
            #expect(line.pid != nil)
            #expect(line.timestamp?.year == 2026)
            let d = line.details()
            #expect(d.address != nil)
            if line.flag == .arrival {
                #expect(d.size != nil)
                #expect(d[.P] != nil)
                #expect(d.recipients != nil)
            }
            if line.flag == .deferred || line.flag == .failed {
                #expect(d.reason != nil)
                #expect(str(d[.DT]) == "0s")
            }
        }
        #expect(flagged == 135)
        try store.reset(to: mark)
    }
}
