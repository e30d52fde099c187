import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximLog

/// The real Exim 4.98.2 and 4.99.1 logs (`Tests/Fixtures/exim-4.98`, `exim-4.99`): every
/// line read and classified, flags and rejections counted as awk and grep count them, and
/// no flagged line loses a field.
@Suite("Real Exim 4.98 and 4.99 logs")
struct RealLog49xTests {
    static let files: [(String, String)] = ["4.98", "4.99"].flatMap { v in
        ["log/mainlog", "log/mainlog-default", "log/rejectlog", "log/rejectlog-default"].map { (v, $0) }
    }

    func readAll(_ path: String) throws -> Drained {
        let store = try makeStore()
        let tailer = LogTailer(path: path, start: .beginning,
                               options: .init(readChunk: 4096, maxBytesPerRead: 8192, useInotify: false))
        return try drain(tailer, store)
    }

    @Test("every line is read once, understood, and counted like awk and grep count it", arguments: files)
    func everyLine(version: String, name: String) throws {
        let path = eximFixture(version, name)
        let d = try readAll(path)
        let wc = try run("/usr/bin/wc", ["-l", path]).split(separator: " ").first.flatMap { Int($0) }
        #expect(wc != nil && wc! > 0)
        #expect(d.counters.lines == wc)
        #expect(d.counters.other == 0, "lines not understood: \(d.counters.other)")
        #expect(d.problems.isEmpty)
        let original = try String(contentsOfFile: path, encoding: .utf8)
        #expect(d.lines.joined(separator: "\n") + "\n" == original)

        var expected: [String: Int] = [:]
        for row in try run("/usr/bin/awk", [RealLogTests.awkFlags, path]).split(separator: "\n") {
            let parts = row.split(separator: " ")
            expected[String(parts[0])] = Int(parts[1])
        }
        for flag in LogFlag.allCases {
            #expect(d.counters[flag: flag] == expected[flag.text] ?? 0, "flag \(flag.text)")
        }
        #expect(d.counters.rejected == grepCount(rejectionPattern, path))
        // Each run made 8 SMTP rejections (fixtures' README): RCPT ×6, MAIL, after DATA.
        #expect(d.counters.rejected == 8)
        if name == "log/mainlog" {
            // The figures themselves (the README's), so a broken awk cannot pass vacuously.
            #expect(expected["<="] == 109 && expected["=="] == 105 && expected["**"] == 7)
            #expect(expected["=>"] == (version == "4.98" ? 66 : 67))
        }
    }

