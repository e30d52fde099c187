import EximFormats
import Foundation

/// A message the demo keeps in its queue.
struct DemoMessage {
    var id: String
    var sender: String          // with angle brackets; `<>` for bounces
    var recipients: [String]
    var delivered: [String]
    var frozenSince: Date?
    var received: Date
    var helo: String
    var ip: String
    var subject: String
    var bodyLines: Int
    var local: Bool

    var body: [UInt8] {
        var text = ""
        for i in 0..<bodyLines { text += "Line \(i + 1) of a demo message about \(subject.lowercased()).\n" }
        return Array(text.utf8)
    }

    var approximateSize: Int { body.count + 400 }

    /// The `-H` file, in Exim 4.96's layout.
    func headerFile() -> [UInt8] {
        let t = Int(received.timeIntervalSince1970)
        let usec = Int((received.timeIntervalSince1970 - Double(t)) * 1_000_000)
        let usecText = String(format: ".%06d", usec)
        var s = SpoolFileName.name(id: id, .header) + "\nDebian-exim 102 105\n\(sender)\n\(t) 0\n"
        s += "-received_time_usec \(usecText)\n-received_time_complete \(t)\(usecText)\n"
        if local {
            s += "-ident Debian-exim\n-received_protocol local\n"
        } else {
            s += "--helo_name \(helo)\n-host_address [\(ip)]:\(30000 + t % 30000)\n-interface_address [127.0.0.1]:25\n-received_protocol esmtp\n"
        }
        s += "-body_linecount \(bodyLines)\n-max_received_linelength 72\n"
        if local { s += "-allow_unqualified_recipient\n-allow_unqualified_sender\n" }
        if let f = frozenSince { s += "-frozen \(Int(f.timeIntervalSince1970))\n" }
        if local { s += "-localerror\n" }
        s += "-tls_resumption A\n"
        // Non-recipients tree: a right-leaning chain of delivered addresses.
        if delivered.isEmpty {
            s += "XX\n"
        } else {
            for (i, d) in delivered.enumerated() { s += (i == delivered.count - 1 ? "NN " : "NY ") + d + "\n" }
        }
        s += "\(recipients.count)\n"
        for r in recipients { s += r + "\n" }
        s += "\n"
        let date = EximLogTime.text(received)
        let bare = sender == "<>" ? "Mailer-Daemon@storemon.test" : String(sender.dropFirst().dropLast())
        let headers: [(Character, String)] = [
            ("P", "Received: from [\(ip.isEmpty ? "127.0.0.1" : ip)] (helo=\(helo.isEmpty ? "localhost" : helo))\n\tby mail.storemon.test with esmtp (Exim 4.96)\n\tid \(id);\n\t\(date) +0000\n"),
            (" ", "Date: \(date) +0000\n"),
            ("T", "To: \(recipients.joined(separator: ","))\n"),
            ("F", "From: \(bare)\n"),
            (" ", "Subject: \(subject)\n"),
            ("I", "Message-Id: <\(id)@mail.storemon.test>\n"),
        ]
        for (flag, text) in headers {
            let n = text.utf8.count
            s += String(format: "%03d", n) + String(flag) + " " + text
        }
        return Array(s.utf8)
    }
}
