import SystemPackage
import EximFormats
import Foundation

/// How the demo's events reach the disk: main-log lines, and the spool files of a
/// message (`-D`, then `-H` written as `hdr.<id>` and renamed into place, as Exim does,
/// and its `msglog`).
extension DemoGenerator {
    func log(_ text: String, flag: String? = nil, rejection: Bool = false) throws {
        try logBytes(Array(text.utf8), flag: flag, rejection: rejection)
    }

    func logBytes(_ text: [UInt8], flag: String? = nil, rejection: Bool = false) throws {
        pidCounter += rng.next(3) == 0 ? 1 : 0
        let prefix = Array("\(EximLogTime.text(clock())) [\(pidCounter)] ".utf8)
        let line = prefix + text + [0x0A]
        try DemoFiles.append(line, to: logPath)
        linesWritten += 1
        if let flag { flagsWritten[flag, default: 0] += 1 }
        if rejection { rejectionsWritten += 1 }
    }

    func writeSpool(_ m: DemoMessage) throws {
        let dir = inputPath
        let dataName = SpoolFileName.name(id: m.id, .data)
        let headerName = SpoolFileName.name(id: m.id, .header)
        try DemoFiles.write(Array((dataName + "\n").utf8) + m.body, to: dir + "/" + dataName)
        // Like Exim: write hdr.ID, then rename it into place.
        try DemoFiles.write(m.headerFile(), to: dir + "/hdr." + m.id)
        guard rename(dir + "/hdr." + m.id, dir + "/" + headerName) == 0 else {
            throw DemoError.io(dir + "/" + headerName, errno)
        }
        try DemoFiles.write(Array("\(EximLogTime.text(clock())) Received from \(m.sender)\n".utf8), to: root + "/msglog/" + m.id)
    }

    func removeSpool(_ id: String) throws {
        for name in [inputPath + "/" + SpoolFileName.name(id: id, .header), inputPath + "/" + SpoolFileName.name(id: id, .data),
                     root + "/msglog/" + id] {
            unlink(name)
        }
    }
}

/// Whole-file writes and appends through the C library (no buffering: a reader sees each
/// line as soon as it is written).
enum DemoFiles {
    /// Appends `bytes` to the file (created if missing) in one `write`.
    static func append(_ bytes: [UInt8], to path: String) throws {
        try put(bytes, to: path, flags: O_APPEND)
    }

    /// Replaces the file's content with `bytes`.
    static func write(_ bytes: [UInt8], to path: String) throws {
        try put(bytes, to: path, flags: O_TRUNC)
    }

    /// Arguments: bytes, a path, `O_APPEND` or `O_TRUNC`. Invariant: the descriptor is closed.
    private static func put(_ bytes: [UInt8], to path: String, flags: Int32) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0o644)
        guard fd >= 0 else { throw DemoError.io(path, errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw DemoError.io(path, errno) }
    }
}

/// Why the demo generator could not write.
public enum DemoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file operation failed: the path and `errno`.
    case io(String, Int32)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case .io(let path, let e): return "\(path): \(Errno(rawValue: e).description)"
        }
    }
}
