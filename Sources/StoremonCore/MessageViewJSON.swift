import EximSpool
import Store

/// A `MessageView` as one JSON object (`storemon show --json`), keys in a fixed order,
/// every spool text through `JSONQuoter`. The README ("storemon show") documents the shape:
///
///     { "id", "spool": { "path", "queueName", "headerPath" },
///       "envelope": { "sender", "bounce", "login", "uid", "gid", "senderSetUntrusted", "local",
///                     "received": { "time", "microseconds", "text" }, "ageSeconds", "age",
///                     "size", "sizeText", "frozen", "frozenSince", "warnings", "bodyLines",
///                     "host": { "address", "name", "helo", "ident", "interface", "protocol", "activeHostname" },
///                     "auth": { "authenticator", "publicName", "id", "sender" },
///                     "tls": { "cipher", "version", "peerDN", "sni", "certificateVerified" },
///                     "aclVariables": [ { "name", "value" } ],
///                     "options": [ { "name", "value", "tainted" } ] },
///       "recipients": [ { "address", "delivered", "errorsTo", "orcpt", "dsnFlags" } ],
///       "pending", "delivered",
///       "headers": [ { "flag", "meaning", "name", "live", "text" } ],
///       "messageLog": { "path", "text", "bytes", "cut", "absent", "error" },
///       "body": null | { "path", "text", "bytes", "cut", "absent", "error" } }
public enum MessageViewJSON {
    /// The view as JSON text (indented when `pretty`).
    public static func render(_ v: MessageView, pretty: Bool = true) -> String {
        var w = JSONWriter(pretty: pretty)
        w.object { w in
            w.key("id"); w.value(untainted: v.id.description)
            w.key("spool")
            w.object { w in
                w.key("path"); w.value(untainted: v.location.spoolDirectory)
                w.key("queueName"); w.value(untainted: v.location.queueName)
                w.key("headerPath"); w.value(untainted: v.location.headerPath)
            }
            w.key("envelope")
            envelope(v.envelope, &w)
            w.key("recipients")
            w.array { w in
                for r in v.recipients {
                    w.object { w in
                        w.key("address"); w.value(r.address)
                        w.key("delivered"); w.value(r.delivered)
                        w.key("errorsTo"); optional(r.errorsTo, &w)
                        w.key("orcpt"); optional(r.orcpt, &w)
                        w.key("dsnFlags"); w.value(r.dsnFlags)
                    }
                }
            }
            w.key("pending"); w.value(v.pending.count)
            w.key("delivered"); w.value(v.delivered.count)
            w.key("headers")
            w.array { w in
                for h in v.headers {
                    w.object { w in
                        w.key("flag"); w.value(TaintedString(taintingBytes: [h.flag.byte]))
                        w.key("meaning"); w.value(untainted: h.flag.meaning)
                        w.key("name"); w.value(untainted: h.flag.name)
                        w.key("live"); w.value(h.isLive)
                        w.key("text"); w.value(h.text)
                    }
                }
            }
            w.key("messageLog"); file(v.messageLog, &w)
            w.key("body")
            if let b = v.body { file(b, &w) } else { w.raw("null") }
        }
        return w.output
    }

    static func optional(_ s: TaintedString?, _ w: inout JSONWriter) {
        if let s { w.value(s) } else { w.raw("null") }
    }

    static func envelope(_ e: MessageView.Envelope, _ w: inout JSONWriter) {
        w.object { w in
            w.key("sender"); w.value(e.sender)
            w.key("bounce"); w.value(e.isBounce)
            w.key("login"); w.value(e.login)
            w.key("uid"); w.value(e.uid)
            w.key("gid"); w.value(e.gid)
            w.key("senderSetUntrusted"); w.value(e.senderSetUntrusted)
            w.key("local"); w.value(e.isLocal)
            w.key("received")
            w.object { w in
                w.key("time"); w.value(e.receivedTime)
                w.key("microseconds"); w.value(e.receivedMicroseconds)
                w.key("text"); w.value(untainted: MessageViewText.timeText(e.receivedTime, microseconds: e.receivedMicroseconds))
            }
            w.key("ageSeconds"); w.value(e.ageSeconds)
            w.key("age"); w.value(untainted: e.ageText)
            w.key("size"); w.value(e.size)
            w.key("sizeText"); w.value(untainted: e.sizeText)
            w.key("frozen"); w.value(e.isFrozen)
            w.key("frozenSince"); w.value(e.frozenSince)
            w.key("warnings"); w.value(e.warningCount)
            w.key("bodyLines"); w.value(e.bodyLineCount)
            w.key("host")
            w.object { w in
                w.key("address"); optional(e.host.address, &w)
                w.key("name"); optional(e.host.name, &w)
                w.key("helo"); optional(e.host.helo, &w)
                w.key("ident"); optional(e.host.ident, &w)
                w.key("interface"); optional(e.host.interface, &w)
                w.key("protocol"); optional(e.host.protocolName, &w)
                w.key("activeHostname"); optional(e.host.activeHostname, &w)
            }
            w.key("auth")
            w.object { w in
                w.key("authenticator"); optional(e.authentication.authenticator, &w)
                w.key("publicName"); optional(e.authentication.publicName, &w)
                w.key("id"); optional(e.authentication.id, &w)
                w.key("sender"); optional(e.authentication.sender, &w)
            }
            w.key("tls")
            w.object { w in
                w.key("cipher"); optional(e.tls.cipher, &w)
                w.key("version"); optional(e.tls.version, &w)
                w.key("peerDN"); optional(e.tls.peerDN, &w)
                w.key("sni"); optional(e.tls.sni, &w)
                w.key("certificateVerified"); w.value(e.tls.certificateVerified)
            }
            w.key("aclVariables")
            w.array { w in
                for a in e.aclVariables {
                    w.object { w in
                        w.key("name"); w.value(a.name)
                        w.key("value"); w.value(a.value)
                    }
                }
            }
            w.key("options")
            w.array { w in
                for o in e.options {
                    w.object { w in
                        w.key("name"); w.value(o.name)
                        w.key("value"); optional(o.value, &w)
                        w.key("tainted"); w.value(o.isTainted)
                    }
                }
            }
        }
    }

    static func file(_ f: MessageView.FileText, _ w: inout JSONWriter) {
        w.object { w in
            w.key("path"); w.value(untainted: f.path)
            w.key("text"); optional(f.text, &w)
            w.key("bytes"); w.value(f.fileSize)
            w.key("cut"); w.value(f.isCut)
            w.key("absent"); w.value(f.isAbsent)
            w.key("error"); w.value(untainted: f.problem)
        }
    }
}
