import FixtureSupport
import Foundation
import StoremonCore

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
    /// Running under CI (`CI` set, as `.ci/run` is): there the terminal tests must run.
    static var inCI: Bool { !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty }

    /// A fresh temporary directory.
    static func tempDirectory(_ tag: String) throws -> URL { try Fixtures.temporaryURL("term-" + tag) }

    /// A copy of the real Exim fixtures laid out as Exim does: `spool/input`, `spool/msglog`,
    /// `spool/log/mainlog`. Returns the spool directory.
    static func fixtureSpool() throws -> URL {
        let root = try tempDirectory("spool")
        let spool = root.appendingPathComponent("spool")
        let fm = FileManager.default
        try fm.createDirectory(at: spool, withIntermediateDirectories: true)
        let real = Fixtures.root
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
    /// `executable` replaces the storemon binary (e.g. `/bin/sh` for a pipeline).
    static func run(_ arguments: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 20,
                    executable: URL? = nil) throws -> ProcessResult {
        let program = (executable ?? storemon).path
        var env = ["SWIFT_BACKTRACE": "enable=no", "LANG": "C.UTF-8"]
        for (k, v) in extra { env[k] = v }
        // StoremonCore's one spawner: stdout and stderr on their own pipes
        let child = try ChildProcess([program] + arguments, outputs: .separate, environment: env)
        // read both pipes concurrently so a large output cannot block the child
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while let fd = child.errorOutput {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                errData.append(contentsOf: buffer[0..<n])
            }
            group.leave()
        }
        // SIGTERM at the timeout; SIGKILL two seconds later if it is still there
        var outData = Data()
        _ = child.drain(deadline: Date().addingTimeInterval(timeout)) { outData.append(contentsOf: $0) }
        group.wait()
        let ended = child.termination(waiting: true)
        if case .signalled(let s) = ended { return ProcessResult(status: s, signaled: true, stdout: outData, stderr: errData) }
        return ProcessResult(status: ended?.code ?? -1, signaled: false, stdout: outData, stderr: errData)
    }
}

/// Shell-quotes a path for `runInShell`.
func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
