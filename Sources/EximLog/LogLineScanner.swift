import Glibc

/// Reads one physical log line (no newline) from raw bytes into a `LogLineLayout`.
///
/// Internal and unsafe by design: the only file in EximLog that walks raw pointers for
/// parsing. Every index is checked against `n` before it is read; any input, including
/// NUL, ESC, `\r`, invalid UTF-8 and megabyte lines, gives a layout (at worst `.other`).
enum LogLineScanner {
    // ASCII bytes used below.
    static let space: UInt8 = 0x20, tab: UInt8 = 0x09, dash: UInt8 = 0x2D, colon: UInt8 = 0x3A
    static let quote: UInt8 = 0x22, backslash: UInt8 = 0x5C, equals: UInt8 = 0x3D
    static let lbracket: UInt8 = 0x5B, rbracket: UInt8 = 0x5D, lparen: UInt8 = 0x28, lt: UInt8 = 0x3C

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool {
        b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26
    }

    /// Arguments: the line's bytes (base may be nil when empty). Result: its eager layout
    /// (kind, flag, timestamp, pid, id, offsets). Fields and reasons: `details`.
    static func scan(_ buf: UnsafeRawBufferPointer) -> LogLineLayout {
        var L = LogLineLayout()
        let n = buf.count
        guard n > 0, let base = buf.baseAddress else { L.kind = .blank; return L }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0

        // Syslog prefix ("Jan  1 12:05:27 host exim[48213]: "): skip it, keep going.
        if n > 16 && !isDigit(p[0]) && p[3] == space && p[6] == space && p[9] == colon && p[12] == colon {
            if let after = syslogPrefixEnd(p, n) { i = after }
        }

        // Timestamp.
        let after = timestamp(p, n, from: i, &L)
        if after >= 0 {
            i = after
        } else if i == 0 {
            classifyUntimed(p, n, &L)
            return L
        }

        // [pid]
        if i < n && p[i] == lbracket {
            var j = i + 1, v: Int32 = 0
            while j < n && isDigit(p[j]) && j - i < 10 { v = v &* 10 &+ Int32(p[j] &- 0x30); j += 1 }
            if j > i + 1 && j < n && p[j] == rbracket {
                L.pid = v
                i = j + 1
                if i < n && p[i] == space { i += 1 }
            }
        }
        L.textStart = Int32(i)

        // Message id, followed by a space or the end of the line.
        let fmt = messageID(p, n, from: i)
        if fmt != 0 {
            L.idStart = Int32(i)
            L.idFormatRaw = fmt
            let end = i + (fmt == 1 ? 16 : 23)
            i = end < n ? end + 1 : end
            // Flag.
            if i + 1 < n, let f = LogFlag.from(p[i], p[i + 1]), i + 2 == n || p[i + 2] == space {
                L.flagRaw = f.rawValue
                L.kind = .flagged
                L.bodyStart = Int32(min(i + 3, n))
                return L
            }
            L.bodyStart = Int32(i)
            classifyMessageEvent(p, n, from: i, &L)
            return L
        }
        L.bodyStart = Int32(i)
        classifyGeneral(p, n, from: i, &L)
        return L
    }

    /// Arguments: the line's bytes and its eager layout. Result: addresses, recipients,
    /// reason and the field table (a second pass over the words, done on demand).
    static func details(_ buf: UnsafeRawBufferPointer, _ L: LogLineLayout) -> LogLineDetailLayout {
        var D = LogLineDetailLayout()
        let n = buf.count
        guard n > 0, let base = buf.baseAddress else { return D }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let body = min(Int(L.bodyStart), n)
        if let flag = L.flag {
            scanFlagged(p, n, from: body, arrival: flag == .arrival || flag == .fakeRejectArrival, &D)
            return D
        }
        switch L.kind {
        case .continuation, .rejectLogHeader, .blank, .arguments:
            return D
        case .rejected:
            if let r = find(p, n, body, "rejected"), let c = find(p, n, r, ": ") {
                var e = n
                while e > c + 2 && p[e - 1] == space { e -= 1 }
                D.reason = Span32(c + 2, e)
            }
        case .synchronizationError:
            setParenReason(p, n, from: body, &D)
        default:
            break
        }
        scanAnywhere(p, n, from: body, &D)
        if L.kind == .protocolError {
            let h = D.fields[Int(LogFieldKey.H.rawValue)]
            if h.isPresent {
                var j = Int(h.hi)
                while j < n && p[j] == space { j += 1 }
                if j < n { D.reason = Span32(j, n) }
            }
        }
        return D
    }

