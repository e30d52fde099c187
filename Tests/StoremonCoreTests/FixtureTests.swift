import FixtureSupport
import EximLog
import Foundation
import Store
import Testing
@testable import StoremonCore

/// `exim -bp` output, parsed independently of the spool reader.
struct BPMessage: Equatable {
    var age: String, size: String, id: String, sender: String, frozen: Bool
    var recipients: [String] = [], delivered: [String] = []
}

func parseBP(_ text: String) -> [BPMessage] {
    var result: [BPMessage] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        let s = String(line)
        if s.hasPrefix("        D ") {
            result[result.count - 1].delivered.append(String(s.dropFirst(10)))
        } else if s.hasPrefix("          ") {
            result[result.count - 1].recipients.append(String(s.dropFirst(10)))
        } else {
            let age = String(s.prefix(3))
            let size = String(Array(s)[4..<9])
            let rest = s.dropFirst(10).split(separator: " ", maxSplits: 1).map(String.init)
            let id = rest[0]
            var senderPart = rest.count > 1 ? rest[1] : ""
            let frozen = senderPart.hasSuffix(" *** frozen ***")
            if frozen { senderPart = String(senderPart.dropLast(" *** frozen ***".count)) }
            let sender = String(senderPart.dropFirst().dropLast())
            result.append(BPMessage(age: age, size: size, id: id, sender: sender, frozen: frozen))
        }
    }
    return result
}

/// The main log's counts, worked out here with a plain line-by-line reading.
struct IndependentLogCounts {
    var lines = 0, rejected = 0
    var byFlag: [String: Int] = ["<=": 0, "=>": 0, "->": 0, ">>": 0, "*>": 0, "**": 0, "==": 0, "(=": 0]
    var other: Int { lines - byFlag.values.reduce(0, +) - rejected }

    init(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        self.lines = lines.count
        let idChars = CharacterSet.alphanumerics
        for line in lines {
            var rest = Substring(line)
            // timestamp
            guard rest.count > 20, rest.dropFirst(4).first == "-", rest.dropFirst(10).first == " " else { continue }
            rest = rest.dropFirst(20)
            if rest.first == "[", let close = rest.firstIndex(of: "]") { rest = rest[rest.index(after: close)...].dropFirst() }
            let words = rest.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            if words.count >= 2, words[0].count == 16 || words[0].count == 23,
               words[0].unicodeScalars.allSatisfy({ idChars.contains($0) || $0 == "-" }),
               byFlag[String(words[1])] != nil {
                byFlag[String(words[1]), default: 0] += 1
                continue
            }
            // Rejections, and synchronization errors (Exim writes them as rejections too).
            if rest.hasPrefix("SMTP protocol synchronization error")
                || (!rest.hasPrefix("SMTP protocol") && (rest.contains(" rejected ") || rest.hasPrefix("rejected "))) {
                rejected += 1
            }
        }
    }
}

@Suite("Real Exim fixtures")
struct FixtureTests {
    func onceSnapshot() throws -> Snapshot {
        let paths = try PathDiscovery.discover(path: Fixtures.mainlog, spool: Fixtures.spool, queue: nil, exim: NoExim())
        let session = try MonitorSession(MonitorConfiguration(paths: paths, once: true, useInotify: false))
        return try session.refresh()
    }

