import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximSpool

/// The real Exim 4.98.2 and 4.99.1 spools (23-character message ids; flat and split, the
/// default queue and the named queue `ferry`) read exactly as that Exim's `exim -bp`
/// printed them: ids, order, sizes, ages, senders, recipients, `D` marks, frozen marks.
@Suite("Real Exim 4.98 and 4.99 spools")
struct RealSpool49xTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var version: String
        var spool: String
        var queue: String?
        var bp: String
        var time: String
        var count: Int
        var testDescription: String { "\(version) \(spool) \(queue ?? "default") vs \(bp)" }
    }

    /// Counts from the fixtures' READMEs (`meta/run-info.txt`): flat 65 + 4 in ferry; split
    /// 64 (4.98) or 66 (4.99) + 4 in ferry.
    static let cases: [Case] = ["4.98", "4.99"].flatMap { v in [
        Case(version: v, spool: "spool", queue: nil, bp: "bp.txt", time: "bp.time", count: 65),
        Case(version: v, spool: "spool", queue: "ferry", bp: "bp-ferry.txt", time: "bp.time", count: 4),
        Case(version: v, spool: "spool-split", queue: nil, bp: "split-bp.txt", time: "split-bp.time", count: v == "4.98" ? 64 : 66),
        Case(version: v, spool: "spool-split", queue: "ferry", bp: "split-bp-ferry.txt", time: "split-bp.time", count: 4),
    ] }

    /// The UTC time in a `*.time` file (`2026-12-05T07:54:33Z`), taken just before `-bp` ran.
    static func time(_ url: URL) throws -> Int {
        let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let f = ISO8601DateFormatter()
        return Int(try #require(f.date(from: text)).timeIntervalSince1970)
    }

    @Test("the spool equals exim -bp", arguments: cases)
    func equalsBp(_ c: Case) throws {
        let root = Fixtures.version(c.version)
        let bp = BPListing.parse(try String(contentsOf: root.appendingPathComponent("queue/\(c.bp)"), encoding: .utf8))
        #expect(bp.count == c.count)

        let store = try Store()
        store.currentPool = .message
        let reader = QueueReader(spoolDirectory: root.appendingPathComponent(c.spool).path, queueName: c.queue)
        let scan = try reader.scan(into: store)
        #expect(scan.unreadable.isEmpty)
        #expect(scan.unreadableDirectories.isEmpty)
        #expect(scan.messages.count == bp.count)
        // -bp ran within seconds after the time was taken; an age rounds down, so allow
        // the same few seconds either side and require every age to match one of them.
        let t = try Self.time(root.appendingPathComponent("queue/\(c.time)"))
        let candidates = (0...5).map { scan.summaries(now: t + $0) }
        let summaries = candidates[0]
        #expect(summaries.map(\.id.description) == bp.map(\.id))
        for (i, b) in bp.enumerated() where i < summaries.count {
            let s = summaries[i]
            #expect(s.id.description.count == 23, "\(b.id)")
            #expect(candidates.contains { $0[i].ageText == b.age }, "\(b.id): \(s.ageText) vs \(b.age)")
            expectSummary(s, matches: b)
        }
    }

    @Test("the README's mix: frozen, <> senders and D marks", arguments: ["4.98", "4.99"])
    func mix(version: String) throws {
        let root = Fixtures.version(version)
        let bp = BPListing.parse(try String(contentsOf: root.appendingPathComponent("queue/bp.txt"), encoding: .utf8))
        let store = try Store()
        let scan = try QueueReader(spoolDirectory: root.appendingPathComponent("spool").path).scan(into: store)
        let summaries = scan.summaries(now: try Self.time(root.appendingPathComponent("queue/bp.time")))
        // The same figures counted in exim -bp's own output.
        #expect(summaries.filter(\.isFrozen).count == bp.filter(\.frozen).count)
        let nullSenders = summaries.filter { $0.sender == "" }.count
        #expect(nullSenders == bp.filter { $0.sender.isEmpty }.count && nullSenders > 0)
        let ourD: Int = summaries.reduce(0) { $0 + $1.delivered.count }
        let bpD: Int = bp.reduce(0) { $0 + $1.delivered.count }
        #expect(ourD == bpD)
        #expect(bp.filter(\.frozen).count >= 10 && bpD >= 10)
        // Every -H file's name agrees with its first line, in both id formats' reader.
        for m in scan.messages { #expect(m.header.id == m.id) }
    }
}

/// Both message-id formats in one spool: a 4.96 spool upgraded to 4.99 holds old
/// 16-character ids beside new 23-character ones until they are delivered.
@Suite("Both message-id formats in one spool")
struct MixedIDFormatTests {
    @Test("old and new ids are read together, each checked against its -H file, in time order")
    func mixed() throws {
        let dir = try Fixtures.temporaryURL("spooltest")
        defer { Fixtures.remove(dir) }
        try Fixtures.copySpool(Fixtures.url("spool"), to: dir)                          // 4.96: 16-char ids
        let fm = FileManager.default
        let new = Fixtures.version("4.99").appendingPathComponent("spool/input")
        for name in try fm.contentsOfDirectory(atPath: new.path) {
            try fm.copyItem(at: new.appendingPathComponent(name), to: dir.appendingPathComponent("input/\(name)"))
        }
        let store = try Store()
        let scan = try QueueReader(spoolDirectory: dir.path).scan(into: store)
        #expect(scan.unreadable.isEmpty)
        #expect(scan.messages.count == 21 + 65)
        #expect(scan.messages.filter { $0.id.description.count == 16 }.count == 21)
        #expect(scan.messages.filter { $0.id.description.count == 23 }.count == 65)
        #expect(scan.messages.map(\.id) == scan.messages.map(\.id).sorted())
        // Every 4.96 message arrived before every 4.99 one: time order puts them first.
        #expect(scan.messages.prefix(21).allSatisfy { $0.id.description.count == 16 })
        for m in scan.messages {
            #expect(m.header.id == m.id)
            #expect(m.header.receivedTime == m.id.arrivalTime)
        }
    }
}

extension MixedIDFormatTests {
    @Test("a split spool with both formats: each id in input/<its 6th character>/")
    func mixedSplit() throws {
        let dir = try Fixtures.temporaryURL("spooltest")
        defer { Fixtures.remove(dir) }
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("input"), withIntermediateDirectories: true)
        for src in [Fixtures.url("spool-split"), Fixtures.version("4.99").appendingPathComponent("spool-split")] {
            let input = src.appendingPathComponent("input")
            for sub in try fm.contentsOfDirectory(atPath: input.path) {
                let to = dir.appendingPathComponent("input/\(sub)")
                try fm.createDirectory(at: to, withIntermediateDirectories: true)
                for name in try fm.contentsOfDirectory(atPath: input.appendingPathComponent(sub).path) {
                    try fm.copyItem(at: input.appendingPathComponent("\(sub)/\(name)"), to: to.appendingPathComponent(name))
                }
            }
        }
        let store = try Store()
        let scan = try QueueReader(spoolDirectory: dir.path).scan(into: store)
        #expect(scan.unreadable.isEmpty)
        #expect(scan.messages.count == 4 + 66)
        #expect(scan.messages.allSatisfy { $0.subdirectory == $0.id.splitCharacter })
        #expect(scan.messages.map(\.id) == scan.messages.map(\.id).sorted())
        #expect(Set(scan.messages.map { $0.id.description.count }) == [16, 23])
    }
}