    // MARK: prefix pieces

    /// Arguments: line bytes, start. Result: the offset after `exim…[pid]: ` or after the
    /// syslog host's tag `…: `, or nil when this does not look like syslog.
    static func syslogPrefixEnd(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        // "Mmm dd HH:MM:SS host tag: "
        guard isDigit(p[7]) && isDigit(p[8]) && isDigit(p[10]) && isDigit(p[11]) && isDigit(p[13]) && isDigit(p[14]),
              p[15] == space else { return nil }
        var j = 16
        while j < n && p[j] != space { j += 1 }          // host
        j += 1
        let tagStart = j
        while j + 1 < n && !(p[j] == colon && p[j + 1] == space) {
            if p[j] == space { return nil }
            j += 1
        }
        guard j + 1 < n, j > tagStart else { return nil }
        j += 2
        // Long entries split by syslog carry "[n/m] " or "[n\m] ".
        if j < n && p[j] == lbracket {
            var k = j + 1
            while k < n && (isDigit(p[k]) || p[k] == 0x2F || p[k] == backslash) { k += 1 }
            if k + 1 < n && p[k] == rbracket && p[k + 1] == space { j = k + 2 }
        }
        return j
    }

    /// Arguments: line, start, layout. Result: the offset after the timestamp's trailing
    /// space (or the end of the line), or -1 if there is no valid timestamp at `i`.
    /// Invariant: sets `time` and `zone` only on success.
    @inline(__always)
    static func timestamp(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineLayout) -> Int {
        guard n - i >= 19 else { return -1 }
        let q = p + i
        @inline(__always) func d(_ k: Int) -> Int { Int(q[k] &- 0x30) }
        guard isDigit(q[0]), isDigit(q[1]), isDigit(q[2]), isDigit(q[3]), q[4] == dash,
              isDigit(q[5]), isDigit(q[6]), q[7] == dash, isDigit(q[8]), isDigit(q[9]), q[10] == space,
              isDigit(q[11]), isDigit(q[12]), q[13] == colon, isDigit(q[14]), isDigit(q[15]), q[16] == colon,
              isDigit(q[17]), isDigit(q[18]) else { return -1 }
        let month = d(5) * 10 + d(6), day = d(8) * 10 + d(9)
        let hour = d(11) * 10 + d(12), minute = d(14) * 10 + d(15), second = d(17) * 10 + d(18)
        guard month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 60
        else { return -1 }
        var ms: Int? = nil
        var k = 19
        if n - i >= 23 && q[19] == 0x2E && isDigit(q[20]) && isDigit(q[21]) && isDigit(q[22]) {
            ms = d(20) * 100 + d(21) * 10 + d(22)
            k = 23
        }
        var zone = Int16.min
        if n - i >= k + 6 && q[k] == space && (q[k + 1] == 0x2B || q[k + 1] == dash)
            && isDigit(q[k + 2]) && isDigit(q[k + 3]) && isDigit(q[k + 4]) && isDigit(q[k + 5])
            && (n - i == k + 6 || q[k + 6] == space) {
            let mins = (d(k + 2) * 10 + d(k + 3)) * 60 + d(k + 4) * 10 + d(k + 5)
            zone = Int16(q[k + 1] == dash ? -mins : mins)
            k += 6
        }
        let next: Int
        if n - i == k { next = n } else if q[k] == space { next = i + k + 1 } else { return -1 }
        L.time = LogLineLayout.packTime(year: d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3), month: month, day: day,
                                        hour: hour, minute: minute, second: second, ms: ms)
        L.zone = zone
        return next
    }

    /// Arguments: line, start. Result: 1 for a 16-character id, 2 for a 23-character id
    /// at `i` followed by a space or the end of the line, 0 for none (EximFormats' recogniser).
    @inline(__always)
    static func messageID(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int) -> UInt8 {
        guard let f = MessageIDFormat.recognise(p + i, count: n - i) else { return 0 }
        let end = i + f.length
        guard end == n || p[end] == space else { return 0 }
        return f == .legacy ? 1 : 2
    }

    // MARK: fields

    /// Arguments: line, start of a word. Result: the end of the word (next space or n).
    @inline(__always)
    static func wordEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        // A plain loop: words are short, so this beats a memchr call per word.
        var j = i
        while j < n && p[j] != space { j += 1 }
        return j
    }

    /// Arguments: line, offset of an opening `"`. Result: the offset of the closing quote
    /// (backslash escapes skipped), or n if the quote never closes.
    @inline(__always)
    static func quotedEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ open: Int) -> Int {
        var j = open + 1
        while j < n {
            let b = p[j]
            if b == quote { return j }
            j += b == backslash ? 2 : 1
        }
        return n
    }

    /// The tokenizer's mode for the words that follow the flag.
    enum FieldMode { case arrival, delivery, anywhere }

    /// Arguments: line, start of a word that may be `KEY=value`, layout, mode flags.
    /// Result: nil if the word is not a field; otherwise the offset after the value, and
    /// whether the (unquoted) value ended with `:` (the reason text follows).
    /// Invariant: records the field only if its key is known and not yet set.
    @inline(__always)
    static func field(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ L: inout LogLineDetailLayout,
                      only restricted: Bool = false) -> (end: Int, colon: Bool)? {
        // key: [A-Za-z0-9*]{1,8} then '='
        var j = i
        while j < n && j - i <= 8 {
            let b = p[j]
            if b == equals { break }
            if !(isAlnum(b) || b == 0x2A) { return nil }
            j += 1
        }
        guard j < n, p[j] == equals, j > i else { return nil }
        let key = LogFieldKey.lookup(p + i, j - i)
        let vStart = j + 1
        var vEnd: Int, next: Int, quoted = false, colonEnd = false
        if vStart < n && p[vStart] == quote {
            let close = quotedEnd(p, n, vStart)
            vEnd = close
            next = min(close + 1, n)
            quoted = true
            return record(key, Span32(vStart + 1, vEnd), quoted, restricted, &L, next: next, colon: false)
        }
        vEnd = wordEnd(p, n, vStart)
        next = vEnd
        if key == .H {
            // The host spans words: `name [ip]`, `(helo) [ip]`, `name (helo) [ip]:port`.
            var last = vStart
            while vEnd + 1 < n && p[last] != lbracket && (p[vEnd + 1] == lparen || p[vEnd + 1] == lbracket) {
                last = vEnd + 1
                vEnd = wordEnd(p, n, last)
            }
            next = vEnd
        }
        if vEnd > vStart && p[vEnd - 1] == colon { vEnd -= 1; colonEnd = true }
        _ = record(key, Span32(vStart, vEnd), quoted, restricted, &L, next: next, colon: colonEnd)
        return (next, colonEnd)
    }

    @inline(__always)
    static func record(_ key: LogFieldKey?, _ s: Span32, _ quoted: Bool, _ restricted: Bool,
                       _ L: inout LogLineDetailLayout, next: Int, colon: Bool) -> (end: Int, colon: Bool) {
        if let k = key, !restricted || k == .DT || k == .QT {
            let idx = Int(k.rawValue)
            if !L.fields[idx].isPresent {
                L.fields[idx] = s
                if quoted { L.quotedFields |= 1 << UInt32(idx) }
            }
        }
        return (next, colon)
    }

    /// Bare words that appear among the fields (`DS`, `K`, `L`, `L-`, `L*`, `L.`, `PRDR`, `TFO`, `TFO*`).
    @inline(__always)
    static func isBareWord(_ p: UnsafePointer<UInt8>, _ i: Int, _ e: Int) -> Bool {
        switch e - i {
        case 1: return p[i] == 0x4B || p[i] == 0x4C                                    // K L
        case 2: return (p[i] == 0x4C && (p[i + 1] == dash || p[i + 1] == 0x2A || p[i + 1] == 0x2E))
                    || (p[i] == 0x44 && p[i + 1] == 0x53)                              // L- L* L. DS
        case 3: return p[i] == 0x54 && p[i + 1] == 0x46 && p[i + 2] == 0x4F            // TFO
        case 4: return (p[i] == 0x50 && p[i + 1] == 0x52 && p[i + 2] == 0x44 && p[i + 3] == 0x52)   // PRDR
                    || (p[i] == 0x54 && p[i + 1] == 0x46 && p[i + 2] == 0x4F && p[i + 3] == 0x2A) // TFO*
        default: return false
        }
    }

    /// Arguments: line, start of the text after the flag, layout.
    /// Invariant: sets address, original address, fields, recipients (`<=`) and reason (`==`, `**`).
    static func scanFlagged(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int, arrival isArrival: Bool,
                            _ L: inout LogLineDetailLayout) {
        var i = start
        while i < n && p[i] == space { i += 1 }
        guard i < n else { return }
        // The address (or sender), unless the line goes straight to fields.
        if field(p, n, i, &L) == nil {
            var e = wordEnd(p, n, i)
            if p[i] == quote {                       // "quoted local part"@domain
                e = wordEnd(p, n, min(quotedEnd(p, n, i) + 1, n))
            }
            var colonEnd = false
            // `addr: reason` on `**` lines; but `:blackhole:` and `:fail:` are addresses.
            if e > i + 1 && p[e - 1] == colon && p[i] != colon && !isArrival { colonEnd = true }
            L.address = Span32(i, colonEnd ? e - 1 : e)
            i = e
            if colonEnd { setReason(p, n, from: i, &L); return }
        }
        var reasonFrom = -1
        while i < n {
            while i < n && p[i] == space { i += 1 }
            if i >= n { break }
            let b = p[i]
            if b == quote { i = min(quotedEnd(p, n, i) + 1, n); continue }
            if let (e, colon) = field(p, n, i, &L) {
                i = e
                if colon { reasonFrom = i; break }
                continue
            }
            let e = wordEnd(p, n, i)
            if L.fields[Int(LogFieldKey.F.rawValue)].lo < 0 && !L.originalAddress.isPresent && b == lt && !isArrival {
                L.originalAddress = Span32(i, e); i = e; continue
            }
            if b == lparen && !isArrival && L.fields[Int(LogFieldKey.R.rawValue)].lo < 0 { i = e; continue } // (parent)
            if isBareWord(p, i, e) { i = e; continue }
            if isArrival {
                if e - i == 3 && p[i] == 0x66 && p[i + 1] == 0x6F && p[i + 2] == 0x72 {        // for
                    var r = e
                    while r < n && p[r] == space { r += 1 }
                    L.recipients = Span32(r, n)
                    return
                }
                if e - i == 4 && p[i] == 0x66 && p[i + 1] == 0x72 && p[i + 2] == 0x6F && p[i + 3] == 0x6D { // from <orig>
                    i = wordEnd(p, n, min(e + 1, n)); continue
                }
                i = e
                continue
            }
            // Delivery lines: the first word that is not a field starts the reason
            // (`defer (111): …`, `: reason`, `routing defer …`).
            reasonFrom = i
            break
        }
        if reasonFrom >= 0 { setReason(p, n, from: reasonFrom, &L) }
    }

    /// Arguments: line, where the reason starts, layout. Invariant: skips a leading `: `,
    /// records trailing `DT=`/`QT=` words as fields and leaves them out of the reason.
    static func setReason(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int, _ L: inout LogLineDetailLayout) {
        var i = start
        while i < n && (p[i] == space || p[i] == colon) { i += 1 }
        var rStart = i
        // `defer (111): text`, `routing defer (-52) DT=0s: text`: the reason is the text.
        if has(p, n, i, "defer (") || has(p, n, i, "routing defer ("), let c = find(p, n, i, ": ") {
            rStart = c + 2
        }
        var trail = -1
        while i < n {
            while i < n && p[i] == space { i += 1 }
            if i >= n { break }
            if p[i] == quote { i = min(quotedEnd(p, n, i) + 1, n); trail = -1; continue }
            let w = i
            if (p[i] == 0x44 || p[i] == 0x51) && i + 2 < n && p[i + 1] == 0x54 && p[i + 2] == equals,
               let (e, _) = field(p, n, i, &L, only: true) {
                if trail < 0 { trail = w }
                i = e
                continue
            }
            trail = -1
            i = wordEnd(p, n, i)
        }
        var rEnd = trail >= rStart ? trail : n
        while rEnd > rStart && p[rEnd - 1] == space { rEnd -= 1 }
        L.reason = Span32(rStart, rEnd)
    }

    /// Records every known `KEY=value` word of a line that is not a flagged message line.
    static func scanAnywhere(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int, _ L: inout LogLineDetailLayout) {
        var i = start
        while i < n {
            while i < n && p[i] == space { i += 1 }
            if i >= n { break }
            if p[i] == quote { i = min(quotedEnd(p, n, i) + 1, n); continue }
            if let (e, _) = field(p, n, i, &L) { i = e; continue }
            i = wordEnd(p, n, i)
        }
    }

    // MARK: classification

    /// True if the bytes at `i` start with `s`.
    @inline(__always)
    static func has(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ s: StaticString) -> Bool {
        let m = s.utf8CodeUnitCount
        guard n - i >= m else { return false }
        return memcmp(p + i, s.utf8Start, m) == 0
    }

    /// The offset of `s` in `p[i..<n]`, or nil. Searches with memchr for the needle's
    /// first byte that is not a space (spaces are everywhere in a log line).
    @inline(__always)
    static func find(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ s: StaticString) -> Int? {
        let m = s.utf8CodeUnitCount
        guard m > 0, n - i >= m else { return nil }
        let needle = s.utf8Start
        var a = 0
        while a < m - 1 && needle[a] == space { a += 1 }
        let key = Int32(needle[a])
        var j = i + a                 // where the anchor byte may be
        let last = n - m + a          // the last anchor position where the needle fits
        while j <= last {
            guard let hit = memchr(p + j, key, last - j + 1) else { return nil }
            let k = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - p
            if memcmp(p + k - a, needle, m) == 0 { return k - a }
            j = k + 1
        }
        return nil
    }

    /// A line with no timestamp: blank, continuation, reject-log header, or other.
    static func classifyUntimed(_ p: UnsafePointer<UInt8>, _ n: Int, _ L: inout LogLineLayout) {
        if has(p, n, 0, "Envelope-from: ") || has(p, n, 0, "Envelope-to: ") {
            L.kind = .rejectLogHeader; return
        }
        // "X Name: value": a flag letter (or space), a space, a header name, a colon.
        if n >= 4 && p[1] == space && (p[0] == space || p[0] == 0x2A || (p[0] &- 0x41) < 26) && p[2] != space {
            var j = 2
            while j < n && j < 80 && p[j] > space && p[j] < 0x7F && p[j] != colon { j += 1 }
            if j < n && j > 2 && p[j] == colon { L.kind = .rejectLogHeader; return }
        }
        if p[0] == space || p[0] == tab { L.kind = .continuation; return }
        L.kind = .other
    }

    /// A line with an id and no flag.
    static func classifyMessageEvent(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineLayout) {
        if has(p, n, i, "Completed") { L.kind = .completed }
        else if has(p, n, i, "Frozen") || has(p, n, i, "Message is frozen") || has(p, n, i, "frozen by") {
            L.kind = .frozen
        } else if has(p, n, i, "unfrozen") || has(p, n, i, "Unfrozen") { L.kind = .unfrozen }
        else if has(p, n, i, "cancelled by") { L.kind = .cancelled }
        else if let r = find(p, n, i, "rejected") {
            L.kind = .rejected
            rejectionDetails(p, n, at: r, &L)
        } else { L.kind = .messageEvent }
    }

    /// A timestamped line without an id.
    static func classifyGeneral(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineLayout) {
        if i >= n { L.kind = .other; return }
        switch p[i] {
        case 0x53: // S
            if has(p, n, i, "SMTP connection ") {
                if find(p, n, i, " closed by ") != nil { L.kind = .connectionClosed }
                else if find(p, n, i, " lost") != nil { L.kind = .connectionLost }
                else { L.kind = .connectionOpened }
                return
            }
            if has(p, n, i, "SMTP protocol synchronization error") {
                L.kind = .synchronizationError
                return
            }
            if has(p, n, i, "SMTP protocol error") || has(p, n, i, "SMTP syntax error") {
                L.kind = .protocolError
                return
            }
            if has(p, n, i, "SMTP call from ") && find(p, n, i, " dropped") != nil { L.kind = .connectionDropped; return }
            if has(p, n, i, "SMTP data timeout") || has(p, n, i, "SMTP command timeout") { L.kind = .connectionLost; return }
            if has(p, n, i, "Start queue run") || has(p, n, i, "Start ODMR queue run")
                || (has(p, n, i, "Start '") && find(p, n, i, " queue run") != nil) {
                L.kind = .queueRunStarted; return
            }
        case 0x45: // E
            if has(p, n, i, "End queue run") || (has(p, n, i, "End '") && find(p, n, i, " queue run") != nil) {
                L.kind = .queueRunEnded; return
            }
        case 0x41: // A
            if has(p, n, i, "Abandon queue run") { L.kind = .queueRunAbandoned; return }
        case 0x65: // e
            if has(p, n, i, "exim ") && find(p, n, i, " daemon started") != nil { L.kind = .daemonStarted; return }
        case 0x63: // c
            if has(p, n, i, "cwd=") && find(p, n, i, " args: ") != nil { L.kind = .arguments; return }
        case 0x6E: // n
            if has(p, n, i, "no MAIL in SMTP connection") { L.kind = .noMail; return }
        case 0x75: // u
            if has(p, n, i, "unexpected disconnection") { L.kind = .connectionLost; return }
        case 0x57: // W
            if has(p, n, i, "Warning: ") { L.kind = .warning; return }
        case 0x54: // T
            if has(p, n, i, "TLS error on ") { L.kind = .tlsError; return }
        default:
            break
        }
        if let r = find(p, n, i, "rejected") {
            L.kind = .rejected
            rejectionDetails(p, n, at: r, &L)
            return
        }
        if find(p, n, i, "incomplete transaction") != nil { L.kind = .incompleteTransaction; return }
        if find(p, n, i, " lost while ") != nil || find(p, n, i, "connection lost") != nil {
            L.kind = .connectionLost; return
        }
        if find(p, n, i, "verify fail") != nil { L.kind = .verifyFailed; return }
        if find(p, n, i, "Warning: ") != nil { L.kind = .warning; return }
        L.kind = .other
    }

    /// Arguments: line, offset of the word `rejected`, layout.
    /// Invariant: sets `rejection` and `temporaryRejection` (the reason is found by `details`).
    static func rejectionDetails(_ p: UnsafePointer<UInt8>, _ n: Int, at r: Int, _ L: inout LogLineLayout) {
        L.temporaryRejection = r >= 12 && has(p, n, r - 12, "temporarily ")
        let w = r + 9
        if has(p, n, w, "RCPT") { L.rejectionRaw = LogRejection.rcpt.rawValue }
        else if has(p, n, w, "MAIL") { L.rejectionRaw = LogRejection.mail.rawValue }
        else if has(p, n, w, "after DATA") || has(p, n, w, "DATA") || has(p, n, w, "after DKIM")
            || has(p, n, w, "after MIME") { L.rejectionRaw = LogRejection.data.rawValue }
        else if has(p, n, w, "EHLO") || has(p, n, w, "HELO") { L.rejectionRaw = LogRejection.helo.rawValue }
        else if has(p, n, w, "connection") { L.rejectionRaw = LogRejection.connection.rawValue }
        else if has(p, n, w, "from <") { L.rejectionRaw = LogRejection.size.rawValue }
        else { L.rejectionRaw = LogRejection.other.rawValue }
    }

    /// For synchronization errors: the reason is the text inside the first parentheses.
    static func setParenReason(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineDetailLayout) {
        guard let open = find(p, n, i, "(") else { return }
        var j = open + 1
        while j < n && p[j] != 0x29 { j += 1 }
        L.reason = Span32(open + 1, j)
    }

}
