import EximSpool
import Foundation
import Store

/// A `MessageView` as terminal lines, section by section, for `storemon show` and the
/// monitor's message overlay (which draws the same sections, `b` and `l` switching to the
/// body and the message log). Every piece of spool text goes through `TerminalQuoter`,
/// one physical line at a time, so no byte from the spool reaches the terminal raw.
public enum MessageViewText {
    /// The parts of the view.
    public enum Section: Sendable, CaseIterable {
        /// Id, sender, times, size, state, host, authentication, TLS, ACL variables, options.
        case envelope
        /// Recipients, pending then delivered.
        case recipients
        /// Every stored header with its flag's meaning.
        case headers
        /// The message log.
        case messageLog
        /// The body (only when it was read).
        case body
    }

    /// The lines of `sections` (default: all), blank lines between sections.
    public static func lines(_ v: MessageView, sections: [Section] = Section.allCases) -> [TerminalText] {
        var out: [TerminalText] = []
        for s in sections {
            let part = lines(v, section: s)
            if part.isEmpty { continue }
            if !out.isEmpty { out.append(.empty) }
            out += part
        }
        return out
    }

    /// The lines of one section.
    public static func lines(_ v: MessageView, section: Section) -> [TerminalText] {
        switch section {
        case .envelope: return envelope(v)
        case .recipients: return recipients(v)
        case .headers: return headers(v)
        case .messageLog: return messageLog(v)
        case .body: return v.body.map { body($0) } ?? []
        }
    }

    static let q = TerminalQuoter()
    static func t(_ s: String) -> TerminalText { TerminalText(untainted: s) }
    static func t(_ s: TaintedString) -> TerminalText { q.quote(s) }
    static func label(_ s: String) -> TerminalText { t(s).padded(toColumns: 14) }

    static func envelope(_ v: MessageView) -> [TerminalText] {
        let e = v.envelope
        var out: [TerminalText] = []
        var title = "Message " + v.id.description
        if let queue = v.location.queueName { title += "  (queue " + queue + ")" }
        out.append(t(title))
        var sender = t("<") + t(e.sender) + t(">")
        if e.isBounce { sender = sender + t("  (bounce)") }
        if e.senderSetUntrusted { sender = sender + t("  (set by untrusted user ") + t(e.login) + t(")") }
        out.append(label("Sender:") + sender)
        out.append(label("Originator:") + t(e.login) + t("  uid \(e.uid) gid \(e.gid)" + (e.isLocal ? "  (local)" : "")))
        out.append(label("Received:") + t(timeText(e.receivedTime, microseconds: e.receivedMicroseconds)
                                          + "  (" + duration(e.ageSeconds) + " ago; exim -bp age " + e.ageText.trimmingCharacters(in: .whitespaces) + ")"))
        let size = e.size.map { "\($0) bytes (exim -bp: " + e.sizeText.trimmingCharacters(in: .whitespaces) + ")" }
            ?? "unknown (no -D file)"
        out.append(label("Size:") + t(size + (e.bodyLineCount.map { ", \($0) body lines" } ?? "")))
        if let since = e.frozenSince {
            out.append(label("Frozen:") + t("yes, since " + timeText(since) + "  (" + duration(max(0, e.receivedTime + e.ageSeconds - since)) + ")"))
        } else {
            out.append(label("Frozen:") + t("no"))
        }
        if e.warningCount > 0 { out.append(label("Warnings:") + t("\(e.warningCount) delay warning(s) sent")) }
        let h = e.host
        if let a = h.address {
            var line = t(a)
            if let n = h.name { line = line + t("  name ") + t(n) }
            out.append(label("Host:") + line)
        } else {
            out.append(label("Host:") + t("local"))
        }
        if let helo = h.helo { out.append(label("HELO:") + t(helo)) }
        if let p = h.protocolName { out.append(label("Protocol:") + t(p)) }
        if let i = h.interface { out.append(label("Interface:") + t(i)) }
        if let ident = h.ident { out.append(label("Ident:") + t(ident)) }
        if let a = h.activeHostname { out.append(label("Active host:") + t(a)) }
        let a = e.authentication
        if a.isEmpty {
            out.append(label("Auth:") + t("none"))
        } else {
            var parts: [TerminalText] = []
            if let x = a.authenticator { parts.append(t("authenticator ") + t(x)) }
            if let x = a.publicName { parts.append(t("mechanism ") + t(x)) }
            if let x = a.id { parts.append(t("id ") + t(x)) }
            if let x = a.sender { parts.append(t("AUTH sender ") + t(x)) }
            out.append(label("Auth:") + join(parts))
        }
        let tls = e.tls
        if !tls.isEmpty {
            var parts: [TerminalText] = []
            if let x = tls.version { parts.append(t(x)) }
            if let x = tls.cipher { parts.append(t(x)) }
            if let x = tls.sni { parts.append(t("SNI ") + t(x)) }
            if let x = tls.peerDN { parts.append(t("peer ") + t(x)) }
            if tls.certificateVerified { parts.append(t("certificate verified")) }
            out.append(label("TLS:") + join(parts))
        }
        if !e.aclVariables.isEmpty {
            out.append(t("ACL variables:"))
            for v in e.aclVariables {
                let valueLines = split(v.value)
                out.append(t("  ") + t(v.name) + t(" = ") + (valueLines.first.map(t) ?? .empty))
                for more in valueLines.dropFirst() { out.append(t("      ") + t(more)) }
            }
        }
        let others = e.options.filter { !shownAbove.contains($0.kind) }
        if !others.isEmpty {
            out.append(t("Other options:"))
            for o in others {
                var line = t(o.isTainted ? "  --" : "  -") + t(o.name)
                if let value = o.value { line = line + t(" ") + t(value) }
                out.append(line)
            }
        }
        return out
    }

