import SystemPackage
import Foundation
import Glibc

/// A program run with `posix_spawn` (no shell: the argument array is passed as it is),
/// stdin from /dev/null, stdout and stderr together on one pipe, and the default signal
/// mask and dispositions (so SIGTERM stops it even when the caller blocks it). The only
/// place the action layer makes these system calls.
///
/// Its own `waitpid` (not Foundation's `Process`, whose `isRunning` stays true while a
/// process the child left behind holds the pipe), guarded so a stop signal is never sent
/// to a pid that was already reaped and may have been reused.
final class ChildProcess: @unchecked Sendable {
    /// The child's pid.
    let pid: pid_t
    /// The read end of its output pipe (non-blocking, close-on-exec).
    let output: Int32
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `argv` (argv[0] is the program's path). Throws the errno text on failure.
    init(_ argv: [String]) throws(ChildProcessError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChildProcessError(reason: Errno(rawValue: errno).description) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArgs = argv.map { strdup($0) }
        defer { cArgs.forEach { free($0) } }
        var child: pid_t = 0
        var rc: Int32 = 0
        // ETXTBSY: the program is open for writing somewhere (being installed, or a file
        // descriptor another fork inherited); it passes within moments.
        for attempt in 0..<20 {
            rc = (cArgs + [nil]).withUnsafeBufferPointer { args in
                posix_spawn(&child, argv[0], &actions, &attributes, args.baseAddress!, environ)
            }
            if rc != ETXTBSY || attempt == 19 { break }
            usleep(50_000)
        }
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw ChildProcessError(reason: Errno(rawValue: rc).description)
        }
        pid = child
        output = fds[0]
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(output) }

    /// The exit status once the child has ended (reaping it), nil while it runs:
    /// the code it exited with, or 128 + the signal that ended it.
    func exitStatus(waiting: Bool) -> Int32? {
        lock.lock(); defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, waiting ? 0 : WNOHANG) } while r < 0 && errno == EINTR
        guard r == pid else { return r < 0 ? (status ?? -1) : nil }
        let code = raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
        status = code
        return code
    }

    /// Reads the child's output until end of file, calling `body` with each chunk, and
    /// returns its exit status. Once the child itself has ended, a process it left behind
    /// that still holds the pipe is not waited for beyond one second. Past `deadline` the
    /// child gets SIGTERM, and SIGKILL two seconds later (`timedOut` is then true).
    func drain(deadline: Date?, _ body: (ArraySlice<UInt8>) -> Void) -> (status: Int32, timedOut: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var exitedAt: Date?
        var terminatedAt: Date?
        var killed = false
        while true {
            let now = Date()
            if let deadline, now > deadline, exitStatus(waiting: false) == nil {
                if terminatedAt == nil { terminatedAt = now; signal(SIGTERM) }
                else if !killed, now.timeIntervalSince(terminatedAt!) > 2 { killed = true; signal(SIGKILL) }
            }
            var pfd = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 {
                if exitStatus(waiting: false) != nil {
                    if let t = exitedAt { if Date().timeIntervalSince(t) > 1 { break } } else { exitedAt = Date() }
                }
                continue
            }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 { break }
            body(buffer[0..<n])
        }
        if terminatedAt == nil, let deadline, exitStatus(waiting: false) == nil, Date() > deadline {
            terminatedAt = Date()
            signal(SIGTERM)
        }
        let status = exitStatus(waiting: true) ?? -1
        return (status, terminatedAt != nil)
    }

    /// Runs `argv` to the end (at most `timeout` seconds) and returns its exit status and
    /// output (stdout and stderr together, at most `limit` bytes kept).
    static func capture(_ argv: [String], timeout: Double, limit: Int = 1 << 20) -> (status: Int32, output: [UInt8])? {
        guard let child = try? ChildProcess(argv) else { return nil }
        var out: [UInt8] = []
        let (status, timedOut) = child.drain(deadline: Date().addingTimeInterval(timeout)) { chunk in
            if out.count < limit { out.append(contentsOf: chunk.prefix(limit - out.count)) }
        }
        return timedOut ? nil : (status, out)
    }

    /// Sends `signal` unless the child has already been reaped.
    func signal(_ signal: Int32) {
        lock.lock(); defer { lock.unlock() }
        if status == nil { kill(pid, signal) }
    }
}

/// Why a program could not be started.
struct ChildProcessError: Error {
    /// The system's reason.
    let reason: String
}
