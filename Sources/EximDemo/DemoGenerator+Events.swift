import Foundation

/// The events the demo writes: arrivals, deliveries, deferrals, bounces, rejections,
/// queue runs, connections, hostile HELO names, rare flags, freezes and thaws.
extension DemoGenerator {
    func arrival(frozen: Bool) throws {
        let id = newID()
        let sender = pick(DemoVocabulary.senders)
        let n = 1 + rng.next(3) == 3 ? 2 : 1
        var recipients: [String] = []
        for _ in 0..<n { recipients.append(pick(DemoVocabulary.recipients)) }
        let subject = pick(DemoVocabulary.subjects)
        let helo = pick(DemoVocabulary.helos)
        let ip = "192.0.2.\(10 + rng.next(200))"
        let message = DemoMessage(id: id, sender: sender, recipients: recipients, delivered: [], frozenSince: nil,
                                  received: clock(), helo: helo, ip: ip, subject: subject,
                                  bodyLines: 3 + rng.next(40), local: false)
        try writeSpool(message)
        queue.append(message)
        let size = message.approximateSize
        let logged = sender == "<>" ? "<>" : String(sender.dropFirst().dropLast())   // Exim logs `<= addr`, `<= <>`
        try log("\(id) <= \(logged) H=(\(helo)) [\(ip)]:\(30000 + rng.next(30000)) I=[127.0.0.1]:25 P=esmtp S=\(size) id=\(rng.next(1 << 30)).demo@\(helo) T=\"\(subject)\" for \(recipients.joined(separator: " "))", flag: "<=")
        if frozen {
            queue[queue.count - 1].frozenSince = clock()
            try writeSpool(queue[queue.count - 1])
            try log("\(id) frozen by root")
        }
    }

    func deliver() throws {
        guard let index = queue.firstIndex(where: { $0.frozenSince == nil }) else { return try arrival(frozen: false) }
        let m = queue[index]
        var first = true
        for r in m.recipients where !m.delivered.contains(r) {
            let flag = first ? "=>" : "->"
            first = false
            if r.hasSuffix("@storemon.test") {
                let local = r.split(separator: "@").first.map(String.init) ?? r
                try log("\(m.id) \(flag) \(local) <\(r)> R=local_user T=local_mbox QT=\(age(m))s DT=0s", flag: flag)
            } else {
                try log("\(m.id) \(flag) \(r) R=smarthost T=remote_smtp H=mx.example.net [198.51.100.25] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C=\"250 2.0.0 OK id=\(rng.next(1 << 30))\" QT=\(age(m))s DT=1s", flag: flag)
            }
        }
        try log("\(m.id) Completed QT=\(age(m))s")
        try removeSpool(m.id)
        queue.remove(at: index)
    }

    func partialDelivery() throws {
        guard let index = queue.firstIndex(where: { $0.frozenSince == nil && $0.recipients.count - $0.delivered.count >= 2 }) else {
            return try deferral()
        }
        let r = queue[index].recipients.first { !queue[index].delivered.contains($0) }!
        queue[index].delivered.append(r)
        try log("\(queue[index].id) => \(r) R=smarthost T=remote_smtp H=mx.example.net [198.51.100.25] C=\"250 OK\" QT=\(age(queue[index]))s DT=0s", flag: "=>")
        try writeSpool(queue[index])
    }

    func deferral() throws {
        guard let m = queue.filter({ $0.frozenSince == nil }).randomElement(using: &rng) else { return try arrival(frozen: false) }
        let r = m.recipients.first { !m.delivered.contains($0) } ?? m.recipients[0]
        let reason = pick(["defer (111): Connection refused", "defer (-53): retry time not reached for any host",
                           "defer (-44) H=mx.example.net [198.51.100.25]: SMTP error from remote mail server after RCPT TO:<\(r)>: 452 4.2.2 Mailbox full"])
        try log("\(m.id) == \(r) R=smarthost T=remote_smtp \(reason)", flag: "==")
    }

    func bounce() throws {
        guard let index = queue.firstIndex(where: { $0.frozenSince == nil }) else { return try arrival(frozen: false) }
        let m = queue[index]
        let r = m.recipients.first { !m.delivered.contains($0) } ?? m.recipients[0]
        try log("\(m.id) ** \(r) R=bounce_router: Unrouteable address", flag: "**")
        if m.sender == "<>" {
            // A bounce that cannot be delivered: Exim freezes it rather than bounce a bounce.
            queue[index].frozenSince = clock()
            try writeSpool(queue[index])
            try log("\(m.id) Frozen (delivery error message)")
            return
        }
        try removeSpool(m.id)
        queue.remove(at: index)
        let bid = newID()
        let senderAddress = String(m.sender.dropFirst().dropLast())
        var b = DemoMessage(id: bid, sender: "<>", recipients: [senderAddress], delivered: [], frozenSince: nil,
                            received: clock(), helo: "", ip: "", subject: "Mail delivery failed: returning message to sender",
                            bodyLines: 30, local: true)
        if senderAddress.hasSuffix("bounce.test") { b.frozenSince = clock() }
        try writeSpool(b)
        queue.append(b)
        try log("\(bid) <= <> R=\(m.id) U=Debian-exim P=local S=\(b.approximateSize) T=\"Mail delivery failed: returning message to sender\" for \(senderAddress)", flag: "<=")
        try log("\(m.id) Completed QT=\(age(m))s")
        if b.frozenSince != nil {
            try log("\(bid) ** \(senderAddress): Unrouteable address", flag: "**")
            try log("\(bid) Frozen (delivery error message)")
        }
    }

