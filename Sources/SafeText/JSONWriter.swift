import Store

/// A tiny JSON writer with a fixed key order (scripts diff the output), compact (one
/// line, for streaming) or indented. Strings go through `JSONQuoter`; numbers are written
/// as Swift prints them.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var output = ""
    /// Whether the output is indented (else one line).
    public let pretty: Bool
    private var depth = 0
    private var first: [Bool] = []

    /// Creates a writer, compact or indented.
    public init(pretty: Bool) { self.pretty = pretty }

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

    /// Opens an object (`{`); close it with `endObject()`.
    public mutating func beginObject() { open("{") }
    /// Closes the innermost object.
    public mutating func endObject() { close("}") }
    /// Opens an array (`[`); close it with `endArray()`.
    public mutating func beginArray() { open("[") }
    /// Closes the innermost array.
    public mutating func endArray() { close("]") }

    private mutating func open(_ bracket: String) { output += bracket; depth += 1; first.append(true) }
    private mutating func close(_ bracket: String) {
        let empty = first.removeLast()
        depth -= 1
        if !empty { newline() }
        output += bracket
    }

    /// A key inside an object (the value follows with one of the `value` calls).
    public mutating func key(_ k: String) {
        separate()
        output += JSONQuoter().quote(untainted: k) + (pretty ? ": " : ":")
        keyPending = true
    }
    private var keyPending = false

    /// Starts a value: inside an array it needs a separator, after a key it does not.
    private mutating func startValue() {
        if keyPending { keyPending = false } else { separate() }
    }

    /// An object value, its members written by `body`.
    public mutating func object(_ body: (inout JSONWriter) -> Void) { startValue(); beginObject(); body(&self); endObject() }
    /// An array value, its elements written by `body`.
    public mutating func array(_ body: (inout JSONWriter) -> Void) { startValue(); beginArray(); body(&self); endArray() }
    /// A value already in JSON form (a number or literal this program made).
    public mutating func raw(_ text: String) { startValue(); output += text }
    /// An integer.
    public mutating func value(_ v: Int) { raw(String(v)) }
    /// An integer or `null`.
    public mutating func value(_ v: Int?) { raw(v.map(String.init) ?? "null") }
    /// A number (`null` when not finite: JSON has no NaN or infinity).
    public mutating func value(_ v: Double) { raw(v.isFinite ? String(v) : "null") }
    /// `true` or `false`.
    public mutating func value(_ v: Bool) { raw(v ? "true" : "false") }
    /// Text the program made (quoted all the same), or `null`.
    public mutating func value(untainted v: String?) { raw(v.map { JSONQuoter().quote(untainted: $0) } ?? "null") }
    /// Tainted text, through `JSONQuoter`.
    public mutating func value(_ v: TaintedString) { raw(JSONQuoter().quote(v)) }
}
