import SystemPackage
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a path can or cannot be reached, found the way the kernel decides it: a path whose
/// `stat` fails with EACCES is behind a directory the user may not search, which is
/// "permission denied", not "no such file" (the file may well exist behind it).
public enum PathAccess: Sendable, Equatable {
    /// The path exists (and `stat` works).
    case exists(isDirectory: Bool)
    /// No such file or directory.
    case missing
    /// A directory on the way may not be searched (or, for the path itself, read):
    /// `directory` is the first such directory.
    case denied(directory: String)
    /// Another error (ENOTDIR, ELOOP, ...).
    case failed(errno: Int32)

    /// Examines `path`.
    public static func of(_ path: String) -> PathAccess {
        var st = stat()
        if stat(path, &st) == 0 { return .exists(isDirectory: (st.st_mode & S_IFMT) == S_IFDIR) }
        let e = errno
        switch e {
        case ENOENT: return .missing
        case EACCES: return .denied(directory: firstUnsearchable(on: path) ?? (path as NSString).deletingLastPathComponent)
        default: return .failed(errno: e)
        }
    }

    /// The first directory on the way to `path` that the user may not search (`access(X_OK)`).
    static func firstUnsearchable(on path: String) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var prefix = ""
        let parts = absolute.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        for part in parts {
            prefix += "/" + part
            if access(prefix, X_OK) != 0 { return prefix }
        }
        return nil
    }

    /// Whether the user may list and search directory `path` (false: `denied`).
    static func canList(_ path: String) -> Bool { access(path, R_OK | X_OK) == 0 }

    /// `owner:group mode` of a path as `ls -l` shows them (`Debian-exim:adm drwxr-s---`),
    /// and the group's name, or nil when it cannot be examined.
    public static func ownership(of path: String) -> (text: String, group: String)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let owner = getpwuid(st.st_uid).map { String(cString: $0.pointee.pw_name) } ?? String(st.st_uid)
        let group = getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(st.st_gid)
        return (owner + ":" + group + " " + modeText(st.st_mode), group)
    }

    /// `drwxr-s---` for a mode.
    static func modeText(_ m: mode_t) -> String {
        var s = (m & S_IFMT) == S_IFDIR ? "d" : "-"
        let bits: [(mode_t, Character)] = [(S_IRUSR, "r"), (S_IWUSR, "w"), (S_IXUSR, "x"), (S_IRGRP, "r"), (S_IWGRP, "w"),
                                           (S_IXGRP, "x"), (S_IROTH, "r"), (S_IWOTH, "w"), (S_IXOTH, "x")]
        for (i, (bit, c)) in bits.enumerated() {
            var ch: Character = m & bit != 0 ? c : "-"
            if i == 2, m & S_ISUID != 0 { ch = ch == "x" ? "s" : "S" }
            if i == 5, m & S_ISGID != 0 { ch = ch == "x" ? "s" : "S" }
            s.append(ch)
        }
        return s
    }

    /// What a user needs to reach a path: `PathRole` gives Debian's usual group when
    /// the blocking file's own group says nothing more specific.
    public enum Role: Sendable {
        /// Exim's logs: Debian's group `adm`.
        case log
        /// Exim's spool: Debian's group `Debian-exim`.
        case spool

        /// Debian's group for it.
        public var usualGroup: String { self == .log ? "adm" : "Debian-exim" }
        /// What it is, in words.
        public var noun: String { self == .log ? "Exim's logs" : "Exim's spool" }
    }

    /// The fix for a permission problem at `blocked` (a directory or file): join the group
    /// that owns it (read from the file itself), or run as root. Debian's groups are named
    /// too, as the usual answer: `adm` for the logs, `Debian-exim` for the spool.
    public static func advice(blocked: String, role: Role) -> String {
        var s = ""
        if let own = ownership(of: blocked) {
            s += "\(blocked) is \(own.text); "
            if own.group != "root" {
                s += "join its group \(own.group) (sudo adduser $USER \(own.group), then log in again) or run as root"
            } else {
                s += "run as root"
            }
        } else {
            s += "join the group that owns it, or run as root"
        }
        return s + " (on Debian: group adm reads /var/log/exim4, group Debian-exim reads the spool)"
    }

    /// A sentence for a path that cannot be read, or nil when it can: the path, the real
    /// cause, and the fix.
    public static func readProblem(_ path: String, role: Role) -> String? {
        switch of(path) {
        case .missing: return "\(path): no such file or directory"
        case .denied(let dir):
            return "\(path): permission denied (cannot search \(dir)); " + advice(blocked: dir, role: role)
        case .failed(let e): return "\(path): \(Errno(rawValue: e).description)"
        case .exists(let isDirectory):
            let mode = isDirectory ? R_OK | X_OK : R_OK
            if access(path, mode) == 0 { return nil }
            let e = errno
            if e == EACCES { return "\(path): permission denied; " + advice(blocked: path, role: role) }
            return "\(path): \(Errno(rawValue: e).description)"
        }
    }
}

extension String {
    /// nil for the empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
