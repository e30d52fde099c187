#if canImport(Glibc)
import Glibc
#endif
import Testing
import EximTrace

/// Each line kind of `exim -d+memory`, in 4.96 (right-aligned names) and 4.99+
/// (left-aligned) form, with the quirks of section 11 of the spec.
@Suite struct LineFormatTests {
    func event(_ line: String, _ prefixes: TracePrefixes = .detect) -> TraceEvent {
        var p = TraceParser(prefixes: prefixes)
        return p.parse(line: line).event
    }

    @Test func paired() {
        #expect(event("---0 Get 0x55fcb8d633a8     8 show_whats_sup 1024") ==
                .get(pool: .paired(0), address: 0x55fcb8d633a8, size: 8, site: .init(function: "show_whats_sup", line: 1024)))
        #expect(event("---0 Get 0x563ee0bad3b0   145    string_catn 1179") ==
                .get(pool: .paired(0), address: 0x563ee0bad3b0, size: 145, site: .init(function: "string_catn", line: 1179)))
        #expect(event("---0 Get 0x563ee0bad3b0   145 string_catn    1179") ==
                .get(pool: .paired(0), address: 0x563ee0bad3b0, size: 145, site: .init(function: "string_catn", line: 1179)))
        #expect(event("---0 Ext 0x55fcb8d633c0   256   gstring_grow 1134") ==
                .extend(pool: .paired(0), address: 0x55fcb8d633c0, newSize: 256, site: .init(function: "gstring_grow", line: 1134)))
        #expect(event("---0 Rel 0x55fcb8d633c6    16 parse_fix_phra 1173\tpool 32656") ==
                .releaseAbove(pool: .paired(0), address: 0x55fcb8d633c6, bytes: 16, site: .init(function: "parse_fix_phra", line: 1173), poolTotal: 32656))
        #expect(event("---2 Rst 0x55b4f1133010 25488 readconf_handl 2064\tpool -5072") ==
                .reset(pool: 2, address: 0x55b4f1133010, bytes: 25488, site: .init(function: "readconf_handl", line: 2064), poolTotal: -5072))
        #expect(event("---5 Rst 0x55fcb8d633c6 -4096 store_reset_3  812\tpool 12240") ==
                .reset(pool: 5, address: 0x55fcb8d633c6, bytes: -4096, site: .init(function: "store_reset_3", line: 812), poolTotal: 12240))
        #expect(event("---0 Mrk                    show_whats_sup 1024\tpool 8160") ==
                .mark(pool: 0, site: .init(function: "show_whats_sup", line: 1024), poolTotal: 8160))
        #expect(event("---4 Mrk                     message_start 1271\tpool 65448") ==
                .mark(pool: 4, site: .init(function: "message_start", line: 1271), poolTotal: 65448))
    }

    @Test func mallocFreeRelease() {
        #expect(event("--Malloc 0x55fcb8d63398  4088 bytes\tshow_whats_supported 1024\tpool 12240  nonpool 17617") ==
                .malloc(address: 0x55fcb8d63398, size: 4088, site: .init(function: "show_whats_supported", line: 1024), poolTotal: 12240, nonpoolTotal: 17617))
        #expect(event("--Malloc 0x56290c5f1288  4088 bytes\t       message_start 1271\tpool 69528  nonpool -11807") ==
                .malloc(address: 0x56290c5f1288, size: 4088, site: .init(function: "message_start", line: 1271), poolTotal: 69528, nonpoolTotal: -11807))
        #expect(event("----Free 0x55fcb8d598c8    80 bytes\t function_store_free   55") ==
                .free(address: 0x55fcb8d598c8, size: 80, site: .init(function: "function_store_free", line: 55)))
        #expect(event("-Release 0x5565d5367048         gstring_grow 1135 36768") ==
                .releaseBlock(address: 0x5565d5367048, site: .init(function: "gstring_grow", line: 1135), poolTotal: 36768))
        #expect(event("non-last memory release try: gstring_release_unused 1205") ==
                .releaseMiss(site: .init(function: "gstring_release_unused", line: 1205)))
    }

    @Test func quoted() {
        #expect(event("allocating quoted-block for quoter 3 (from mysql_quote 412)") ==
                .quotedBlock(quoter: 3, site: .init(function: "mysql_quote", line: 412)))
        #expect(event("---QQ Get 0x55fcb8d64010    12    mysql_quote  412") ==
                .get(pool: .quoted(nil), address: 0x55fcb8d64010, size: 12, site: .init(function: "mysql_quote", line: 412)))
        #expect(event("---Q0 Ext 0x55fcb8d64010    40   gstring_grow 1134") ==
                .extend(pool: .quoted(0), address: 0x55fcb8d64010, newSize: 40, site: .init(function: "gstring_grow", line: 1134)))
        #expect(event("---Q17 Rel 0x55fcb8d64018     8 gstring_release 1205\tpool 40960") ==
                .releaseAbove(pool: .quoted(17), address: 0x55fcb8d64018, bytes: 8, site: .init(function: "gstring_release", line: 1205), poolTotal: 40960))
        #expect(event("----Exit  pool Q0 max:   4 kB in 1 blocks at order 13\ttainted quoted:mysql") ==
                .exitPool(TraceExitPool(pool: .quoted(0), kB: 4, blocks: 1, order: 13, label: "tainted quoted:mysql")))
    }

    @Test func exitLines() {
        #expect(event("----Exit nonpool max:  18 kB in 10 blocks") == .exitNonpool(kB: 18, blocks: 10))
        #expect(event("----Exit npools  max: 135 kB") == .exitNpools(kB: 135))
        #expect(event("----Exit  pool  6 max:  52 kB in 3 blocks at order 15\ttainted perm") ==
                .exitPool(TraceExitPool(pool: .paired(6), kB: 52, blocks: 3, order: 15, label: "tainted perm")))
        #expect(event("----Exit nonpool max: 1234 kB in 100 blocks") == .exitNonpool(kB: 1234, blocks: 100))
    }

    @Test func nilPointersAndNegativeFigures() {
        #expect(event("---0 Get (nil)     0 show_whats_sup 1024") ==
                .get(pool: .paired(0), address: nil, size: 0, site: .init(function: "show_whats_sup", line: 1024)))
        #expect(event("-Release (nil) gstring_grow 1135 -40") ==
                .releaseBlock(address: nil, site: .init(function: "gstring_grow", line: 1135), poolTotal: -40))
        #expect(event("--Malloc 0x1  16 bytes\tf 1\tpool -5  nonpool -6") ==
                .malloc(address: 1, size: 16, site: .init(function: "f", line: 1), poolTotal: -5, nonpoolTotal: -6))
    }

    @Test func emptyFunctionNameAndWideLineNumbers() {
        #expect(event("---0 Get 0x10     8                12345") ==
                .get(pool: .paired(0), address: 0x10, size: 8, site: .init(function: "", line: 12345)))
        #expect(event("---0 Mrk                                   7\tpool 1") ==
                .mark(pool: 0, site: .init(function: "", line: 7), poolTotal: 1))
    }

    @Test func processLines() {
        guard case .version(let v) = event("Exim version 4.96 uid=0 gid=0 pid=28141 D=f7735cfd") else {
            Issue.record("no version"); return
        }
        #expect(v.version == "4.96" && v.uid == 0 && v.gid == 0 && v.pid == 28141 && v.selector == 0xf7735cfd)
        #expect(v.hasMemory && v.hasPidPrefix == false && v.hasTimestampPrefix == false)
        #expect(event("fresh-exec forking for delivery-local") == .forking(name: "fresh-exec", purpose: "delivery-local"))
        #expect(event("fresh-exec forked for delivery-local: 28154") == .forked(name: "fresh-exec", purpose: "delivery-local", child: 28154))
        #expect(event("postfork: delivery-local") == .postfork(purpose: "delivery-local"))
        #expect(event(">>>>>>>>>>>>>>>> Exim pid=28141 (fresh-exec) terminating with rc=2 >>>>>>>>>>>>>>>>") ==
                .terminating(pid: 28141, name: "fresh-exec", rc: 2))
    }

    @Test func prefixes() {
        var p = TraceParser()
        let a = p.parse(line: "17:10:44.123 30931 ---0 Get 0x560cd4e0a3a8     8 show_whats_sup 1024")
        #expect(a.timestamp == TraceTimestamp(hour: 17, minute: 10, second: 44, millisecond: 123))
        #expect(a.pid == 30931)
        #expect(a.event.kind == .get)
        let b = p.parse(line: "  123 ---0 Mrk                    show_whats_sup 1024\tpool 8160")
        #expect(b.pid == 123 && b.kind == .mark && b.line == 2)
        // Once a version line says there is no pid prefix, digits are text.
        _ = p.parse(line: "Exim version 4.96 uid=0 gid=0 pid=1 D=f7735cfd")
        let c = p.parse(line: "12345 recipients")
        #expect(c.pid == nil && c.event == .noise("12345 recipients"))
    }

    @Test func gluedRecordsAndNoise() {
        var p = TraceParser()
        let r = p.parse(line: "Connecting to 127.0.0.1 [127.0.0.1]:2999 ... ---0 Get 0x560774c6df58    32 string_vformat 1346")
        #expect(r.gluedText == "Connecting to 127.0.0.1 [127.0.0.1]:2999 ... ")
        #expect(r.kind == .get)
        let q = p.parse(line: "--------> alice@storemon.test <--------")
        #expect(q.event == .noise("--------> alice@storemon.test <--------"))
        let s = p.parse(line: "----------- end verify ------------")
        #expect(s.kind == .noise)
        #expect(p.parse(line: "").event == .noise(""))
        #expect(p.parse(line: "text --Malloc 0x10 16 bytes\tf 1\tpool 0  nonpool 16").kind == .malloc)
    }

    @Test func cutRecordsAreMalformed() {
        #expect(event("---0 Get 0x5563") == .malformed("---0 Get 0x5563"))
        #expect(event("--Malloc 0x55fcb8d63398  4088 bytes\tshow_whats_supported 1024\tpool 12240  nonp").kind == .malformed)
        #expect(event("----Exit  pool  6 max:  52 kB in 3 blo").kind == .malformed)
        #expect(event("---0 Get 0x10 8 f 1 trailing").kind == .malformed)
        #expect(event("---9999999999999999999999 Get 0x10 8 f 1").kind == .malformed)
    }

    @Test func readerHandlesCutLastLine() throws {
        let text = "---0 Get 0x10     8 f 1\n---0 Get 0x18     8 f 2\n---0 Rst 0x10"
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        _ = text.withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        let reader = TraceReader(fileDescriptor: fds[0], closeWhenDone: true)
        let all = Array(reader)
        #expect(all.count == 3)
        #expect(all[2].kind == .malformed && all[2].line == 3)
        #expect(reader.endedWithoutNewline)
    }
}

