import StoremonCore

/// Runs tmux commands through StoremonCore's `ChildProcess`, the house's one spawner:
/// posix_spawn with a clean signal mask and default dispositions (the test runner's threads
/// block signals), and its own waitpid rather than Foundation's `Process` (which waits for
/// a socket's EOF that a forking tmux server keeps open).
enum Spawn {
    /// Runs `argv` with stdin on /dev/null; returns its stdout (stderr is read apart and
    /// dropped), or "" when `captureOutput` is false.
    static func run(_ argv: [String], captureOutput: Bool) throws -> String {
        let child = try ChildProcess(argv, outputs: .separate)
        var out: [UInt8] = []
        _ = child.drain(deadline: nil) { chunk in if captureOutput { out += chunk } }
        child.closeErrorOutput()
        return String(decoding: out, as: UTF8.self)
    }
}
