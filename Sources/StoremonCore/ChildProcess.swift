import SystemPackage
import Foundation
import Glibc

/// A program run with `posix_spawn` (no shell: the argument array is passed as it is), with
/// the default signal mask and dispositions (so SIGTERM stops it even when the caller blocks
/// it). The one place storemon starts other programs: the action layer (`EximActions`,
/// `EximSettings`), `storemon replay --exec`, and the tests' servers and tools.
///
/// - Standard input: `/dev/null` (`.null`), the caller's own (`.inherited`, e.g. for
///   `exim -bs` reading SMTP from the terminal), or a pipe the caller writes (`.pipe`:
///   write end `input`, blocking; `closeInput()` gives the child end of file).
/// - Standard output and error: together on one pipe (`.combined`, read end `output`,
///   non-blocking, for `drain`), on two pipes (`.separate`: `output` is stdout,
///   `errorOutput` stderr; both blocking, for stream readers on their own threads), or
///   into files (`.files`, created or truncated; the same path twice: both in one file).
/// - Environment: the caller's, with `environment`'s variables set over it.
///
/// Its own `waitpid` (not Foundation's `Process`, whose `isRunning` stays true while a
/// process the child left behind holds the pipe), guarded so a signal is never sent to a
/// pid that was already reaped and may have been reused. Every pipe end is close-on-exec,
/// so no other child started meanwhile inherits it.
public final class ChildProcess: @unchecked Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// `/dev/null`.
        case null
        /// The caller's standard input, shared.
        case inherited
        /// A new pipe: the caller writes the child's input to `input` and closes it
        /// (`closeInput()`) for end of file. Writing after the child has gone raises SIGPIPE
        /// unless the caller ignores it.
        case pipe
    }

    /// Where the child's standard output and error go.
    public enum Outputs: Sendable, Equatable {
        /// Both on one pipe, in the order written (`output`; `errorOutput` is nil).
        case combined
        /// Each on its own pipe: stdout on `output`, stderr on `errorOutput`.
        case separate
        /// Into files, created (mode 0644) or truncated by the child before the program
        /// starts; the same path for both puts them in one file in the order written. No
        /// pipe: `output` is -1, `errorOutput` nil; the paths are `outputFiles`.
        case files(stdout: String, stderr: String)
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this code.
        case exited(Int32)
        /// This signal ended it.
        case signalled(Int32)

        /// The code, or 128 + the signal (the shell's convention).
        public var code: Int32 {
            switch self {
            case .exited(let c): c
            case .signalled(let s): 128 + s
            }
        }

        /// "status N" or "signal N".
        public var description: String {
            switch self {
            case .exited(let c): "status \(c)"
            case .signalled(let s): "signal \(s)"
            }
        }
    }

    /// The child's pid.
    public let pid: pid_t
    /// The read end of its stdout pipe (in `.combined` mode, stdout and stderr; non-blocking);
    /// -1 in `.files` mode (there is no pipe).
    public let output: Int32
    /// The read end of its stderr pipe in `.separate` mode (blocking); nil in the others.
    public let errorOutput: Int32?
    /// The write end of its stdin pipe in `.pipe` input mode (blocking); nil in the others.
    public let input: Int32?
    /// Where stdout and stderr go in `.files` mode; nil in the others.
    public let outputFiles: (stdout: String, stderr: String)?
    private let lock = NSLock()
    private var termination: Termination?
    private var outputOpen = true
    private var errorOutputOpen = true
    private var inputOpen = true

    /// Starts `argv` (argv[0] is the program: a path, or with `searchingPath` a name looked
    /// up in `PATH` as a shell would), with `environment`'s variables set over the caller's
    /// environment. Throws the errno text on failure (also when an output file cannot be
    /// created).
    public init(_ argv: [String], input: Input = .null, outputs: Outputs = .combined,
                environment: [String: String] = [:], searchingPath: Bool = false) throws(ChildProcessError) {
        guard let program = argv.first else { throw ChildProcessError(reason: "no program to run") }
        // Every pipe made so far, closed again if a later step fails.
        var made: [Int32] = []
        func pipeOrCleanUp() throws(ChildProcessError) -> (read: Int32, write: Int32) {
            do {
                let p = try Self.makePipe()
                made += [p.read, p.write]
                return p
            } catch {
                made.forEach { close($0) }
                throw error
            }
        }
        var files: (stdout: String, stderr: String)?
        if case .files(let o, let e) = outputs { files = (o, e) }
        let out = files == nil ? try pipeOrCleanUp() : nil
        let err = outputs == .separate ? try pipeOrCleanUp() : nil
        let inPipe = input == .pipe ? try pipeOrCleanUp() : nil
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input == .null { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        // dup2 clears close-on-exec on the copy only: the child keeps 0, 1 and 2, not the originals.
        if let inPipe { posix_spawn_file_actions_adddup2(&actions, inPipe.read, 0) }
        if let files {
            posix_spawn_file_actions_addopen(&actions, 1, files.stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if files.stderr == files.stdout {
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 2, files.stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
        } else if let out {
            posix_spawn_file_actions_adddup2(&actions, out.write, 1)
            posix_spawn_file_actions_adddup2(&actions, err?.write ?? out.write, 2)
        }
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
        let cEnvironment = environment.isEmpty ? nil : Self.environmentBlock(setting: environment)
        defer { cEnvironment?.forEach { free($0) } }
        var child: pid_t = 0
        var rc: Int32 = 0
        // ETXTBSY: the program is open for writing somewhere (being installed, or a file
        // descriptor another fork inherited); it passes within moments, or a few seconds
        // on a loaded machine (retried for up to 5 s).
        for attempt in 0..<100 {
            rc = (cArgs + [nil]).withUnsafeBufferPointer { args in
                ((cEnvironment ?? []) + [nil]).withUnsafeBufferPointer { env in
                    let envp: UnsafePointer<UnsafeMutablePointer<CChar>?> = cEnvironment == nil ? UnsafePointer(environ) : env.baseAddress!
                    return searchingPath ? posix_spawnp(&child, program, &actions, &attributes, args.baseAddress!, envp)
                                         : posix_spawn(&child, program, &actions, &attributes, args.baseAddress!, envp)
                }
            }
            if rc != ETXTBSY || attempt == 99 { break }
            usleep(50_000)
        }
        // the child's ends
        if let out { close(out.write) }
        if let err { close(err.write) }
        if let inPipe { close(inPipe.read) }
        guard rc == 0 else {
            if let out { close(out.read) }
            if let err { close(err.read) }
            if let inPipe { close(inPipe.write) }
            throw ChildProcessError(reason: Errno(rawValue: rc).description)
        }
        pid = child
        output = out?.read ?? -1
        errorOutput = err?.read
        self.input = inPipe?.write
        outputFiles = files
        if outputs == .combined { _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        if outputOpen, output >= 0 { close(output) }
        if errorOutputOpen, let errorOutput { close(errorOutput) }
        if inputOpen, let input { close(input) }
    }

    /// The caller's environment (`environ`) with `setting`'s variables set over it, as
    /// `NAME=value` C strings the caller frees.
    private static func environmentBlock(setting: [String: String]) -> [UnsafeMutablePointer<CChar>?] {
        var block: [UnsafeMutablePointer<CChar>?] = []
        var i = 0
        while let entry = environ[i] {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
            if setting[name] == nil { block.append(strdup(entry)) }
            i += 1
        }
        for (name, value) in setting.sorted(by: { $0.key < $1.key }) { block.append(strdup(name + "=" + value)) }
        return block
    }

    /// A pipe whose two ends are close-on-exec (Glibc's module does not export `pipe2`).
    private static func makePipe() throws(ChildProcessError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ChildProcessError(reason: Errno(rawValue: errno).description) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Closes the read end of stdout's pipe now (a child still writing then gets SIGPIPE).
    /// Only once no thread reads it any more. Later calls do nothing.
    public func closeOutput() {
        lock.lock(); defer { lock.unlock() }
        if outputOpen { outputOpen = false; if output >= 0 { close(output) } }
    }

    /// Closes the write end of stdin's pipe (`.pipe` mode): the child reads end of file.
    /// Later calls do nothing.
    public func closeInput() {
        lock.lock(); defer { lock.unlock() }
        if inputOpen, let input { inputOpen = false; close(input) }
    }

    /// Closes the read end of stderr's pipe now (`.separate` mode), as `closeOutput` does.
    public func closeErrorOutput() {
        lock.lock(); defer { lock.unlock() }
        if errorOutputOpen, let errorOutput { errorOutputOpen = false; close(errorOutput) }
    }

    /// How the child ended once it has (reaping it); nil while it runs and `waiting` is
    /// false, or when it cannot be waited for (already reaped elsewhere: ECHILD).
    public func termination(waiting: Bool) -> Termination? {
        reap(waiting: waiting).ended
    }

    /// The exit status once the child has ended (reaping it), nil while it runs:
    /// the code it exited with, or 128 + the signal that ended it; -1 when it cannot be
    /// waited for.
    public func exitStatus(waiting: Bool) -> Int32? {
        let r = reap(waiting: waiting)
        if let ended = r.ended { return ended.code }
        return r.unwaitable ? -1 : nil
    }

    /// One `waitpid` (unless the child was reaped already).
    private func reap(waiting: Bool) -> (ended: Termination?, unwaitable: Bool) {
        lock.lock(); defer { lock.unlock() }
        if let termination { return (termination, false) }
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, waiting ? 0 : WNOHANG) } while r < 0 && errno == EINTR
        guard r == pid else { return (nil, r < 0) }
        let ended: Termination = raw & 0x7F == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(raw & 0x7F)
        termination = ended
        return (ended, false)
    }

    /// Writes all of `bytes` to the child's stdin pipe (`.pipe` mode), blocking while the
    /// pipe is full. False when the child has closed its end (or there is no pipe): SIGPIPE
    /// is held back from this thread for the write and any it raised is taken, so the
    /// caller is not killed by it.
    @discardableResult
    public func writeInput(_ bytes: [UInt8]) -> Bool {
        guard let input, inputOpen else { return false }
        var pipeSignal = sigset_t(), old = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var pending = sigset_t()
        sigpending(&pending)
        let alreadyPending = sigismember(&pending, SIGPIPE) == 1
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &old)
        defer {
            sigpending(&pending)
            if !alreadyPending, sigismember(&pending, SIGPIPE) == 1 {
                var none = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeSignal, nil, &none)
            }
            pthread_sigmask(SIG_SETMASK, &old, nil)
        }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(input, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// How the child ended, waiting at most `timeout` seconds for it (reaping it); nil when
    /// it still runs then, or cannot be waited for.
    public func wait(timeout: Double) -> Termination? {
        let end = Date().addingTimeInterval(max(0, timeout))
        var pause: UInt32 = 1_000
        while true {
            let r = reap(waiting: false)
            if r.ended != nil || r.unwaitable { return r.ended }
            if Date() >= end { return nil }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }

    /// Stops the child: sends `signal`, waits at most `timeout` seconds, then sends SIGKILL
    /// and waits up to 5 seconds more. Returns how it ended when `signal` ended it in time
    /// (or it had ended already); nil when SIGKILL was needed or it cannot be waited for.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, timeout: Double = 10) -> Termination? {
        if let ended = termination(waiting: false) { return ended }
        self.signal(signal)
        if let ended = wait(timeout: timeout) { return ended }
        self.signal(SIGKILL)
        _ = wait(timeout: 5)
        return nil
    }

    /// Reads the child's output (`output`) until end of file, calling `body` with each chunk,
    /// and returns its exit status. Once the child itself has ended, a process it left behind
    /// that still holds the pipe is not waited for beyond one second. Past `deadline` the
    /// child gets SIGTERM, and SIGKILL two seconds later (`timedOut` is then true).
    /// Without a pipe (`.files` mode) it only waits, as far as `deadline`.
    public func drain(deadline: Date?, _ body: (ArraySlice<UInt8>) -> Void) -> (status: Int32, timedOut: Bool) {
        if output < 0 {
            guard let deadline else { return (exitStatus(waiting: true) ?? -1, false) }
            if let ended = wait(timeout: deadline.timeIntervalSinceNow) { return (ended.code, false) }
            let ended = stop(SIGTERM, timeout: 2)
            return (ended?.code ?? exitStatus(waiting: true) ?? -1, true)
        }
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
    public static func capture(_ argv: [String], timeout: Double, limit: Int = 1 << 20) -> (status: Int32, output: [UInt8])? {
        guard let child = try? ChildProcess(argv) else { return nil }
        var out: [UInt8] = []
        let (status, timedOut) = child.drain(deadline: Date().addingTimeInterval(timeout)) { chunk in
            if out.count < limit { out.append(contentsOf: chunk.prefix(limit - out.count)) }
        }
        return timedOut ? nil : (status, out)
    }

    /// Sends `signal` unless the child has already been reaped.
    public func signal(_ signal: Int32) {
        lock.lock(); defer { lock.unlock() }
        if termination == nil { kill(pid, signal) }
    }
}

/// Why a program could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// The system's reason.
    public let reason: String
    /// The reason.
    public var description: String { reason }
}
