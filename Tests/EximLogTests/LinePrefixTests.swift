import Store
import Testing
@testable import EximLog

/// Timestamps (plain, zone, milliseconds), `[pid]`, both id formats, syslog prefixes.
@Suite("Line prefix")
struct LinePrefixTests {
    @Test("plain timestamp")
    func plainTimestamp() throws {
        let store = try makeStore()
        let l = try parse("2025-01-01 12:05:27 Start queue run: pid=12345", in: store)
        #expect(l.timestamp == LogTimestamp(year: 2025, month: 1, day: 1, hour: 12, minute: 5, second: 27))
        #expect(l.timestamp?.millisecond == nil && l.timestamp?.zoneOffsetMinutes == nil)
        #expect(l.pid == nil)
        #expect(str(l.text) == "Start queue run: pid=12345")
        #expect(l.kind == .queueRunStarted)
        #expect(l.timestamp?.secondsSinceEpoch() == 1_735_733_127)
    }

    @Test("zone, milliseconds, both, and pid")
    func zoneMillisecondsPid() throws {
        let store = try makeStore()
        let z = try parse("2025-01-01 12:05:27 +0100 1tSxTb-00000000CXd-29Hd Completed", in: store)
        #expect(z.timestamp?.zoneOffsetMinutes == 60)
        #expect(z.timestamp?.secondsSinceEpoch() == 1_735_733_127 - 3600)
        #expect(z.kind == .completed)
        let m = try parse("2026-02-11 06:12:40.318 1yC3aZ-00000000Rk2-0b9A Completed QT=0.214s", in: store)
        #expect(m.timestamp?.millisecond == 318)
        #expect(str(m[.QT]) == "0.214s")
        let all = try parse("2025-01-01 12:05:27.512 -0430 [48213] 1tSxTb-00000000CXd-29Hd <= alice@example.net U=alice P=local S=1204", in: store)
        #expect(all.timestamp?.millisecond == 512)
        #expect(all.timestamp?.zoneOffsetMinutes == -270)
        #expect(all.timestamp?.description == "2025-01-01 12:05:27.512 -0430")
        #expect(all.pid == 48213)
        #expect(all.flag == .arrival)
        #expect(str(all.messageID) == "1tSxTb-00000000CXd-29Hd")
        #expect(str(all.text) == "1tSxTb-00000000CXd-29Hd <= alice@example.net U=alice P=local S=1204")
        let p = try parse("2026-02-11 06:12:40 [1235] 1yC3aX-00000000Rk2-0b9A => userx <userx@example.org> R=r1 T=t1", in: store)
        #expect(p.pid == 1235)
        #expect(p.flag == .delivery)
    }

    @Test("legacy 16-character ids (Exim 4.96)")
    func legacyIDs() throws {
        let store = try makeStore()
        let l = try parse("2026-11-26 17:20:36 [26628] 1xWd9A-0006vT-0Q => bob <bob@storemon.test> R=local_user T=local_mbox S=1831 QT=0s DT=0s", in: store)
        #expect(l.messageIDFormat == .legacy)
        #expect(str(l.messageID) == "1xWd9A-0006vT-0Q")
        let o = try parse("2026-02-11 06:12:40 1yC3aX-000Rk2-0b => :blackhole: <nulldeliver@example.org> R=nulldeliver", in: store)
        #expect(o.messageIDFormat == .legacy)
        #expect(str(o.address) == ":blackhole:")
        #expect(str(o.originalAddress) == "<nulldeliver@example.org>")
    }

    @Test("extended 23-character ids (Exim 4.97+)")
    func extendedIDs() throws {
        let store = try makeStore()
        let l = try parse("2025-01-01 12:05:31 16VDhn-000000001bo-D342 Completed", in: store)
        #expect(l.messageIDFormat == .extended)
        #expect(str(l.messageID) == "16VDhn-000000001bo-D342")
        #expect(l.kind == .completed)
    }

    @Test("things that look almost like ids are not ids")
    func notIDs() throws {
        let store = try makeStore()
        for text in ["2026-11-26 17:20:36 1xWd9A-0006vT-0 Completed",          // one short
                     "2026-11-26 17:20:36 1xWd9A_0006vT-0Q Completed",          // wrong separator
                     "2026-11-26 17:20:36 1xWd9A-0006vT-0Qx Completed",         // one long, no space
                     "2026-11-26 17:20:36 16VDhn-000000001bo-D34 Completed"] {  // extended, one short
            let l = try parse(text, in: store)
            #expect(l.messageID == nil, "\(text)")
            #expect(l.kind == .other)
        }
    }

    @Test("invalid timestamps are not timestamps")
    func invalidTimestamps() throws {
        let store = try makeStore()
        for text in ["2026-13-26 17:20:36 Start queue run: pid=1", "2026-11-26 25:20:36 Start queue run: pid=1",
                     "2026-11-26T17:20:36 Start queue run: pid=1", "2026-11-26 17:20:3"] {
            let l = try parse(text, in: store)
            #expect(l.timestamp == nil, "\(text)")
            #expect(l.kind == .other)
        }
    }

    @Test("syslog prefix is skipped")
    func syslogPrefix() throws {
        let store = try makeStore()
        let l = try parse("Jan  1 12:05:27 mailhost exim[48213]: 2025-01-01 12:05:27 1tSxTb-00000000CXd-29Hd <= alice@example.net P=local S=1", in: store)
        #expect(l.flag == .arrival)
        #expect(l.timestamp?.year == 2025)
        let n = try parse("Jan  1 12:05:27 mailhost exim[48213]: [1/2] 1tSxTb-00000000CXd-29Hd => bob@example.org R=r T=t", in: store)
        #expect(n.flag == .delivery)
        #expect(n.timestamp == nil)
        #expect(str(n.messageID) == "1tSxTb-00000000CXd-29Hd")
    }
}