    @Test("--once --json: the queue matches exim -bp (ids, order, sizes, senders, recipients, frozen)")
    func queueMatchesBP() throws {
        let snap = try onceSnapshot()
        let expected = parseBP(try String(contentsOfFile: Fixtures.bp, encoding: .utf8))
        #expect(expected.count == 21)
        #expect(snap.queue.messages.map(\.id) == expected.map(\.id))
        #expect(snap.unreadable.isEmpty)
        let json = try JSONSerialization.jsonObject(with: Data(SnapshotJSON.encode(snap, pretty: true).utf8)) as! [String: Any]
        let queue = json["queue"] as! [[String: Any]]
        #expect(queue.count == expected.count)
        for (m, e) in zip(queue, expected) {
            #expect(m["id"] as? String == e.id)
            #expect(EximSize.columns(m["size"] as! Int) == e.size, "size of \(e.id)")
            #expect(m["sender"] as? String == e.sender, "sender of \(e.id)")
            #expect(m["recipients"] as? [String] == e.recipients, "recipients of \(e.id)")
            #expect(m["delivered"] as? [String] == e.delivered, "delivered of \(e.id)")
            #expect(m["frozen"] as? Bool == e.frozen, "frozen of \(e.id)")
            #expect((m["ageSeconds"] as? Int ?? -1) >= 0)
        }
        let frozen = try String(contentsOfFile: Fixtures.root.path + "/queue/frozen-ids.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(snap.queue.messages.filter(\.frozen).map(\.id) == frozen)
    }

    @Test("--once --json: the log counts match an independent count of the file")
    func logCounts() throws {
        let snap = try onceSnapshot()
        let independent = IndependentLogCounts(try Data(contentsOf: URL(fileURLWithPath: Fixtures.mainlog)))
        #expect(independent.lines == 413)
        let json = try JSONSerialization.jsonObject(with: Data(SnapshotJSON.encode(snap).utf8)) as! [String: Any]
        let log = json["log"] as! [String: Any]
        #expect(log["lines"] as? Int == independent.lines)
        #expect(log["byFlag"] as? [String: Int] == independent.byFlag)
        #expect(log["rejected"] as? Int == independent.rejected)
        #expect(log["other"] as? Int == independent.other)
        #expect(log["path"] as? String == MonitorSession.resolve(Fixtures.mainlog))
    }

    @Test("JSON schema: version, ten pools in Exim's order with every field, stable key order")
    func schema() throws {
        let snap = try onceSnapshot()
        let text = SnapshotJSON.encode(snap)
        #expect(!text.contains("\n"))
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(json["version"] as? Int == 1)
        let pools = json["pools"] as! [[String: Any]]
        #expect(pools.map { $0["index"] as! Int } == Array(0...9))
        #expect(pools.map { $0["name"] as! String } == ["main", "perm", "config", "search", "message",
                                                         "main", "perm", "config", "search", "message"])
        #expect(pools.map { $0["tainted"] as! Bool } == [false, false, false, false, false, true, true, true, true, true])
        for p in pools {
            for key in ["bytes", "blocks", "maxBytes", "maxBlocks", "order", "maxOrder", "current", "chain"] {
                #expect(p[key] != nil, "pool field \(key)")
            }
            for block in p["chain"] as! [[String: Any]] {
                #expect(block["length"] is Int && block["used"] is Int)
            }
        }
        // The parsed queue lives in tainted message while the snapshot is taken.
        #expect((pools[9]["bytes"] as! Int) > 0)
        #expect(json["quoted"] is [Any])
        #expect(json["unreadable"] is [Any])
        let byFlagKeys = text.range(of: #""byFlag":{"<=":"#) != nil
        #expect(byFlagKeys)
        // Same snapshot, same text.
        #expect(SnapshotJSON.encode(snap) == text)
        let keys = ["\"version\"", "\"pools\"", "\"quoted\"", "\"log\"", "\"queue\"", "\"unreadable\""]
        let positions = keys.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
    }

    @Test("plain frame of the fixtures: 80 columns, no escape byte, queue and pools present")
    func plainFrame() throws {
        let snap = try onceSnapshot()
        let frame = PlainFrame.render(snap, width: 80)
        for line in frame.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(TerminalQuoter().quote(untainted: String(line)).columns <= 80)
        }
        #expect(!frame.utf8.contains(0x1B))
        #expect(frame.contains("1xWd9F-0006yz-1s <> *** frozen ***"))
        #expect(frame.contains("tainted message"))
        #expect(frame.contains("QUEUE  21 messages, 3 frozen"))
    }
}
