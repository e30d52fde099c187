// The quoters, `TerminalText`, `JSONWriter` and `DisplayWidth` live in SafeText (shared with
// the replay); every client of the monitor's model sees them as before.
@_exported import SafeText
