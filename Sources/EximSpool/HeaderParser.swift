import Glibc

/// Parses a whole `-H` file held in memory (eximon.md 3.3). Works on raw bytes and gives
/// back spans, so it never copies the file; the caller keeps the bytes (in a tainted pool).
/// It never traps on any input: every read is bounds-checked and every number is
/// range-checked; the worst outcome is a `SpoolFormatError`.
enum HeaderParser {
    /// Largest `-H` file accepted (Exim limits recipients to 16384, headers are bounded by
    /// message_size_limit; 64 MiB is far above anything real).
    static let maximumFileSize = 64 << 20
    /// Exim refuses recipient counts above this.
    static let maximumRecipients = 16384

    /// Parses `bytes` as the `-H` file of `expected` (nil: take the id from the name line).
    static func parse(_ bytes: UnsafeRawBufferPointer, expected: MessageID?) -> Result<HeaderLayout, SpoolFormatError> {
        guard bytes.count <= maximumFileSize else {
            return .failure(SpoolFormatError(.envelope, .fileTooLarge, at: 0))
        }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            return .failure(SpoolFormatError(.envelope, .truncated, at: 0))
        }
        var cursor = Cursor(base: base, count: bytes.count)
        do {
            return .success(try cursor.parse(expected: expected))
        } catch {
            return .failure(error)
        }
    }
}

/// The parser's position in the file and its line/number readers.
private struct Cursor {
    let p: UnsafePointer<UInt8>
    let n: Int
    var pos = 0

    init(base: UnsafePointer<UInt8>, count: Int) {
        p = base
        n = count
    }

    typealias Fail = SpoolFormatError