/// A trace that mixes processes with different selectors (concatenated traces, or an
/// exec with other debug options): the version line is found whatever the prefixes.
@Suite struct PrefixChangeTests {
    @Test func versionLineWithPidAfterAnUnprefixedProcess() {
        // Section 19.1 item 2: the pid prefix is decided line by line (announced pids).
        var p = TraceParser()
        let first = p.parse(line: "Exim version 4.96 uid=0 gid=0 pid=1 D=f7735cfd")
        #expect(first.pid == nil && first.kind == .version)
        let v = p.parse(line: "28152 Exim version 4.96 uid=0 gid=0 pid=28152 D=f77b5cfd")
        #expect(v.pid == 28152 && v.kind == .version)
        let m = p.parse(line: "28152 ---0 Mrk                    show_whats_sup 1024\tpool 4080")
        #expect(m.pid == 28152 && m.kind == .mark && m.gluedText == nil)
        let t = p.parse(line: "17:20:56 28346 Exim version 4.96 uid=0 gid=0 pid=28346 D=ff7b5cfd")
        #expect(t.timestamp == TraceTimestamp(hour: 17, minute: 20, second: 56) && t.kind == .version && t.pid == 28346)
        let back = p.parse(line: "Exim version 4.96 uid=0 gid=0 pid=28557 D=f7735cfd")
        #expect(back.pid == nil && back.kind == .version)
        // An unannounced number is text, an announced one a pid.
        #expect(p.parse(line: "99999 bytes left").pid == nil)
        #expect(p.parse(line: "28152 ---0 Get 0x55ac00f6d3a8     8 show_whats_sup 1261").pid == 28152)
    }
}
