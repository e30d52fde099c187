import EximFormats
import Foundation
import StoremonCore
#if canImport(Glibc)
import Glibc
#endif

/// Debian's real Exim for the action tests: installed from Debian's packages when absent
/// (`exim4-daemon-light`, with sudo when not root, the service kept from starting), then
/// run with a private configuration (`-C FILE`) whose spool, logs and mailbox live in a
/// temporary directory. Nothing listens and nothing leaves the machine: the only router
/// accepts `storemon.test` addresses and appends to a file in that directory; every
/// message is queued with `-odq`, so no daemon or queue runner is ever started.
public final class RealExim {
    /// The Exim binary (`/usr/sbin/exim4` on Debian).
    public let binary: String
    /// The private temporary directory.
    public let directory: String
    /// The private configuration (`-C FILE`).
    public let configFile: String
    /// The private spool directory.
    public let spool: String
    /// The mailbox the only transport appends to.
    public let mailbox: String

    /// The installed Exim binary, installing it first when it is absent.
    public static func ensureInstalled() throws -> String {
        if let found = installed() { return found }
        let sudo = geteuid() == 0 ? "" : "sudo -n "
        // Keep Debian's service from starting while the package installs (the container
        // may already have such a policy; only a policy made here is removed afterwards).
        let script = """
            set -e
            made=0
            if [ ! -e /usr/sbin/policy-rc.d ]; then
              printf '#!/bin/sh\\nexit 101\\n' | \(sudo)tee /usr/sbin/policy-rc.d >/dev/null
              \(sudo)chmod 755 /usr/sbin/policy-rc.d; made=1
            fi
            \(sudo)apt-get update -qq >/dev/null 2>&1 || true
            rc=0
            DEBIAN_FRONTEND=noninteractive \(sudo)env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq exim4-daemon-light >/dev/null 2>&1 || rc=$?
            [ $made = 1 ] && \(sudo)rm -f /usr/sbin/policy-rc.d
            exit $rc
            """
        let (status, output) = run("/bin/bash", ["-c", script], timeout: 900)
        guard status == 0, let found = installed() else {
            throw SetupError(description: "cannot install exim4-daemon-light (exit \(status)): \(output)")
        }
        return found
    }