    /// Options the envelope lines above already show (JSON still lists every option).
    static let shownAbove: Set<SpoolOptionKind> = [
        .receivedTimeUsec, .heloName, .hostAddress, .hostName, .hostAuth, .hostAuthPubname, .interfaceAddress,
        .activeHostname, .ident, .receivedProtocol, .bodyLinecount, .authID, .authSender, .frozen, .local,
        .senderSetUntrusted, .tlsCertificateVerified, .tlsCipher, .tlsPeerdn, .tlsSNI, .tlsVersion,
    ]

    static func recipients(_ v: MessageView) -> [TerminalText] {
        let pending = v.pending, delivered = v.delivered
        var out = [t("Recipients: \(v.recipients.count) (\(pending.count) pending, \(delivered.count) delivered)")]
        func line(_ r: MessageView.Recipient, _ mark: String) -> TerminalText {
            var l = t(mark) + t(r.address)
            if let o = r.orcpt { l = l + t("  ORCPT ") + t(o) }
            if let e = r.errorsTo { l = l + t("  errors to ") + t(e) }
            let notify = dsnText(r.dsnFlags)
            if !notify.isEmpty { l = l + t("  NOTIFY=" + notify) }
            return l
        }
        for r in pending { out.append(line(r, "  pending    ")) }
        for r in delivered { out.append(line(r, "  delivered  ")) }
        return out
    }

    /// DSN NOTIFY words for Exim's flag bits.
    static func dsnText(_ flags: Int) -> String {
        var words: [String] = []
        if flags & 0x02 != 0 { words.append("NEVER") }
        if flags & 0x04 != 0 { words.append("SUCCESS") }
        if flags & 0x08 != 0 { words.append("FAILURE") }
        if flags & 0x10 != 0 { words.append("DELAY") }
        return words.joined(separator: ",")
    }

    static func headers(_ v: MessageView) -> [TerminalText] {
        let live = v.headers.filter(\.isLive).count
        var out = [t("Headers: \(v.headers.count) stored, \(live) live (flag letter and its meaning, then the header)")]
        for h in v.headers {
            let letter = h.flag.byte == 0x20 ? " " : String(UnicodeScalar(h.flag.byte))
            let prefix = t("  ") + t(letter) + t(" ") + t(h.flag.meaning).padded(toColumns: 19) + t(" ")
            let lines = split(h.text)
            out.append(prefix + (lines.first.map(t) ?? .empty))
            let indent = t(String(repeating: " ", count: prefix.columns))
            for more in lines.dropFirst() { out.append(indent + t(more)) }
        }
        return out
    }

    static func messageLog(_ v: MessageView) -> [TerminalText] {
        fileLines(v.messageLog, title: "Message log", absent: "none (removed when delivery completes, or message_logs is false)")
    }

    static func body(_ f: MessageView.FileText) -> [TerminalText] {
        fileLines(f, title: "Body", absent: "no -D file")
    }

    static func fileLines(_ f: MessageView.FileText, title: String, absent: String) -> [TerminalText] {
        if f.isAbsent { return [t(title + ": " + absent + "  (" + f.path + ")")] }
        if let problem = f.problem { return [t(title + ": cannot be read: " + problem)] }
        guard let text = f.text else { return [] }
        var out = [t(title + " (" + f.path + ", \(f.fileSize) bytes):")]
        for line in split(text) { out.append(t("  ") + t(line)) }
        if f.isCut {
            out.append(t("  [cut: first \(text.byteCount) of \(f.fileSize) bytes shown]"))
        }
        return out
    }

    static func join(_ parts: [TerminalText]) -> TerminalText {
        var out = TerminalText.empty
        for (i, p) in parts.enumerated() { out = i == 0 ? p : out + t(", ") + p }
        return out
    }

    /// Splits tainted text at newlines (a final newline ends the last line; a `\r` before
    /// a newline is dropped, for `-D` files in wire format).
    static func split(_ s: TaintedString) -> [TaintedString] {
        s.withTaintedBytes { b in
            var out: [TaintedString] = []
            var start = 0
            while start < b.count {
                guard let nl = b.firstIndex(of: 0x0A, from: start) else {
                    out.append(b[start..<b.count].copiedOut())
                    return out
                }
                var end = nl
                if end > start && b[end - 1] == 0x0D { end -= 1 }
                out.append(b[start..<end].copiedOut())
                start = nl + 1
            }
            return out
        }
    }

    /// `YYYY-MM-DD HH:MM:SS[.uuuuuu] +ZZZZ` in local time (as Exim logs).
    public static func timeText(_ seconds: Int, microseconds: Int = 0) -> String {
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        let offset = Int(parts.tm_gmtoff) / 60
        let sign = offset < 0 ? "-" : "+"
        var s = String(format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                       Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        if microseconds > 0 { s += String(format: ".%06d", microseconds) }
        return s + " " + sign + String(format: "%02d%02d", abs(offset) / 60, abs(offset) % 60)
    }

    /// A duration in words: `45s`, `12m 5s`, `3h 2m`, `4d 1h`.
    public static func duration(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h \(s % 3600 / 60)m" }
        return "\(s / 86400)d \(s % 86400 / 3600)h"
    }
}
