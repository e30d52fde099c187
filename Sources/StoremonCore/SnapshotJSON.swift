import EximLog
import Store

/// The `--once --json` snapshot (schema version 1), and its one-line form for the
/// streaming mode (`--json` without `--once`: one snapshot per refresh, one per line).
///
/// Keys come in a fixed order; tainted text goes through `JSONQuoter`. The schema:
/// ```
/// { "version": 1,
///   "time": "2026-11-26T17:20:39Z",
///   "pools": [ { "index", "name", "tainted", "bytes", "blocks", "maxBytes", "maxBlocks",
///                "order", "maxOrder", "current", "chain": [ { "length", "used" } ],
///                "mark": { "block", "offset" } or null } ×10 ],
///   "quoted": [ { "quoter", "quoterId", …the same pool fields… } ],
///   "log": { "path", "lines", "byFlag": { "<=", "=>", "->", ">>", "*>", "**", "==", "(=" },
///            "rejected", "other", "note" },
///   "spool": { "path", "queueName", "note", "error" },
///   "queue": [ { "id", "ageSeconds", "size", "sender", ["untrustedSenderLogin",] "recipients": [],
///                "delivered": [], "frozen" } ],
///   "unreadable": [ { "path", "reason" } ],
///   "stripcharts": [ { "title", "kind", "fullScale", "latest" } ],
///   "processes": [ { "pid", "parentPid", "ageSeconds", "kind", "activity", "recognisedBy",
///                    "title" } ] or null }
/// ```
/// `stripcharts` (issue 12): the queue, the log patterns (`kind` `logPattern`, `latest` =
/// matching lines in the last refresh) and the pool pairs' bytes held, with eximon's
/// auto-scaled full scale.
/// `mark` is where the mark a reset of the pool would return to lies (main's and tainted
/// main's refresh mark, the message pools' queue mark, the search pool's search mark):
/// the block's index in `chain` and the byte offset in it; null when the pool has none.
/// Quoted pools are never reset: their `mark` is always null.
/// `log.other` is every physical line that is neither flagged nor a rejection
/// (`lines = Σ byFlag + rejected + other`), continuation lines included.
public enum SnapshotJSON {
    /// The schema's version.
    public static let version = 1

    /// The snapshot as JSON: indented when `pretty`, else on one line (no newline at the end).
    public static func encode(_ snapshot: Snapshot, pretty: Bool = false) -> String {
        var w = JSONWriter(pretty: pretty)
        w.object { w in
            w.key("version"); w.value(version)
            w.key("time"); w.value(untainted: isoTime(snapshot.status.time.timeIntervalSince1970))
            w.key("pools")
            w.array { w in
                for pool in snapshot.pools {
                    w.object { w in
                        w.key("index"); w.value(pool.index)
                        w.key("name"); w.value(untainted: pool.name)
                        w.key("tainted"); w.value(pool.isTainted)
                        poolFields(pool.statistics, into: &w)
                        markField(pool.mark, into: &w)
                    }
                }
            }
            w.key("quoted")
            w.array { w in
                for q in snapshot.quoted {
                    w.object { w in
                        w.key("quoter"); w.value(untainted: q.quoterName)
                        w.key("quoterId"); w.value(q.quoterID)
                        w.key("tainted"); w.value(true)
                        poolFields(q.statistics, into: &w)
                        markField(nil, into: &w)
                    }
                }
            }
            w.key("log")
            w.object { w in
                let log = snapshot.log
                w.key("path"); w.value(untainted: log.path)
                w.key("lines"); w.value(log.lines)
                w.key("byFlag")
                w.object { w in
                    for flag in LogSnapshot.flagOrder {
                        w.key(flag.text); w.value(log.byFlag[flag] ?? 0)
                    }
                }
                w.key("rejected"); w.value(log.rejected)
                w.key("other"); w.value(log.other)
                w.key("linesPerSecond"); w.value((log.linesPerSecond * 10).rounded() / 10)
                w.key("note"); w.value(untainted: log.note)
                // the background count of the lines before the tail: null once done
                w.key("counting")
                if let c = log.counting {
                    w.object { w in
                        w.key("bytesDone"); w.value(c.bytesDone)
                        w.key("bytesTotal"); w.value(c.bytesTotal)
                        w.key("linesSoFar"); w.value(c.lines)
                    }
                } else {
                    w.raw("null")
                }
            }
            w.key("spool")
            w.object { w in
                w.key("path"); w.value(untainted: snapshot.queue.spoolPath)
                w.key("queueName"); w.value(untainted: snapshot.queue.queueName)
                w.key("note"); w.value(untainted: snapshot.queue.note)
                w.key("error"); w.value(untainted: snapshot.queue.error)
            }
            w.key("queue")
            w.array { w in
                for m in snapshot.queue.messages {
                    w.object { w in
                        w.key("id"); w.value(untainted: m.id)
                        w.key("ageSeconds"); w.value(snapshot.queue.age(of: m))
                        w.key("size"); w.value(m.size)
                        w.key("sender"); w.value(m.sender)
                        if let login = m.untrustedSenderLogin { w.key("untrustedSenderLogin"); w.value(login) }
                        w.key("recipients"); w.array { w in for r in m.recipients { w.value(r) } }
                        w.key("delivered"); w.array { w in for r in m.delivered { w.value(r) } }
                        w.key("frozen"); w.value(m.frozen)
                    }
                }
            }
            w.key("unreadable")
            w.array { w in
                for u in snapshot.unreadable {
                    w.object { w in
                        w.key("path"); w.value(untainted: u.path)
                        w.key("reason"); w.value(untainted: u.reason)
                    }
                }
            }
            w.key("stripcharts")
            w.array { w in
                for c in snapshot.charts {
                    w.object { w in
                        w.key("title"); w.value(untainted: c.title)
                        w.key("kind"); w.value(untainted: c.kind.rawValue)
                        w.key("fullScale"); w.value(c.fullScale)
                        w.key("latest"); w.value(c.latest)
                    }
                }
            }
            processes(snapshot, into: &w)
        }
        return w.output
    }