    public static func installed() -> String? {
        ["/usr/sbin/exim4", "/usr/sbin/exim"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public struct SetupError: Error, CustomStringConvertible { public let description: String }

    /// A private Exim set-up in a new temporary directory.
    public init() throws {
        binary = try RealExim.ensureInstalled()
        directory = "/tmp/storemon-actions-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        spool = directory + "/spool"
        configFile = directory + "/exim.conf"
        mailbox = directory + "/mail/mailbox"
        try FileManager.default.createDirectory(atPath: directory + "/mail", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        // As root, Exim keeps its privilege with -C but never delivers as root: the
        // mailbox is written as nobody. Otherwise everything runs as the caller.
        let root = geteuid() == 0
        let user = root ? "nobody" : RealExim.name(uid: geteuid())
        let group = root ? "nogroup" : RealExim.group(gid: getegid())
        if root { chmod(directory + "/mail", 0o777) }
        let owner = root ? "root" : user
        let ownerGroup = root ? "root" : group
        let config = """
            # storemon action tests: private, loopback-free, queue-only configuration
            primary_hostname = actions.storemon.test
            qualify_domain = storemon.test
            spool_directory = \(spool)
            log_file_path = \(spool)/log/%slog
            exim_user = \(owner)
            exim_group = \(ownerGroup)
            keep_environment =
            queue_only = true
            acl_smtp_rcpt = acl_rcpt
            host_lookup =
            rfc1413_hosts =
            domainlist local_domains = storemon.test

            begin acl
            acl_rcpt:
              accept local_parts = ^ferry-
                     queue = ferry
              accept

            begin routers
            local:
              driver = accept
              domains = +local_domains
              transport = mailbox

            begin transports
            mailbox:
              driver = appendfile
              file = \(mailbox)
              user = \(user)
              group = \(group)
              mode = 0666

            begin retry
            *   *   F,1h,15m

            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configFile))
    }

    /// Removes the temporary directory (nothing of Exim's keeps running: no daemon was started).
    public func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs this Exim with the private configuration.
    @discardableResult
    public func exim(_ args: [String], input: String? = nil) -> (Int32, String) {
        RealExim.run(binary, ["-C", configFile] + args, input: input)
    }

    /// Queues a message (`-odq`) and returns its id (the one new id on the private queue).
    public func queue(from sender: String, to recipients: [String], subject: String, body: String = "hello\n") throws -> String {
        let before = Set(ids())
        let message = "From: \(sender)\nTo: \(recipients.joined(separator: ", "))\nSubject: \(subject)\n\n\(body)"
        let (status, output) = exim(["-odq", "-f", sender] + recipients, input: message)
        guard status == 0 else { throw SetupError(description: "exim -odq failed (\(status)): \(output)") }
        let new = Set(ids()).subtracting(before)
        guard new.count == 1, let id = new.first else { throw SetupError(description: "no single new id: \(new)") }
        return id
    }

    /// Queues a message in the named queue `ferry` (an SMTP dialogue on stdin, `-bs`, with
    /// a pretend client address: nothing touches the network) and returns its id.
    public func queueInFerry(from sender: String, to recipient: String, subject: String) throws -> String {
        let dialogue = ["HELO client.storemon.test", "MAIL FROM:<\(sender)>", "RCPT TO:<\(recipient)>", "DATA",
                        "Subject: \(subject)", "", "hello", ".", "QUIT", ""].joined(separator: "\r\n")
        let (_, output) = exim(["-bs", "-oMa", "192.0.2.1"], input: dialogue)
        guard let r = output.range(of: "250 OK id=") else { throw SetupError(description: "no id: \(output)") }
        return String(output[r.upperBound...].prefix { !$0.isWhitespace })
    }

    /// The ids on the private queue (`exim -bp`).
    public func ids() -> [String] {
        // Main lines: "age size id <sender>"; recipient lines are indented 10 spaces.
        listing().split(separator: "\n").compactMap { line -> String? in
            let f = line.split(separator: " ")
            guard f.count >= 3, MessageID(String(f[2])) != nil else { return nil }
            return String(f[2])
        }
    }

    /// `exim -bp` (`-qGNAME` for a named queue).
    public func listing(queue: String? = nil) -> String { exim(["-bp"] + (queue.map { ["-qG" + $0] } ?? [])).1 }

    /// The `exim -bp` entry of one message (its main line and recipient lines), or nil.
    public func entry(_ id: String, queue: String? = nil) -> String? {
        let text = listing(queue: queue)
        guard let r = text.range(of: " " + id + " ") else { return nil }
        let start = text[..<r.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        let end = text.range(of: "\n\n", range: r.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        return String(text[start..<end])
    }

    /// Runs `exe` with `args` through StoremonCore's `ChildProcess` (stdin `input` when
    /// given, else /dev/null) and returns its exit status (-1 when it cannot start or runs
    /// past `timeout` seconds) and its stdout and stderr together.
    public static func run(_ exe: String, _ args: [String], input: String? = nil,
                           timeout: Double = 120) -> (Int32, String) {
        let child: ChildProcess
        do { child = try ChildProcess([exe] + args, input: input == nil ? .null : .pipe) } catch { return (-1, "\(error)") }
        if let input {
            // written on its own thread: a child may answer before it has read everything
            let bytes = Array(input.utf8)
            Thread.detachNewThread {
                child.writeInput(bytes)
                child.closeInput()
            }
        }
        var out: [UInt8] = []
        let (status, timedOut) = child.drain(deadline: Date().addingTimeInterval(timeout)) { out += $0 }
        return (timedOut ? -1 : status, String(decoding: out, as: UTF8.self))
    }

    public static func name(uid: uid_t) -> String {
        guard let pw = getpwuid(uid) else { return String(uid) }
        return String(cString: pw.pointee.pw_name)
    }

    public static func group(gid: gid_t) -> String {
        guard let gr = getgrgid(gid) else { return String(gid) }
        return String(cString: gr.pointee.gr_name)
    }
}
