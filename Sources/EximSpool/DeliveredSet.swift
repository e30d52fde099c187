import Store

/// Works out which recipients are delivered: those in the non-recipients tree or in the
/// `-J` journal, compared exactly or with the whole address in lower case (as eximon does).
enum DeliveredSet {
    /// One flag per recipient of `header`: true when delivered.
    static func flags(header: SpoolHeader, journal: [TaintedBytes]) -> [Bool] {
        let n = header.recipientCount
        var flags = [Bool](repeating: false, count: n)
        guard n > 0, header.nonRecipientCount > 0 || !journal.isEmpty else { return flags }
        var done: [TaintedBytes] = header.nonRecipients
        done.append(contentsOf: journal)
        var byHash: [UInt64: [Int]] = [:]
        byHash.reserveCapacity(done.count)
        for (i, d) in done.enumerated() { byHash[lowerHash(d), default: []].append(i) }
        for i in 0..<n {
            let a = header.recipient(i).address
            guard let candidates = byHash[lowerHash(a)] else { continue }
            flags[i] = candidates.contains { equalIgnoringCase(a, done[$0]) }
        }
        return flags
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        b &- UInt8(ascii: "A") < 26 ? b | 0x20 : b
    }

    /// FNV-1a of the bytes in ASCII lower case.
    static func lowerHash(_ t: TaintedBytes) -> UInt64 {
        t.withUnsafeBytes { raw in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in raw { h = (h ^ UInt64(lower(b))) &* 0x100_0000_01b3 }
            return h
        }
    }

    /// Equal when compared in ASCII lower case.
    static func equalIgnoringCase(_ a: TaintedBytes, _ b: TaintedBytes) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                for i in 0..<x.count where lower(x[i]) != lower(y[i]) { return false }
                return true
            }
        }
    }
}
