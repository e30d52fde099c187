import Store

/// A tiny JSON writer with a fixed key order (scripts diff the output), compact (one
/// line, for streaming) or indented. Strings go through `JSONQuoter`; numbers are written
/// as Swift prints them.
struct JSONWriter {
    private(set) var output = ""
    let pretty: Bool
    private var depth = 0
    private var first: [Bool] = []

    init(pretty: Bool) { self.pretty = pretty }

    private mutating func newline() {
        guard pretty else { return }
        output += "\n" + String(repeating: "  ", count: depth)
    }

    /// Before a value or key inside a container: the comma and line break.
    private mutating func separate() {
        guard !first.isEmpty else { return }
        if first[first.count - 1] { first[first.count - 1] = false } else { output += "," }
        newline()
    }

    mutating func beginObject() { output += "{"; depth += 1; first.append(true) }
    mutating func endObject() {
        let empty = first.removeLast()
        depth -= 1
        if !empty { newline() }
        output += "}"
    }
    mutating func beginArray() { output += "["; depth += 1; first.append(true) }
    mutating func endArray() {
        let empty = first.removeLast()
        depth -= 1
        if !empty { newline() }
        output += "]"
    }

    /// A key inside an object (the value follows with one of the `value` calls).
    mutating func key(_ k: String) {
        separate()
        output += JSONQuoter().quote(untainted: k) + (pretty ? ": " : ":")
        keyPending = true
    }
    private var keyPending = false

    /// Starts a value: inside an array it needs a separator, after a key it does not.
    private mutating func startValue() {
        if keyPending { keyPending = false } else { separate() }
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) { startValue(); beginObject(); body(&self); endObject() }
    mutating func array(_ body: (inout JSONWriter) -> Void) { startValue(); beginArray(); body(&self); endArray() }
    mutating func raw(_ text: String) { startValue(); output += text }
    mutating func value(_ v: Int) { raw(String(v)) }
    mutating func value(_ v: Int?) { raw(v.map(String.init) ?? "null") }
    mutating func value(_ v: Double) { raw(v.isFinite ? String(v) : "null") }
    mutating func value(_ v: Bool) { raw(v ? "true" : "false") }
    mutating func value(untainted v: String?) { raw(v.map { JSONQuoter().quote(untainted: $0) } ?? "null") }
    mutating func value(_ v: TaintedString) { raw(JSONQuoter().quote(v)) }
}