    /// The next line without its newline; moves past the newline. Throws `truncated` if
    /// there is no newline before the end of the file.
    mutating func line() throws(Fail) -> Range<Int> {
        guard pos < n, let nl = memchr(p + pos, 0x0A, n - pos) else {
            throw Fail(.envelope, .truncated, at: pos)
        }
        let end = p.distance(to: nl.assumingMemoryBound(to: UInt8.self))
        let r = pos..<end
        pos = end + 1
        return r
    }

    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// A decimal number, optionally negative, filling exactly `r`; nil if not one or if it
    /// has more than 18 digits.
    func number(_ r: Range<Int>) -> Int? {
        var i = r.lowerBound
        var negative = false
        if i < r.upperBound, p[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < r.upperBound, r.upperBound - i <= 18 else { return nil }
        var v = 0
        while i < r.upperBound {
            let d = p[i] &- 0x30
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
            i += 1
        }
        return negative ? -v : v
    }

    func equals(_ r: Range<Int>, _ s: StaticString) -> Bool {
        guard r.count == s.utf8CodeUnitCount else { return false }
        return memcmp(p + r.lowerBound, s.utf8Start, r.count) == 0
    }

    /// Last index of `byte` in `r`, or nil.
    func lastIndex(of byte: UInt8, in r: Range<Int>) -> Int? {
        var i = r.upperBound
        while i > r.lowerBound {
            i -= 1
            if p[i] == byte { return i }
        }
        return nil
    }

    mutating func parse(expected: MessageID?) throws(Fail) -> HeaderLayout {
        // 1. Name line: "<id>-H", equal to the file's name.
        let nameLine = try line()
        guard nameLine.count == 18 || nameLine.count == 25,
              p[nameLine.upperBound - 2] == UInt8(ascii: "-"), p[nameLine.upperBound - 1] == UInt8(ascii: "H"),
              let id = MessageID(bytes: UnsafeBufferPointer(start: p + nameLine.lowerBound, count: nameLine.count - 2))
        else { throw Fail(.envelope, .badNameLine, at: nameLine.lowerBound) }
        if let expected, expected != id { throw Fail(.envelope, .badNameLine, at: nameLine.lowerBound) }
        var h = HeaderLayout(id: id)
        h.options.reserveCapacity(16)
        h.headers.reserveCapacity(16)

        // 2. Originator: "login uid gid", parsed from the right (the login may hold spaces).
        let owner = try line()
        guard let s2 = lastIndex(of: 0x20, in: owner), let gid = number(s2 + 1..<owner.upperBound),
              let s1 = lastIndex(of: 0x20, in: owner.lowerBound..<s2), let uid = number(s1 + 1..<s2)
        else { throw Fail(.envelope, .badOwnerLine, at: owner.lowerBound) }
        h.login = ByteSpan(owner.lowerBound, s1)
        h.uid = uid
        h.gid = gid

        // 3. Envelope sender: "<address>" ("<>" for bounces).
        let sender = try line()
        guard sender.count >= 2, p[sender.lowerBound] == UInt8(ascii: "<"), p[sender.upperBound - 1] == UInt8(ascii: ">")
        else { throw Fail(.envelope, .badSenderLine, at: sender.lowerBound) }
        h.sender = ByteSpan(sender.lowerBound + 1, sender.upperBound - 1)

        // 4. "received_time warning_count".
        let times = try line()
        guard let sp = lastIndex(of: 0x20, in: times), let t = number(times.lowerBound..<sp),
              let w = number(sp + 1..<times.upperBound)
        else { throw Fail(.envelope, .badTimesLine, at: times.lowerBound) }
        h.receivedTime = t
        h.warningCount = w

        // 5. Options: every line starting with '-'.
        while pos < n && p[pos] == UInt8(ascii: "-") {
            try option(into: &h)
        }

        // 6. Non-recipients tree, in pre-order; read iteratively (no recursion on hostile depth).
        let first = try line()
        if !equals(first, "XX") {
            var pending = 1
            var node = first
            while true {
                guard node.count >= 3, let l = yn(p[node.lowerBound]), let r = yn(p[node.lowerBound + 1]),
                      p[node.lowerBound + 2] == 0x20
                else { throw Fail(.envelope, .badNonRecipientTree, at: node.lowerBound) }
                h.nonRecipients.append(ByteSpan(node.lowerBound + 3, node.upperBound))
                pending += (l ? 1 : 0) + (r ? 1 : 0) - 1
                if pending == 0 { break }
                node = try line()
            }
        }

        // 7. Recipient count, then 8. that many recipient lines.
        let countLine = try line()
        guard countLine.count > 0, p[countLine.lowerBound] != UInt8(ascii: "-"),
              let rcount = number(countLine), rcount <= HeaderParser.maximumRecipients
        else { throw Fail(.envelope, .badRecipientCount, at: countLine.lowerBound) }
        h.recipients.reserveCapacity(rcount)
        for _ in 0..<rcount {
            let r = try line()
            h.recipients.append(try recipient(r))
        }

        // 9. The blank line.
        let blank = try line()
        guard blank.isEmpty else { throw Fail(.envelope, .missingBlankLine, at: blank.lowerBound) }

        // 10. Headers: "<length><flag> <length bytes>" until the end of the file.
        h.headersStart = pos
        while pos < n {
            let start = pos
            var i = pos
            while i < n, i - pos <= 9, Cursor.isDigit(p[i]) { i += 1 }
            guard i > pos, i - pos <= 9, i + 1 < n, p[i + 1] == 0x20, let len = number(pos..<i)
            else { throw Fail(.headers, .badHeaderPrefix, at: start) }
            let flag = p[i]
            let textStart = i + 2
            guard len <= n - textStart else { throw Fail(.headers, .headerTooLong, at: start) }
            if len > 0, memchr(p + textStart, 0, len) != nil { throw Fail(.headers, .nulInHeader, at: start) }
            h.headers.append(HeaderLineLayout(flag: flag, text: ByteSpan(textStart, textStart + len)))
            if flag != UInt8(ascii: "*") { h.liveHeaderBytes += len }
            pos = textStart + len
        }
        h.headerTotal = h.headers.count
        return h
    }

    func yn(_ b: UInt8) -> Bool? {
        b == UInt8(ascii: "Y") ? true : (b == UInt8(ascii: "N") ? false : nil)
    }

    /// One option line (and, for ACL variables, its value); records it in `h`.
    mutating func option(into h: inout HeaderLayout) throws(Fail) {
        let l = try line()
        var i = l.lowerBound + 1
        var tainted = false
        if i < l.upperBound, p[i] == UInt8(ascii: "-") { tainted = true; i += 1 }
        var lookup: ByteSpan?
        if i < l.upperBound, p[i] == UInt8(ascii: "("),
           let close = memchr(p + i, Int32(UInt8(ascii: ")")), l.upperBound - i) {
            let c = p.distance(to: close.assumingMemoryBound(to: UInt8.self))
            lookup = ByteSpan(i + 1, c)
            i = c + 1
        }
        var nameEnd = i
        while nameEnd < l.upperBound && p[nameEnd] != 0x20 { nameEnd += 1 }
        let kind = SpoolOptionKind.lookup(UnsafeRawBufferPointer(start: p + i, count: nameEnd - i))
        var o = OptionLayout(kind: kind, name: ByteSpan(i, nameEnd), value: nil, lookup: lookup, aclName: nil,
                             isTainted: tainted)
        if nameEnd < l.upperBound { o.value = ByteSpan(nameEnd + 1, l.upperBound) }

        if kind.isACLVariable {
            // "-aclc <name> <len>" then exactly len bytes of value and one newline.
            let arg = nameEnd + 1..<max(nameEnd + 1, l.upperBound)
            guard nameEnd < l.upperBound, let sp = lastIndex(of: 0x20, in: arg),
                  let len = number(sp + 1..<arg.upperBound), len >= 0, len < n - pos, p[pos + len] == 0x0A
            else { throw Fail(.envelope, .badACLVariable, at: l.lowerBound) }
            o.aclName = ByteSpan(arg.lowerBound, sp)
            o.value = ByteSpan(pos, pos + len)
            pos += len + 1
        }
        switch kind {
        case .frozen:
            h.frozenSince = o.value.flatMap { number($0.range) } ?? h.receivedTime
        case .receivedTimeUsec:
            // ".NNNNNN"
            if let v = o.value, v.count >= 2, p[Int(v.start)] == UInt8(ascii: "."),
               let us = number(Int(v.start) + 1..<v.range.upperBound), us >= 0, us < 1_000_000 {
                h.receivedMicroseconds = us
            }
        default:
            break
        }
        if kind != .unknown { h.flagBits |= 1 << UInt64(kind.rawValue & 63) }
        h.options.append(o)
    }

    /// Splits a recipient line (eximon.md 3.3 item 8), reading from the right.
    func recipient(_ r: Range<Int>) throws(Fail) -> RecipientLayout {
        let bad = Fail(.envelope, .badRecipient, at: r.lowerBound)
        var out = RecipientLayout(address: ByteSpan(r.lowerBound, r.upperBound), errorsTo: nil, orcpt: nil,
                                  parentNumber: -1, dsnFlags: 0)
        var d = r.upperBound
        while d > r.lowerBound && Cursor.isDigit(p[d - 1]) { d -= 1 }
        guard d < r.upperBound, d > r.lowerBound else { return out }   // plain address
        switch p[d - 1] {
        case UInt8(ascii: ","):
            // Exim 3: "address a,pno,b".
            var k = d - 1
            while k > r.lowerBound && (Cursor.isDigit(p[k - 1]) || p[k - 1] == UInt8(ascii: ",")) { k -= 1 }
            guard k > r.lowerBound, p[k - 1] == 0x20 else { return out }
            let fields = split(k..<r.upperBound)
            out.address = ByteSpan(r.lowerBound, k - 1)
            if fields.count >= 2, let pno = number(fields[1]) { out.parentNumber = Int32(clamping: pno) }
        case 0x20:
            // Early Exim 4: "address pno".
            out.address = ByteSpan(r.lowerBound, d - 1)
            out.parentNumber = Int32(clamping: number(d..<r.upperBound) ?? -1)
        case UInt8(ascii: "#"):
            // Current: "address [orcpt len,dsn] [errorsto len,pno]#flags".
            guard let flags = number(d..<r.upperBound) else { throw bad }
            var end = d - 1
            if flags & 1 != 0 {
                let (text, numbers, before) = try lengthPrefixedField(r.lowerBound..<end, bad)
                if !text.isEmpty { out.errorsTo = text }
                out.parentNumber = Int32(clamping: numbers.1)
                end = before
            }
            if flags & 2 != 0 {
                let (text, numbers, before) = try lengthPrefixedField(r.lowerBound..<end, bad)
                if !text.isEmpty { out.orcpt = text }
                out.dsnFlags = Int32(clamping: numbers.1)
                end = before
            }
            out.address = ByteSpan(r.lowerBound, end)
        default:
            break   // digits at the end of a plain address
        }
        return out
    }

    /// Reads "<space><text><space><len>,<n>" ending at `r.upperBound`, where text is `len`
    /// bytes. Returns the text, the two numbers and the index of the leading space.
    func lengthPrefixedField(_ r: Range<Int>, _ bad: Fail) throws(Fail) -> (ByteSpan, (Int, Int), Int) {
        var k = r.upperBound
        while k > r.lowerBound && (Cursor.isDigit(p[k - 1]) || p[k - 1] == UInt8(ascii: ",") || p[k - 1] == UInt8(ascii: "-")) {
            k -= 1
        }
        guard k > r.lowerBound, p[k - 1] == 0x20 else { throw bad }
        let fields = split(k..<r.upperBound)
        guard fields.count == 2, let len = number(fields[0]), let second = number(fields[1]), len >= 0 else { throw bad }
        let textEnd = k - 1
        guard textEnd - r.lowerBound >= len + 1, p[textEnd - len - 1] == 0x20 else { throw bad }
        return (ByteSpan(textEnd - len, textEnd), (len, second), textEnd - len - 1)
    }

    /// Splits `r` at commas.
    func split(_ r: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var s = r.lowerBound
        for i in r where p[i] == UInt8(ascii: ",") {
            out.append(s..<i)
            s = i + 1
        }
        out.append(s..<r.upperBound)
        return out
    }
}
