import Foundation

/// Runs a program and collects its exit status and output (for the non-tmux tests).
struct ProcessResult {
    /// Exit status (or the signal number when `signaled`).
    var status: Int32
    /// Whether the process died by a signal.
    var signaled: Bool
    /// Everything written to stdout.
    var stdout: Data
    /// Everything written to stderr.
    var stderr: Data

    /// stdout as text.
    var out: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr as text.
    var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// Paths and helpers shared by the terminal tests.
enum TestSupport {
    /// The built `storemon` executable (it sits next to the test bundle).
    static var storemon: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("storemon")
    }

    /// `Tests/Fixtures`, found by walking up from this file.
    static var fixtures: URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("Fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The tmux executable, or nil when tmux is not installed.
    static let tmuxPath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for dir in dirs {
            let p = dir + "/tmux"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()

    /// Whether tmux is available (the tmux tests are skipped, with this reason, when not).
    static var hasTmux: Bool { tmuxPath != nil }

    /// A fresh temporary directory.
    static func tempDirectory(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("storemon-term-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A copy of the real Exim fixtures laid out as Exim does: `spool/input`, `spool/msglog`,
    /// `spool/log/mainlog`. Returns the spool directory.
    static func fixtureSpool() throws -> URL {
        let root = try tempDirectory("spool")
        let spool = root.appendingPathComponent("spool")
        let fm = FileManager.default
        try fm.createDirectory(at: spool, withIntermediateDirectories: true)
        let real = fixtures.appendingPathComponent("exim-real")
        try fm.copyItem(at: real.appendingPathComponent("spool/input"), to: spool.appendingPathComponent("input"))
        try fm.copyItem(at: real.appendingPathComponent("log"), to: spool.appendingPathComponent("log"))
        return spool
    }

    /// A spool whose main log is full of hostile lines: escape sequences, `\r`, NUL,
    /// invalid UTF-8, a bidi override, and a 1 MB line. Returns the log file.
    static func hostileLog() throws -> URL {
        let dir = try tempDirectory("hostile")
        var bytes: [UInt8] = []
        func line(_ s: String) { bytes += Array("2026-11-26 10:00:00 [1] ".utf8) + Array(s.utf8) + [0x0A] }
        line("1xWd9D-0006xR-10 <= evil\u{1b}[31mRED\u{1b}[0m@example.org H=x P=esmtp S=1")
        line("1xWd9D-0006xR-11 <= title\u{1b}]0;PWNED\u{07}@example.org S=2")
        line("carriage\rRETURN-OVERWRITE clear\u{1b}[2J\u{1b}[H screen")
        bytes += Array("2026-11-26 10:00:01 [1] nul".utf8) + [0x00] + Array("byte and bad utf8 ".utf8) + [0xFF, 0xFE, 0xC3] + Array(" end\n".utf8)
        line("bidi \u{202E}desrever\u{202C} text")
        bytes += Array("2026-11-26 10:00:02 [1] huge ".utf8) + [UInt8](repeating: 0x41, count: 1_000_000) + Array("\u{1b}[31m tail\n".utf8)
        line("1xWd9D-0006xR-12 => last@example.org R=r T=t after the huge line")
        let log = dir.appendingPathComponent("mainlog")
        try Data(bytes).write(to: log)
        return log
    }

    /// Runs `storemon` with `arguments`, stdin from /dev/null, and waits (at most `timeout` s).
    static func run(_ arguments: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 20) throws -> ProcessResult {
        let p = Process()
        p.executableURL = storemon
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["LANG"] = "C.UTF-8"
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let outPipe = Pipe(), errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try p.run()
        // read both pipes concurrently so a large output cannot block the child
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        // SIGTERM at the timeout; SIGKILL three seconds later if it is still there
        let pid = p.processIdentifier
        let timer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        let killer = DispatchWorkItem { if p.isRunning { kill(pid, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout + 3, execute: killer)
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        timer.cancel()
        killer.cancel()
        return ProcessResult(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal,
                             stdout: outData, stderr: errData)
    }
}

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

/// Shell-quotes a path for `runInShell`.
func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

/// Runs a program with posix_spawn: a clean signal mask and default dispositions (the
/// test runner's threads block signals, and Foundation's `Process` would pass that on,
/// plus a socket whose EOF it waits for, which a forking tmux server keeps open).
enum Spawn {
    /// Why spawning failed.
    struct Failure: Error { let errno: Int32 }

    /// Runs `argv` with stdin and stderr on /dev/null; returns stdout (or "" when not captured).
    static func run(_ argv: [String], captureOutput: Bool) throws -> String {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var fds: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&fds) == 0 else { throw Failure(errno: errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, &cargs, environ)
        if captureOutput { close(fds[1]) }
        guard rc == 0 else {
            if captureOutput { close(fds[0]) }
            throw Failure(errno: rc)
        }
        var out: [UInt8] = []
        if captureOutput {
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fds[0], &buf, buf.count)
                if n > 0 { out += buf[0..<n]; continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
            close(fds[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return String(decoding: out, as: UTF8.self)
    }
}
