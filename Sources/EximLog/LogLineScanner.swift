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
    static let lbracket: UInt8 = 0x5B, rbracket: UInt8 = 0x5D, lparen: UInt8 = 0x28, rparen: UInt8 = 0x29
    static let lt: UInt8 = 0x3C, gt: UInt8 = 0x3E

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
            scanFlagged(p, n, from: body, arrival: flag == .arrival || flag == .fakeRejectArrival,
                        discardable: flag == .delivery, &D)
            return D
        }
        D.rejection = L.rejection
        switch L.kind {
        case .continuation, .rejectLogHeader, .blank, .arguments:
            return D
        case .rejected:
            if has(p, n, body, "too many recipients: ") {
                D.reason = Span32(body, body + 19)                   // `too many recipients`
            } else if let r = find(p, n, body, "rejected") ?? find(p, n, body, "refused") {
                if let c = find(p, n, r, ": ") {
                    var e = n
                    while e > c + 2 && p[e - 1] == space { e -= 1 }
                    D.reason = Span32(c + 2, e)
                } else {
                    setParenReason(p, n, from: r, &D)     // `refused connection from … (host_reject_connection)`
                }
            }
        case .synchronizationError:
            setParenReason(p, n, from: body, &D)
        case .verifyFailed, .verifyDeferred:
            // verify.c: `[H=… U=…] sender|recipient verify fail|defer for <addr>[: text]`.
            if let f = find(p, n, body, " for <") {
                let close = groupEnd(p, n, f + 5, close: gt, quotes: true)
                if close + 2 < n && p[close + 1] == colon && p[close + 2] == space { setTextReason(p, n, from: close + 3, &D) }
            }
        case .authenticationFailed:
            // smtp_in.c: `<name> authenticator failed for <host and ident>: <reply>`; the smtp
            // transport: `<name> authenticator failed H=name [ip] <reply>` (the server's reply).
            if let f = find(p, n, body, " authenticator failed for "), let c = find(p, n, f + 26, ": ") {
                setTextReason(p, n, from: c + 2, &D)
            } else if let h = clientAuthHost(p, n, body) {
                var r = h.next
                while r < n && p[r] == space { r += 1 }
                setTextReason(p, n, from: r, &D)
            }
        case .warning:
            // `ignoring AUTH=<addr> from <host> (<why>)`: the reason is the last parentheses;
            // `ACL for QUIT returned ERROR: <text>`: the text.
            if has(p, n, body, "ignoring AUTH="), let open = trailingParenOpen(p, n, from: body) {
                D.reason = Span32(open + 1, n - 1)
            } else if has(p, n, body, "ACL for "), let r = find(p, n, body, " returned ERROR: ") {
                setTextReason(p, n, from: r + 17, &D)
            }
        default:
            break
        }
        scanAnywhere(p, n, from: body, &D)
        if L.kind == .protocolError {
            // smtp_in.c: `SMTP syntax|protocol error in "<command>" <host and ident> <text>`,
            // where the host and ident are `H=name [ip]` with ` U=ident` when known, or only
            // `U=login` for a local `-bs` session: the reason is what follows those fields.
            var j = -1
            if let q = find(p, n, body, "\" H=") ?? find(p, n, body, "\" U=") {
                j = afterPrefixFields(p, n, q + 2)
            } else {
                let h = D.fields[Int(LogFieldKey.H.rawValue)]
                if h.isPresent { j = afterPrefixFields(p, n, Int(h.hi)) }
            }
            if j >= 0 && j < n { setTextReason(p, n, from: j, &D) }
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

    /// Arguments: line, offset of an opening `<` or `(`, the closing byte, whether double
    /// quotes inside are skipped (`<"a b"@x>`). Result: the offset of the matching close
    /// (nested pairs counted), or n if it never closes.
    static func groupEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ open: Int, close: UInt8, quotes: Bool) -> Int {
        let o = p[open]
        var depth = 0, j = open
        while j < n {
            let b = p[j]
            if quotes && b == quote { j = quotedEnd(p, n, j) + 1; continue }
            if b == o { depth += 1 } else if b == close { depth -= 1; if depth == 0 { return j } }
            j += 1
        }
        return n
    }

    /// Arguments: line, start of a word. Result: the end of the word, where a double-quoted
    /// part may hold spaces (`"a b"@x`, `|/bin/sh -c "x y"`).
    @inline(__always)
    static func addressWordEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        var j = i
        while j < n && p[j] != space { j = p[j] == quote ? min(quotedEnd(p, n, j) + 1, n) : j + 1 }
        return j
    }

    /// Where the parts of one `KEY=value` word lie (nothing recorded yet).
    struct FieldExtent {
        /// The key, if it is one the parser records.
        var key: LogFieldKey?
        var valueStart: Int
        var valueEnd: Int
        /// Where the next word may start.
        var next: Int
        var quoted: Bool
        /// The (unquoted) value ended with `:`: a reason follows.
        var colon: Bool
    }

    /// Arguments: line, start of a word. Result: nil if the word is not `KEY=value` (KEY:
    /// 1 to 8 of `[A-Za-z0-9*]`); else its extent. A quoted value runs to its closing quote;
    /// `<…>` to its `>` (quotes inside skipped: `F=<"a b"@x>`); `H=` over its words (`name
    /// [ip]`, `(helo) [ip]:port`, `name (helo) [ip]`, `name DS [ip]` with DNSSEC); any other
    /// value to the next space. A trailing `:` is left out of the value.
    @inline(__always)
    static func fieldExtent(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> FieldExtent? {
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
        if vStart < n && p[vStart] == quote {
            let close = quotedEnd(p, n, vStart)
            return FieldExtent(key: key, valueStart: vStart + 1, valueEnd: close, next: min(close + 1, n),
                               quoted: true, colon: false)
        }
        var vEnd: Int
        if vStart < n && p[vStart] == lt {
            vEnd = wordEnd(p, n, min(groupEnd(p, n, vStart, close: gt, quotes: true) + 1, n))
        } else {
            vEnd = wordEnd(p, n, vStart)
        }
        if key == .H && vStart < n { vEnd = hostEnd(p, n, vStart, vEnd) }
        let next = vEnd
        var colonEnd = false
        if vEnd > vStart && p[vEnd - 1] == colon { vEnd -= 1; colonEnd = true }
        return FieldExtent(key: key, valueStart: vStart, valueEnd: vEnd, next: next, quoted: false, colon: colonEnd)
    }

    /// Arguments: line, start of an `H=` value, end of its first word. Result: the end of
    /// the whole host: `name`, then any of ` DS` (DNSSEC, before the address), `(helo)` (may
    /// hold spaces) and `[ip]` (`:port`, `*`), which ends it.
    static func hostEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ vStart: Int, _ firstEnd: Int) -> Int {
        var vEnd = firstEnd
        if p[vStart] == lparen { vEnd = wordEnd(p, n, min(groupEnd(p, n, vStart, close: rparen, quotes: false) + 1, n)) }
        if vEnd > vStart && p[vEnd - 1] == colon { return vEnd }
        var sawAddress = p[vStart] == lbracket
        while !sawAddress && vEnd + 1 < n && p[vEnd] == space {
            let w = vEnd + 1
            if p[w] == lbracket {
                vEnd = wordEnd(p, n, w)
                sawAddress = true
            } else if p[w] == lparen {
                vEnd = wordEnd(p, n, min(groupEnd(p, n, w, close: rparen, quotes: false) + 1, n))
            } else if w + 3 < n && p[w] == 0x44 && p[w + 1] == 0x53 && p[w + 2] == space
                        && (p[w + 3] == lbracket || p[w + 3] == lparen) {
                vEnd = w + 2                                                   // DS
            } else {
                break
            }
            if p[vEnd - 1] == colon { break }
        }
        return vEnd
    }

    /// Arguments: line, start of a word that may be `KEY=value`, layout, whether only `DT=`
    /// and `QT=` may be recorded. Result: nil if the word is not a field; otherwise the
    /// offset after the value and whether the value ended with `:` (the reason follows).
    /// Invariant: records the field only if its key is known and not yet set.
    @inline(__always)
    static func field(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ L: inout LogLineDetailLayout,
                      only restricted: Bool = false) -> (end: Int, colon: Bool)? {
        guard let f = fieldExtent(p, n, i) else { return nil }
        record(f, restricted, &L)
        return (f.next, f.colon)
    }

    @inline(__always)
    static func record(_ f: FieldExtent, _ restricted: Bool, _ L: inout LogLineDetailLayout) {
        if let k = f.key, !restricted || k == .DT || k == .QT {
            let idx = Int(k.rawValue)
            if !L.fields[idx].isPresent {
                L.fields[idx] = Span32(f.valueStart, f.valueEnd)
                if f.quoted { L.quotedFields |= 1 << UInt32(idx) }
            }
        }
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

    /// True if a word at `w`, after a delivery address, starts what follows the address
    /// (eximon.md 4.4, Exim's `string_log_address`): `<top address>`, `(parents)`, a known
    /// `KEY=value` field, `: reason`, `defer (…)` or `routing defer`.
    @inline(__always)
    static func startsAfterAddress(_ p: UnsafePointer<UInt8>, _ n: Int, _ w: Int) -> Bool {
        let b = p[w]
        if b == lt || b == lparen { return true }
        if b == colon { return w + 1 == n || p[w + 1] == space }
        if let f = fieldExtent(p, n, w), f.key != nil { return true }
        return has(p, n, w, "defer (") || has(p, n, w, "routing defer")
    }

    /// Arguments: line, a word after a delivery address's first word. Result: the offset of
    /// the closing bracket when the word opens a `(…)` or `<…>` group that runs on into more
    /// text (`(x)@domain`), else nil. Exim writes `(parents)` and `<top address>` each as a
    /// group of its own, followed by a space, a `:` or the end; a group that runs on is part
    /// of a dequoted local part, which may hold any character (`"a (b)"@x` is logged
    /// `a (b)@x`). An unclosed group is not one.
    @inline(__always)
    static func addressGroupClose(_ p: UnsafePointer<UInt8>, _ n: Int, _ w: Int) -> Int? {
        let b = p[w]
        guard b == lt || b == lparen else { return nil }
        let close = groupEnd(p, n, w, close: b == lt ? gt : rparen, quotes: b == lt)
        guard close + 1 < n, p[close + 1] != space, p[close + 1] != colon else { return nil }
        return close
    }

    /// Arguments: line, an arrival's `U=` field. Invariant: the value runs on over the words
    /// that follow it up to the next known `KEY=` field (or `for`, `from`, the end). receive.c
    /// writes ` U=%s` with the login or RFC 1413 ident unquoted, and either may hold spaces
    /// (`U=first last P=local`); on an arrival line `P=` always follows it.
    @inline(__always)
    static func identOverWords(_ p: UnsafePointer<UInt8>, _ n: Int, _ f: inout FieldExtent) {
        var end = f.valueEnd
        var k = end
        while k < n {
            while k < n && p[k] == space { k += 1 }
            if k >= n { break }
            let w = wordEnd(p, n, k)
            if let g = fieldExtent(p, n, k), g.key != nil { break }
            if (w - k == 3 && has(p, n, k, "for")) || (w - k == 4 && has(p, n, k, "from")) { break }
            end = w
            k = w
        }
        if end > f.valueEnd {
            f.valueEnd = end
            f.next = end
            f.colon = false
        }
    }

    /// Arguments: line, start of the text after the flag, layout.
    /// Invariant: sets address, original address, parents, fields, recipients (`<=`) and
    /// reason (`==`, `**`).
    static func scanFlagged(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int, arrival isArrival: Bool,
                            discardable: Bool = false, _ L: inout LogLineDetailLayout) {
        var i = start
        while i < n && p[i] == space { i += 1 }
        guard i < n else { return }
        if discardable, let detail = discardDetail(p, n, i) {
            // `=> blackhole (DATA ACL discarded recipients)`: the whole message was dropped.
            L.address = Span32(i, i + 9)
            var e = n
            while e > detail && p[e - 1] == space { e -= 1 }
            if e > detail { L.reason = Span32(detail, e) }
            L.discarded = true
            return
        }
        // The address is always the first word, even one that looks like `KEY=value` (an SRS
        // address, `SRS0=HHH=TT=domain=local@x`). On delivery lines it runs on over more words
        // until what follows an address begins: a pipe command with arguments (`|/usr/bin/prog
        // -x`), a file (`save name`), an autoreply (`>a@x, b@y`), a dequoted local part
        // (`a b@x`). `:blackhole:` and `:fail:` are addresses; a final `:` starts the reason.
        var e = addressWordEnd(p, n, i)
        var colonEnd = !isArrival && e > i + 1 && p[e - 1] == colon && p[i] != colon
        if !isArrival {
            // Words inside a bracket group already found to be part of the address are not
            // looked at again (each byte is scanned for groups at most once: linear).
            var groupTail = -1
            while !colonEnd && e + 1 < n && p[e] == space {
                let w = e + 1
                if w > groupTail {
                    if let c = addressGroupClose(p, n, w) { groupTail = c }
                    else if startsAfterAddress(p, n, w) { break }
                }
                e = addressWordEnd(p, n, w)
                colonEnd = e - 1 > groupTail && e > w + 1 && p[e - 1] == colon
            }
        }
        L.address = Span32(i, colonEnd ? e - 1 : e)
        i = e
        if colonEnd { setReason(p, n, from: i, &L); return }
        var reasonFrom = -1
        while i < n {
            while i < n && p[i] == space { i += 1 }
            if i >= n { break }
            let b = p[i]
            if b == quote { i = min(quotedEnd(p, n, i) + 1, n); continue }
            if !isArrival && (b == lt || b == lparen) {
                // `<top address>` and `(parent, …)` right after the address; later a
                // parenthesised comment (`ST=shadow (error text)`), skipped whole.
                let close = groupEnd(p, n, i, close: b == lt ? gt : rparen, quotes: b == lt)
                let after = min(close + 1, n)
                let w = wordEnd(p, n, after)
                let noFieldsYet = !L.fields[Int(LogFieldKey.R.rawValue)].isPresent
                    && !L.fields[Int(LogFieldKey.F.rawValue)].isPresent && !L.fields[Int(LogFieldKey.T.rawValue)].isPresent
                if noFieldsYet && b == lt && !L.originalAddress.isPresent {
                    L.originalAddress = Span32(i, after)
                } else if noFieldsYet && b == lparen && !L.parents.isPresent && close < n {
                    L.parents = Span32(i + 1, close)
                }
                i = w
                if w > after && p[w - 1] == colon { reasonFrom = w; break }     // `<x@y>: reason`
                continue
            }
            if var f = fieldExtent(p, n, i) {
                if isArrival && f.key == .U && !f.quoted { identOverWords(p, n, &f) }
                record(f, false, &L)
                i = f.next
                if f.colon { reasonFrom = i; break }
                continue
            }
            let e = wordEnd(p, n, i)
            if isBareWord(p, i, e) { i = e; continue }
            if isArrival {
                if e - i == 3 && p[i] == 0x66 && p[i + 1] == 0x6F && p[i + 2] == 0x72 {        // for
                    var r = e
                    while r < n && p[r] == space { r += 1 }
                    L.recipients = Span32(r, n)
                    return
                }
                if e - i == 4 && p[i] == 0x66 && p[i + 1] == 0x72 && p[i + 2] == 0x6F && p[i + 3] == 0x6D { // from <orig>
                    let o = min(e + 1, n)
                    i = o < n && p[o] == lt ? wordEnd(p, n, min(groupEnd(p, n, o, close: gt, quotes: true) + 1, n))
                                            : wordEnd(p, n, o)
                    continue
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

    /// Arguments: line, start of the first word after `=>`. Result: where the detail of a
    /// whole-message discard starts (n when there is none), or nil when this is a delivery.
    ///
    /// When an ACL `discard` (or local_scan) drops every recipient, receive.c logs
    /// `=> blackhole (<ACL> discarded recipients)` with an optional `: <log_message>`, or
    /// `=> blackhole <local_scan text>`, then `Completed`. A real delivery to a local part
    /// `blackhole` differs: its `<original>` address or its router (`R=`) and transport
    /// (`T=`) follow.
    static func discardDetail(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int? {
        guard has(p, n, i, "blackhole"), i + 9 == n || p[i + 9] == space else { return nil }
        var j = i + 9
        while j < n && p[j] == space { j += 1 }
        let detail = j
        if j < n && p[j] == lt { return nil }
        while j < n {
            while j < n && p[j] == space { j += 1 }
            if j >= n { break }
            if let f = fieldExtent(p, n, j) {
                if f.key == .R || f.key == .T { return nil }
                j = f.next
                continue
            }
            j = wordEnd(p, n, j)
        }
        return detail
    }

    /// Arguments: line, where the reason starts, layout. Invariant: skips a leading `: `,
    /// records trailing `DT=`/`QT=` words as fields and leaves them out of the reason.
    static func setReason(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int, _ L: inout LogLineDetailLayout) {
        var i = start
        while i < n && (p[i] == space || p[i] == colon) { i += 1 }
        var rStart = i
        var rLimit = n
        // `defer (111): text`, `routing defer (-52) DT=0s: text`: the reason is the text.
        if has(p, n, i, "defer (") || has(p, n, i, "routing defer ("), let c = find(p, n, i, ": ") {
            rStart = c + 2
            // deliver.c writes ` defer (errno)[: strerror][ H=name [ip][:port]][: message]`:
            // with a positive errno the host comes after the system's text, e.g.
            // `defer (110): Connection timed out H=mx [ip]: SMTP timeout after EHLO x`.
            // Record the host; the reason is the message after it, or the system's text
            // when no message follows.
            if systemErrorText(p, n, after: (find(p, n, i, "defer (") ?? i) + 7),
               let h = find(p, find(p, n, rStart, ": ") ?? n, rStart, " H="), let f = fieldExtent(p, n, h + 1), f.key == .H {
                record(f, false, &L)
                if f.colon {
                    rStart = f.next
                    while rStart < n && p[rStart] == space { rStart += 1 }
                } else {
                    rLimit = h
                }
            }
        }
        var trail = -1
        while i < n {
            while i < n && p[i] == space { i += 1 }
            if i >= n { break }
            if p[i] == quote { i = min(quotedEnd(p, n, i) + 1, n); trail = -1; continue }
            let w = i
            if w < rStart, let f = fieldExtent(p, n, w) {          // `defer (-44) H=mx [ip]: text`
                record(f, false, &L)
                i = f.next
                continue
            }
            if (p[i] == 0x44 || p[i] == 0x51) && i + 2 < n && p[i + 1] == 0x54 && p[i + 2] == equals,
               let (e, _) = field(p, n, i, &L, only: true) {
                if trail < 0 { trail = w }
                i = e
                continue
            }
            trail = -1
            i = wordEnd(p, n, i)
        }
        var rEnd = min(trail >= rStart ? trail : n, rLimit)
        while rEnd > rStart && p[rEnd - 1] == space { rEnd -= 1 }
        L.reason = Span32(rStart, rEnd)
    }

    /// Arguments: line, the offset just inside `defer (`. Result: true when the system's
    /// error text follows the parenthesis, as deliver.c writes it for a positive errno
    /// (`defer (110): Connection timed out …`): `: ` right after the `)`, and an errno that
    /// is neither negative (Exim's own codes, `defer (-44) H=…: …`, `defer (-53): retry
    /// time …`) nor 0 (`defer (0): SMTP delivery explicitly queued`). Anything else in the
    /// parentheses is taken as a positive errno (the form decides, not the digits).
    static func systemErrorText(_ p: UnsafePointer<UInt8>, _ n: Int, after open: Int) -> Bool {
        var close = open
        while close < n && close - open < 12 && p[close] != rparen { close += 1 }
        guard close > open, close + 2 < n, p[close] == rparen, p[close + 1] == colon, p[close + 2] == space else { return false }
        if p[open] == dash { return false }
        return !(close == open + 1 && p[open] == 0x30)
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

    /// True if the bytes at `i` start with `s`, ASCII letters compared without case.
    @inline(__always)
    static func hasIgnoringCase(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ s: StaticString) -> Bool {
        let m = s.utf8CodeUnitCount
        guard n - i >= m else { return false }
        let q = s.utf8Start
        for k in 0..<m {
            let a = p[i + k], b = q[k]
            if a != b && !((a | 0x20) == (b | 0x20) && (b | 0x20) &- 0x61 < 26) { return false }
        }
        return true
    }

    /// A line with an id and no flag: the message's own events, else whatever the text
    /// after the id is (a rejection after DATA, a warning, …), else `.messageEvent`.
    static func classifyMessageEvent(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineLayout) {
        if has(p, n, i, "Completed") { L.kind = .completed }
        else if has(p, n, i, "Frozen") || has(p, n, i, "Message is frozen") || has(p, n, i, "frozen by") {
            L.kind = .frozen
        } else if has(p, n, i, "unfrozen") || has(p, n, i, "Unfrozen") { L.kind = .unfrozen }
        else if has(p, n, i, "cancelled by") { L.kind = .cancelled }
        else {
            classifyGeneral(p, n, from: i, &L)
            if L.kind == .other { L.kind = .messageEvent }
        }
    }

    /// True for `Start|End [ODMR] ['name'] queue run` at `i` (`word` is `Start ` or `End `).
    @inline(__always)
    static func isQueueRun(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ word: StaticString) -> Bool {
        guard has(p, n, i, word), let q = find(p, n, i, " queue run") ?? (has(p, n, i + word.utf8CodeUnitCount, "queue run") ? i : nil)
        else { return false }
        // Only `ODMR` and a quoted queue name may stand between the word and "queue run".
        return q == i || find(p, n, i, ": ").map { $0 > q } ?? true
    }

    /// True for `[address] SSL verify error: …` at `i`: Exim's OpenSSL certificate check
    /// names the peer in brackets (an IPv4 or IPv6 address, or `(null)` when there is none).
    @inline(__always)
    static func sslVerifyError(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Bool {
        var j = i + 1
        while j < n && j - i < 64 && p[j] != rbracket && p[j] != space { j += 1 }
        return j < n && p[j] == rbracket && has(p, n, j + 1, " SSL verify error: ")
    }

    /// Marks a refused connection: a rejection of the connection (temporary or not).
    @inline(__always)
    static func refused(_ L: inout LogLineLayout, temporary: Bool) {
        L.kind = .rejected
        L.rejectionRaw = LogRejection.connection.rawValue
        L.temporaryRejection = temporary
    }

    /// A timestamped line without an id (or the text after an id): first by its first
    /// words, then by the first word after the host, ident, TLS and sender fields Exim puts
    /// in front (`H=… U=… F=<…> rejected RCPT …`), so a line that only quotes a word
    /// (`ignoring AUTH=… (rejected by ACL)`, a remote server's reply) is not taken for it.
    static func classifyGeneral(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineLayout) {
        if i >= n { L.kind = .other; return }
        switch p[i] {
        case 0x53: // S
            if has(p, n, i, "SMTP connection ") {
                if find(p, n, i, " closed by DROP in ACL") != nil {
                    L.kind = .connectionDropped
                    L.rejectionRaw = LogRejection.dropped.rawValue
                } else if find(p, n, i, " closed by ") != nil { L.kind = .connectionClosed }
                else if find(p, n, i, " lost") != nil { L.kind = .connectionLost }
                else { L.kind = .connectionOpened }
                return
            }
            if has(p, n, i, "SMTP protocol synchronization error") {
                L.kind = .synchronizationError
                L.rejectionRaw = LogRejection.synchronization.rawValue
                return
            }
            if has(p, n, i, "SMTP protocol error") || has(p, n, i, "SMTP syntax error") {
                L.kind = .protocolError
                return
            }
            if has(p, n, i, "SMTP call from ") && find(p, n, i, " dropped") != nil { L.kind = .connectionDropped; return }
            if has(p, n, i, "SMTP data timeout") || has(p, n, i, "SMTP command timeout") { L.kind = .connectionLost; return }
            if has(p, n, i, "SSL verify error: ") { L.kind = .tlsError; return }     // older Exims: no `[ip]`
            if isQueueRun(p, n, i, "Start ") { L.kind = .queueRunStarted; return }
        case 0x73: // s: receive.c, free space or inodes below check_spool_space / check_spool_inodes
            // (`spool directory space check failed: space=… inodes=…`; mail is refused with 452)
            if has(p, n, i, "spool directory space check failed") { L.kind = .warning; return }
        case 0x45: // E
            if isQueueRun(p, n, i, "End ") { L.kind = .queueRunEnded; return }
            if has(p, n, i, "ETRN ") { L.kind = .etrn; return }
        case 0x41: // A
            if has(p, n, i, "Abandon queue run") { L.kind = .queueRunAbandoned; return }
            if has(p, n, i, "ATRN ") { L.kind = .etrn; return }
            // smtp_in.c (main and panic log): `ACL for QUIT returned ERROR: <text>` and
            // `ACL for not-QUIT returned ERROR: <text>`: the acl_smtp_quit / acl_smtp_notquit
            // ACL is misconfigured (inferred: a warning, as no kind is for configuration errors).
            if (has(p, n, i, "ACL for QUIT ") || has(p, n, i, "ACL for not-QUIT ")) && find(p, n, i, " returned ERROR") != nil {
                L.kind = .warning; return
            }
        case 0x44: // D: dnsbl.c's notices about a DNS list itself (not about the client):
            // `DNS list lookup for <key> at <list> returned <ip>; not in 127.0/8 and discarded`
            // (older: `…; invalid address discarded`) and `DNS list lookup defer (probably
            // timeout) for <list>: <what>` (the dnslist_defer selector).
            if has(p, n, i, "DNS list lookup ") { L.kind = .warning; return }
        case 0x65: // e
            if has(p, n, i, "exim ") && find(p, n, i, " daemon started") != nil { L.kind = .daemonStarted; return }
        case 0x63: // c
            if has(p, n, i, "cwd=") && find(p, n, i, " args: ") != nil { L.kind = .arguments; return }
            if has(p, n, i, "connection from ") && find(p, n, i, " refused") != nil { refused(&L, temporary: false); return }
        case 0x43: // C: the daemon's limits (`Connection from … refused: too many connections`), a 421
            if has(p, n, i, "Connection from ") && find(p, n, i, " refused") != nil { refused(&L, temporary: true); return }
        case 0x6E: // n
            if has(p, n, i, "no MAIL in ") { L.kind = .noMail; return }
            if has(p, n, i, "no host name found for ") || has(p, n, i, "no IP address found for ") {
                L.kind = .hostLookupFailed; return
            }
        case 0x72: // r
            if has(p, n, i, "refused connection from ") { refused(&L, temporary: false); return }
        case 0x74: // t
            if has(p, n, i, "temporarily refused connection from ") { refused(&L, temporary: true); return }
            // receive.c, under the `lost_incoming_connection` selector: a local (non-SMTP)
            // message whose input stopped arriving (receive_timeout).
            if has(p, n, i, "timed out while reading local message") { L.kind = .connectionLost; return }
            // smtp_in.c, past recipients_max: `too many recipients: excess temporarily rejected:
            // sender=<…> <host>` (452 to each extra RCPT), or with recipients_max_reject `too many
            // recipients: message rejected: sender=<…> <host>` (552: the whole transaction).
            if has(p, n, i, "too many recipients: ") && find(p, n, i, " rejected: sender=") != nil {
                L.kind = .rejected
                L.rejectionRaw = LogRejection.rcpt.rawValue
                L.temporaryRejection = has(p, n, i + 21, "excess temporarily rejected")
                return
            }
        case 0x6C: // l: `local_scan() function timed out - message temporarily rejected`
            if has(p, n, i, "log directory space check failed") { L.kind = .warning; return }
            if has(p, n, i, "local_scan() function ") && find(p, n, i, "temporarily rejected") != nil {
                L.kind = .rejected
                L.rejectionRaw = LogRejection.data.rawValue
                L.temporaryRejection = true
                return
            }
        case 0x75: // u
            if has(p, n, i, "unexpected disconnection") { L.kind = .connectionLost; return }
            // `unqualified sender|recipient rejected: <addr> H=…` (smtp_in.c, no domain given)
            if has(p, n, i, "unqualified "), find(p, n, i, " rejected: <") != nil {
                L.kind = .rejected
                L.rejectionRaw = has(p, n, i + 12, "sender") ? LogRejection.mail.rawValue
                    : has(p, n, i + 12, "recipient") ? LogRejection.rcpt.rawValue : LogRejection.other.rawValue
                return
            }
        case 0x54: // T
            if has(p, n, i, "TLS error on ") { L.kind = .tlsError; return }
            // tls-openssl.c: the handshake (SSL_accept) failed with nothing in OpenSSL's error
            // queue, so the client hung up during it: `TLS client disconnected cleanly
            // (rejected our certificate?)`, logged after the `TLS error on connection from …`.
            if has(p, n, i, "TLS client disconnected cleanly") { L.kind = .tlsError; return }
        case 0x69: // i: smtp_in.c, a MAIL command's AUTH= value not accepted
            // `ignoring AUTH=<addr> from <host and ident> (<why>)`: the client was not
            // authenticated, acl_smtp_mailauth refused it, or server_mail_auth_condition
            // failed; the message goes on with no authenticated sender (inferred: a warning).
            if has(p, n, i, "ignoring AUTH=") && find(p, n, i + 14, " from ") != nil { L.kind = .warning; return }
        case lbracket: // `[ip] SSL verify error: …` (OpenSSL's certificate check, 4.9x)
            if sslVerifyError(p, n, i) { L.kind = .tlsError; return }
        case 0x56: // V
            if has(p, n, i, "VRFY failed for ") { L.kind = .vrfyFailed; return }
        default:
            break
        }
        // What follows the host, ident, TLS and sender fields.
        let j = afterPrefixFields(p, n, i)
        if j < n {
            if has(p, n, j, "rejected ") || has(p, n, j, "temporarily rejected ") {
                L.kind = .rejected
                rejectionDetails(p, n, at: p[j] == 0x74 ? j + 12 : j, &L)
                return
            }
            var k = j
            if has(p, n, k, "sender ") { k += 7 } else if has(p, n, k, "recipient ") { k += 10 }
            if has(p, n, k, "verify fail") { L.kind = .verifyFailed; return }
            if has(p, n, k, "verify defer") { L.kind = .verifyDeferred; return }
            if has(p, n, j, "incomplete transaction") { L.kind = .incompleteTransaction; return }
            if hasIgnoringCase(p, n, j, "warning:") { L.kind = .warning; return }
            // tls-openssl.c / tls-gnu.c, a delivery's TLS failure: `H=name [ip] TLS error on
            // connection (<where>): <text>` (older Exims: `TLS error on connection to …`).
            if has(p, n, j, "TLS error on ") { L.kind = .tlsError; return }
            let e = wordEnd(p, n, j)
            // smtp_in.c, a client's AUTH failed here: `<name> authenticator failed for <host>: <reply>`;
            // the smtp transport, our AUTH to a server failed: `<name> authenticator failed H=name [ip] <reply>`.
            // The transport also logs `<name> authenticator cancelled authentication H=name [ip]
            // <text>` when the client side gave up (a forced expansion failure, a bad challenge).
            if has(p, n, e, " authenticator failed for ") || has(p, n, e, " authenticator failed H=")
                || has(p, n, e, " authenticator cancelled authentication H=") {
                L.kind = .authenticationFailed; return
            }
            if has(p, n, j, "discarded by ")
                || ((has(p, n, j, "RCPT ") || has(p, n, j, "MAIL ")) && find(p, n, j, ": discarded by ") != nil) {
                L.kind = .discarded; return
            }
        }
        if find(p, n, i, " lost while ") != nil || find(p, n, i, "connection lost") != nil {
            L.kind = .connectionLost; return
        }
        L.kind = .other
    }

    /// Arguments: line, start. Result: the offset of the first word that is neither a
    /// `KEY=value` field (`H=` over its words, `F=<…>`, quoted values) nor a bare field
    /// word (`DS`, `TFO`, …), or n.
    static func afterPrefixFields(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        var j = i
        while j < n {
            while j < n && p[j] == space { j += 1 }
            if j >= n { return n }
            if let f = fieldExtent(p, n, j) { j = f.next; continue }
            let e = wordEnd(p, n, j)
            if isBareWord(p, j, e) { j = e; continue }
            return j
        }
        return n
    }

    /// Arguments: line, offset of the word `rejected`, layout.
    /// Invariant: sets `rejection` and `temporaryRejection` (the reason is found by `details`).
    static func rejectionDetails(_ p: UnsafePointer<UInt8>, _ n: Int, at r: Int, _ L: inout LogLineLayout) {
        L.temporaryRejection = r >= 12 && has(p, n, r - 12, "temporarily ")
        // `rejected "EHLO name" from host` (helo_verify_hosts) quotes the command.
        let w = r + 9 < n && p[r + 9] == quote ? r + 10 : r + 9
        if has(p, n, w, "RCPT") { L.rejectionRaw = LogRejection.rcpt.rawValue }
        else if has(p, n, w, "MAIL") { L.rejectionRaw = LogRejection.mail.rawValue }
        else if has(p, n, w, "after DATA") || has(p, n, w, "DATA") || has(p, n, w, "after DKIM")
            || has(p, n, w, "after MIME") || has(p, n, w, "during MIME") || has(p, n, w, "by local_scan()")
            || has(p, n, w, "by non-SMTP ACL") { L.rejectionRaw = LogRejection.data.rawValue }
        else if has(p, n, w, "EHLO") || has(p, n, w, "HELO") { L.rejectionRaw = LogRejection.helo.rawValue }
        else if has(p, n, w, "connection") { L.rejectionRaw = LogRejection.connection.rawValue }
        else if has(p, n, w, "from <") {
            // `rejected from <sender> H=…: reason`: the whole message, typed by its reason.
            L.rejectionRaw = find(p, n, w, ": message too big") != nil ? LogRejection.size.rawValue : LogRejection.data.rawValue
        }
        else { L.rejectionRaw = LogRejection.other.rawValue }
    }

    /// Arguments: a line, its rejection, its reason span. Result: what Exim's default text in
    /// the reason (or in the line, when there is no reason) says the rejection was for.
    static func rejectionReason(_ buf: UnsafeRawBufferPointer, _ kind: LogRejection, _ reason: Span32) -> LogRejectionReason {
        switch kind {
        case .synchronization: return .synchronization
        case .dropped: return .dropped
        default: break
        }
        guard let base = buf.baseAddress, buf.count > 0 else { return .acl }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let n = reason.isPresent ? Int(reason.hi) : buf.count
        let i = reason.isPresent ? Int(reason.lo) : 0
        if kind == .connection && find(p, buf.count, 0, "rejected") == nil { return .refusedConnection }
        if find(p, n, i, "relay not permitted") != nil { return .relayNotPermitted }
        if find(p, n, i, "message too big") != nil { return .messageTooBig }
        if find(p, n, i, "ender verify") != nil { return .senderVerify }
        if find(p, n, i, "Unrouteable address") != nil || find(p, n, i, "Unknown user") != nil
            || find(p, n, i, "ecipient verify") != nil { return .recipientVerify }
        if find(p, n, i, "syntactically invalid") != nil || find(p, n, i, "domain missing or malformed") != nil
            || find(p, n, i, "syntax error") != nil { return .syntax }
        if find(p, n, i, " is listed in ") != nil || find(p, n, i, "black list") != nil { return .dnsList }
        return .acl
    }

    /// The smtp transport's AUTH lines, `<name> authenticator failed H=name [ip] <reply>` and
    /// `<name> authenticator cancelled authentication H=name [ip] <text>`: the `H=` field's
    /// extent (the text after it is the reason), or nil.
    static func clientAuthHost(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: Int) -> FieldExtent? {
        if let f = find(p, n, body, " authenticator failed H=") { return fieldExtent(p, n, f + 22) }
        if let f = find(p, n, body, " authenticator cancelled authentication H=") { return fieldExtent(p, n, f + 40) }
        return nil
    }

    /// Arguments: line, start. Result: the offset of the `(` that opens the parentheses the
    /// line ends with (nested pairs counted), or nil when the line does not end with `)`.
    static func trailingParenOpen(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int) -> Int? {
        guard n > i, p[n - 1] == 0x29 else { return nil }
        var depth = 0
        var j = n - 1
        while j >= i {
            if p[j] == 0x29 { depth += 1 } else if p[j] == 0x28 { depth -= 1; if depth == 0 { return j } }
            j -= 1
        }
        return nil
    }

    /// The reason is the rest of the line from `i` (trailing spaces left out), if any.
    static func setTextReason(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineDetailLayout) {
        var e = n
        while e > i && p[e - 1] == space { e -= 1 }
        if e > i { L.reason = Span32(i, e) }
    }

    /// For synchronization errors: the reason is the text inside the first parentheses.
    static func setParenReason(_ p: UnsafePointer<UInt8>, _ n: Int, from i: Int, _ L: inout LogLineDetailLayout) {
        guard let open = find(p, n, i, "(") else { return }
        var j = open + 1
        while j < n && p[j] != 0x29 { j += 1 }
        L.reason = Span32(open + 1, j)
    }

}