    /// `"processes"`: the running Exim processes, oldest first, or null when they were not
    /// read (the curses monitor with its processes pane hidden, or no `/proc`). `kind` and
    /// `activity` are built from checked arguments; `title` is tainted and quoted.
    private static func processes(_ snapshot: Snapshot, into w: inout JSONWriter) {
        w.key("processes")
        guard snapshot.processesRead else { return w.raw("null") }
        w.array { w in
            for p in snapshot.processes {
                w.object { w in
                    w.key("pid"); w.value(p.pid)
                    w.key("parentPid"); w.value(p.parentPID)
                    w.key("ageSeconds"); w.value(p.ageSeconds)
                    w.key("kind"); w.value(untainted: p.kind.rawValue)
                    w.key("activity"); w.value(untainted: p.activity)
                    w.key("recognisedBy"); w.value(untainted: p.recognition.rawValue)
                    w.key("title"); w.value(p.title)
                }
            }
        }
    }

    /// The snapshot on one line (streaming mode), without the newline.
    public static func line(_ snapshot: Snapshot) -> String { encode(snapshot, pretty: false) }

    private static func poolFields(_ s: PoolStatistics, into w: inout JSONWriter) {
        w.key("bytes"); w.value(s.bytes)
        w.key("blocks"); w.value(s.blocks)
        w.key("maxBytes"); w.value(s.maxBytes)
        w.key("maxBlocks"); w.value(s.maxBlocks)
        w.key("order"); w.value(s.order)
        w.key("maxOrder"); w.value(s.maxOrder)
        w.key("current"); w.value(s.currentBlock)
        w.key("chain")
        w.array { w in
            for b in s.chain {
                w.object { w in
                    w.key("length"); w.value(b.length)
                    w.key("used"); w.value(b.used)
                }
            }
        }
    }

    private static func markField(_ mark: MarkPosition?, into w: inout JSONWriter) {
        w.key("mark")
        if let mark {
            w.object { w in
                w.key("block"); w.value(mark.block)
                w.key("offset"); w.value(mark.offset)
            }
        } else {
            w.raw("null")
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (UTC; no Foundation formatter).
    static func isoTime(_ t: Double) -> String {
        let secs = Int(t.rounded(.down))
        var days = secs / 86400
        var rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        // Civil from days (Howard Hinnant's published algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func p(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(rem / 3600, 2)):\(p(rem / 60 % 60, 2)):\(p(rem % 60, 2))Z"
    }
}
