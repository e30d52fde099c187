/// The demo's cast: senders, recipients, subjects, HELO names, and the hostile HELO
/// names an attacker might send (escape sequences, `\r`, NUL, DEL, C1, invalid UTF-8).
enum DemoVocabulary {
    static let senders = ["<alice@storemon.test>", "<bob@storemon.test>", "<newsletter@example.com>",
                          "<billing@example.org>", "<carol@storemon.test>", "<ops@example.net>",
                          "<ghost@bounce.test>", "<dave@storemon.test>"]
    static let recipients = ["alice@storemon.test", "bob@storemon.test", "carol@storemon.test", "x@example.net",
                             "team@example.org", "sales@example.com", "erin@storemon.test", "nobody@defer.test"]
    static let subjects = ["Quarterly report", "Re: lunch?", "Build 4711 failed", "Invoice 2026-118",
                           "Your weekly digest", "Meeting notes", "Fwd: logs", "Password reset"]
    static let helos = ["client.storemon.test", "mx1.example.com", "mail.example.org", "laptop.local",
                        "relay.example.net", "[192.0.2.44]"]

    /// HELO names with bytes a terminal must never see raw.
    static let hostileHelos: [[UInt8]] = [
        Array("\u{1B}[31mred\u{1B}[0m.example".utf8),
        Array("\u{1B}]0;pwned\u{07}title.example".utf8),
        Array("cr\rreturn.example".utf8),
        [0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E, 0x65, 0x78],           // bad\xff\xfe.ex
        [0x6E, 0x75, 0x6C, 0x00, 0x6C, 0x2E, 0x74, 0x65, 0x73, 0x74], // nul\0l.test
        [0x63, 0x31, 0xC2, 0x9B, 0x32, 0x4A, 0x2E, 0x74],         // c1 CSI: c1\u{9b}2J.t
        Array("del\u{7F}ete.test".utf8),
    ]
}