    @Test("every message id is a 23-character id, as grep finds them", arguments: files)
    func extendedIDs(version: String, name: String) throws {
        let path = eximFixture(version, name)
        let store = try makeStore()
        let tailer = LogTailer(path: path, start: .beginning, options: .init(useInotify: false))
        let mark = try store.mark()
        var withID = 0
        for line in try tailer.readNewLines(into: store) where line.messageID != nil {
            withID += 1
            #expect(line.messageIDFormat == .extended)
            #expect(line.messageID?.count == 23)
        }
        try store.reset(to: mark)
        let idPattern = #"^[0-9-]+ [0-9:.]+( \[[0-9]+\])? [0-9A-Za-z]{6}-[0-9A-Za-z]{11}-[0-9A-Za-z]{4}( |$)"#
        #expect(withID == grepCount(idPattern, path))
        if name.hasPrefix("log/mainlog") { #expect(withID > 300) }
    }

    /// The `KEY=` words a flagged line carries outside quoted values.
    static func keysWritten(_ text: String) -> Set<String> {
        var keys = Set<String>(), inQuote = false, wordStart = true
        var current = ""
        for ch in text {
            if ch == "\"" { inQuote.toggle() }
            if !inQuote && ch == " " { wordStart = true; current = ""; continue }
            if wordStart && !inQuote {
                if ch == "=" && !current.isEmpty { keys.insert(current); wordStart = false; continue }
                if ch.isLetter || ch.isNumber || ch == "*" { current.append(ch) } else { wordStart = false }
                if current.count > 8 { wordStart = false }
            }
        }
        return keys
    }

    @Test("no flagged line loses a field; deliveries have no reason, failures and deferrals have one",
          arguments: files.filter { $0.1.contains("mainlog") })
    func flaggedLinesKeepTheirFields(version: String, name: String) throws {
        let store = try makeStore()
        let tailer = LogTailer(path: eximFixture(version, name), start: .beginning, options: .init(useInotify: false))
        let mark = try store.mark()
        var flagged = 0
        for line in try tailer.readNewLines(into: store) {
            guard let flag = line.flag else { continue }
            flagged += 1
            let d = line.details()
            let text = str(line.body) ?? ""
            #expect(d.address != nil, "\(text)")
            // Fields after the reason (`: text DT=…`) belong to the reason's tail; count the
            // ones before it.
            let head = d.reason.flatMap { r in str(r).flatMap { text.range(of: $0).map { String(text[..<$0.lowerBound]) } } } ?? text
            for key in Self.keysWritten(head) {
                guard let k = LogFieldKey.allCases.first(where: { $0.description == key || (key == "id*" && $0 == .id) })
                else { continue }
                #expect(d[k] != nil, "\(key)= lost in: \(text)")
            }
            switch flag {
            case .arrival, .fakeRejectArrival:
                #expect(d.size != nil && d[.P] != nil, "\(text)")
            case .delivery, .additionalAddress, .cutthrough, .suppressed:
                #expect(d.reason == nil, "a delivery with a reason: \(text)")
                #expect(d[.R] != nil, "\(text)")
            case .deferred, .failed:
                #expect(d.reason != nil, "\(text)")
            }
        }
        try store.reset(to: mark)
        #expect(flagged > 100)
    }

    @Test("kinds of the 4.99 main log, each against grep")
    func kinds499() throws {
        let path = eximFixture("4.99", "log/mainlog")
        let c = try readAll(path).counters
        func g(_ pattern: String) -> Int { grepCount(pattern, path) }
        #expect(c[kind: .completed] == g(#"^[^ ]+ [^ ]+ \[[0-9]+\] [^ ]+ Completed"#))
        #expect(c[kind: .frozen] == g(#"\] [^ ]+ (Message is frozen|frozen by |Frozen )"#))
        #expect(c[kind: .unfrozen] == g(#"\] [^ ]+ unfrozen by "#))
        #expect(c[kind: .arguments] == g(#"\] cwd=[^ ]+ [0-9]+ args: "#))
        #expect(c[kind: .protocolError] == g(#"\] SMTP (syntax|protocol) error in "#))
        #expect(c[kind: .connectionDropped] == 1)     // too many unrecognized commands
        #expect(c[kind: .noMail] == 1 && c[kind: .connectionLost] == 1)
        #expect(c[kind: .queueRunStarted] == 1 && c[kind: .daemonStarted] == 1)
        #expect(c[kind: .rejected] == 8)
        // `H=127.0.0.1 [127.0.0.1]:2999 Connection refused` (ours, to the closed port), the
        // admin commands' lines (`removed by root`, `address <…> marked delivered`, `recipient
        // <…> added`, `sender address changed`) and `process N crashed`: message events.
        #expect(c[kind: .messageEvent] == 15)
        #expect(c[kind: .messageEvent] == g(#"\] [^ ]+ (H=[^ ]+ \[[^]]+\]:[0-9]+ Connection refused|removed by |address <|recipient <|sender address |process [0-9]+ )"#))
    }
}

/// The log reader agrees with `exim -bp`: the messages that arrived and were neither
/// completed nor removed are exactly the queue (default and named), and every recipient
/// `-bp` marks delivered (`D`) was delivered, or marked delivered, in the log.
@Suite("Real 4.98 and 4.99 logs agree with exim -bp")
struct RealLogAgreesWithQueueTests {
    /// (version, log, -bp listings of the queues written by that run)
    static let cases: [(String, String, [String])] = ["4.98", "4.99"].flatMap { v in [
        (v, "log/mainlog", ["queue/bp.txt", "queue/bp-ferry.txt"]),
        (v, "log/mainlog-default", ["queue/split-bp.txt", "queue/split-bp-ferry.txt"]),
    ] }

    /// `exim -bp` output: id → the recipients marked `D`.
    static func listing(_ path: String) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        var current = ""
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("        D ") { out[current, default: []].append(String(line.dropFirst(10))); continue }
            if line.hasPrefix("          ") { continue }
            let words = line.split(separator: " ")
            guard words.count >= 3 else { continue }
            current = String(words[2])
            out[current] = out[current] ?? []
        }
        return out
    }

    @Test("queue = arrived − completed − removed; D recipients were delivered", arguments: cases)
    func agrees(version: String, log: String, listings: [String]) throws {
        var queue: [String: [String]] = [:]
        for l in listings { queue.merge(try Self.listing(eximFixture(version, l))) { a, _ in a } }
        #expect(queue.count >= 68)

        let store = try makeStore()
        let tailer = LogTailer(path: eximFixture(version, log), start: .beginning, options: .init(useInotify: false))
        let mark = try store.mark()
        var arrived = Set<String>(), gone = Set<String>()
        var delivered: [String: Set<String>] = [:]
        for line in try tailer.readNewLines(into: store) {
            guard let id = str(line.messageID) else { continue }
            switch line.kind {
            case .flagged:
                let d = line.details()
                if line.flag == .arrival { arrived.insert(id) }
                if let f = line.flag, f == .delivery || f == .additionalAddress || f == .suppressed {
                    if let a = str(d.address) { delivered[id, default: []].insert(a) }
                    if let o = str(d.originalAddress) { delivered[id, default: []].insert(String(o.dropFirst().dropLast())) }
                }
            case .completed:
                gone.insert(id)
            case .messageEvent:
                let body = str(line.body) ?? ""
                if body.hasPrefix("removed by ") { gone.insert(id) }
                // `exim -Mmd`: "address <x> marked delivered by root".
                if body.hasPrefix("address <"), body.contains("> marked delivered"),
                   let close = body.firstIndex(of: ">") {
                    delivered[id, default: []].insert(String(body[body.index(body.startIndex, offsetBy: 9)..<close]))
                }
            default:
                break
            }
        }
        try store.reset(to: mark)
        #expect(arrived.subtracting(gone) == Set(queue.keys))
        for (id, ds) in queue {
            for r in ds { #expect(delivered[id]?.contains(r) == true, "\(id): D \(r) not delivered in the log") }
        }
    }
}