    func rejection() throws {
        let helo = pick(DemoVocabulary.helos)
        let ip = "203.0.113.\(1 + rng.next(250))"
        let port = 40000 + rng.next(20000)
        switch rng.next(4) {
        case 0:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<spam@blocked.test> rejected RCPT <someone@example.org>: relay not permitted", rejection: true)
        case 1:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 sender verify fail for <nobody@nowhere.test>: Unrouteable address")
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<nobody@nowhere.test> rejected RCPT <alice@storemon.test>: Sender verify failed", rejection: true)
        case 2:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<x@blocked.test> rejected MAIL <x@blocked.test>: sender domain blocked", rejection: true)
        default:
            try log("H=(\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 F=<promo@example.com> temporarily rejected RCPT <bob@storemon.test>: greylisted, try again later", rejection: true)
        }
    }

    func queueRun() throws {
        if let pid = queueRunPid {
            try log("End queue run: pid=\(pid)")
            queueRunPid = nil
        } else {
            pidCounter += 1
            queueRunPid = pidCounter
            try log("Start queue run: pid=\(pidCounter)")
        }
    }

    func connection() throws {
        let helo = pick(DemoVocabulary.helos)
        let ip = "192.0.2.\(10 + rng.next(200))"
        let port = 30000 + rng.next(30000)
        try log("SMTP connection from (\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 (TCP/IP connection count = \(1 + rng.next(5)))")
        if rng.next(2) == 0 {
            try log("no MAIL in SMTP connection from (\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 D=0.004s C=EHLO,QUIT")
        } else {
            try log("SMTP connection from (\(helo)) [\(ip)]:\(port) I=[127.0.0.1]:25 closed by QUIT")
        }
    }

    /// Lines an attacker controls: ESC sequences, `\r`, NUL, DEL, C1 and invalid UTF-8 in HELO names.
    func hostile() throws {
        let helos = DemoVocabulary.hostileHelos
        let helo = helos[rng.next(helos.count)]
        let ip = "203.0.113.\(1 + rng.next(250))"
        var line = Array("H=(".utf8) + helo + Array(") [\(ip)]:\(40000 + rng.next(20000)) I=[127.0.0.1]:25 rejected EHLO or HELO ".utf8)
        line += helo + Array(": invalid HELO name".utf8)
        try logBytes(line, rejection: true)
    }

    /// The flags seen less often: `>>` cutthrough, `*>` suppressed, `(=` fakereject.
    func rareFlag() throws {
        let id = newID()
        switch rng.next(3) {
        case 0:
            try log("\(id) >> carol@storemon.test R=local_user T=local_mbox", flag: ">>")
            try log("\(id) <= alice@storemon.test H=(client.storemon.test) [192.0.2.20]:41000 I=[127.0.0.1]:25 P=esmtp S=612 for carol@storemon.test", flag: "<=")
            try log("\(id) Completed QT=0s")
        case 1:
            try log("\(id) <= root@storemon.test U=root P=local S=380 for test@example.net", flag: "<=")
            try log("\(id) *> test@example.net R=smarthost T=remote_smtp", flag: "*>")
            try log("\(id) Completed QT=0s")
        default:
            try log("\(id) (= spammer@example.com H=(bulk.example) [203.0.113.9]:50123 I=[127.0.0.1]:25 P=esmtp S=2048 for alice@storemon.test", flag: "(=")
            try log("\(id) Completed QT=0s")
        }
    }

    func freezeOrThaw() throws {
        if let index = queue.firstIndex(where: { $0.frozenSince != nil }), rng.next(2) == 0 {
            let m = queue[index]
            if rng.next(2) == 0 {
                queue[index].frozenSince = nil
                try writeSpool(queue[index])
                try log("\(m.id) unfrozen by root")
            } else {
                try log("\(m.id) removed by root")
                try log("\(m.id) Completed QT=\(age(m))s")
                try removeSpool(m.id)
                queue.remove(at: index)
            }
        } else if let index = queue.firstIndex(where: { $0.frozenSince == nil }) {
            queue[index].frozenSince = clock()
            try writeSpool(queue[index])
            try log("\(queue[index].id) frozen by root")
        }
    }

    /// Seconds a message has been on the queue.
    func age(_ m: DemoMessage) -> Int { max(0, Int(clock().timeIntervalSince(m.received))) }

    /// One of `items`, at random.
    func pick<T>(_ items: [T]) -> T { items[rng.next(items.count)] }
}
