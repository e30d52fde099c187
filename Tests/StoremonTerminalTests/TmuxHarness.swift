import Foundation

/// One tmux server on its own socket, running storemon in a shell; killed on `close()`
/// (and on deinit, so a failing test never leaves it behind).
final class TmuxHarness {
    /// The socket name (unique per harness).
    let socket: String
    private let tmux: String
    private var closed = false

    /// Starts a detached tmux server of `width` x `height` running an `sh` with a known prompt.
    init(width: Int, height: Int) throws {
        guard let tmux = TestSupport.tmuxPath else { throw HarnessError.noTmux }
        self.tmux = tmux
        socket = "storemon-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let env = "LANG=C.UTF-8 SWIFT_BACKTRACE=interactive=no TERM=xterm-256color PS1='PROMPT$ ' HOME=/tmp"
        // the server forks off this first command: it must not inherit a pipe we read to EOF
        _ = try tmuxCommand(captureOutput: false, ["-f", "/dev/null", "new-session", "-d", "-x", String(width), "-y", String(height),
                             "-s", "t", "env -i PATH=/usr/bin:/bin \(env) sh"])
        _ = try? tmuxCommand(["set-option", "-g", "status", "off"])
        // the prompt shows once the shell is up
        _ = waitFor(seconds: 5) { $0.contains("PROMPT$") }
    }

    deinit { close() }

    /// Kills the server.
    func close() {
        guard !closed else { return }
        closed = true
        _ = try? tmuxCommand(["kill-server"])
    }

    /// Types a command line into the shell and presses Enter.
    func runInShell(_ commandLine: String) throws {
        _ = try tmuxCommand(["send-keys", "-t", "t", "-l", commandLine])
        _ = try tmuxCommand(["send-keys", "-t", "t", "Enter"])
    }

    /// Sends keys by tmux name (`q`, `Escape`, `Enter`, `Tab`, `Space`, `F1`, `PPage`...).
    func send(_ keys: String...) throws {
        _ = try tmuxCommand(["send-keys", "-t", "t"] + keys)
    }

    /// Sends literal text.
    func type(_ text: String) throws {
        _ = try tmuxCommand(["send-keys", "-t", "t", "-l", text])
    }

    /// Resizes the window.
    func resize(width: Int, height: Int) throws {
        _ = try tmuxCommand(["resize-window", "-t", "t", "-x", String(width), "-y", String(height)])
    }

    /// The screen as text.
    func capture() -> String {
        (try? tmuxCommand(["capture-pane", "-p", "-t", "t"])) ?? ""
    }

    /// The screen with its SGR escapes (colours and attributes).
    func captureWithEscapes() -> String {
        (try? tmuxCommand(["capture-pane", "-p", "-e", "-t", "t"])) ?? ""
    }

    /// A tmux format value, e.g. `#{alternate_on}`.
    func display(_ format: String) -> String {
        ((try? tmuxCommand(["display-message", "-p", "-t", "t", format])) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls the screen until `predicate` holds (every 50 ms, at most `seconds`); returns
    /// the matching screen, or nil on timeout.
    @discardableResult
    func waitFor(seconds: Double = 5, _ predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let screen = capture()
            if predicate(screen) { return screen }
            usleep(50_000)
        }
        return nil
    }

    /// Polls for a screen line that starts with `prefix` (output, not the typed command,
    /// which starts with the prompt); returns the line without trailing blanks.
    func waitForLine(startingWith prefix: String, seconds: Double = 5) -> String? {
        var found: String?
        waitFor(seconds: seconds) { screen in
            found = screen.split(separator: "\n").last(where: { $0.hasPrefix(prefix) })
                .map { String($0).trimmingCharacters(in: .whitespaces) }
            return found != nil
        }
        return found
    }

    /// Waits until a tmux format has a value.
    @discardableResult
    func waitForDisplay(_ format: String, equals value: String, seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if display(format) == value { return true }
            usleep(50_000)
        }
        return false
    }

    private func tmuxCommand(captureOutput: Bool = true, _ args: [String]) throws -> String {
        try Spawn.run([tmux, "-L", socket] + args, captureOutput: captureOutput)
    }

    /// Why a harness could not start.
    enum HarnessError: Error { case noTmux }
}
