import Glibc

/// Finds the main log to follow from what the user gave: a file, a directory
/// (Exim's `spool/log`, Debian's `/var/log/exim4`), or an Exim `log_file_path` value
/// with `%s` (replaced by `main`) and `%D`/`%M` datestamps.
///
/// In a directory, the candidates are `mainlog` and datestamped `mainlogYYYYMMDD`,
/// `mainlog-YYYYMMDD`, `mainlog.YYYYMMDD` (or 6-digit `YYYYMM`); the newest datestamp
/// wins, and between it and a plain `mainlog` the more recently modified one.
/// Rotated copies (`mainlog.1`, `mainlog.01`, `mainlog.0.gz`) are never followed.
public struct LogFileLocator: Sendable, Equatable {
    enum Mode: Sendable, Equatable {
        case file(String)
        case directory(String)
        /// dir, name prefix before the stamp, stamp length, suffix after it.
        case datestamped(dir: String, prefix: String, digits: Int, suffix: String)
    }
    let mode: Mode

    /// Interprets `path` (see the type's description). A path that does not exist yet is
    /// taken as a file to wait for, unless it ends in `/`.
    public init(path: String) {
        var p = path
        if let r = p.firstRange(of: "%slog") { p.replaceSubrange(r, with: "mainlog") }
        else if let r = p.firstRange(of: "%s") { p.replaceSubrange(r, with: "main") }
        if p.contains("%D") || p.contains("%M") {
            let digits = p.contains("%D") ? 8 : 6
            let slash = p.lastIndex(of: "/")
            let dir = slash.map { String(p[..<$0]) } ?? "."
            let name = slash.map { String(p[p.index(after: $0)...]) } ?? p
            let token = digits == 8 ? "%D" : "%M"
            let r = name.firstRange(of: token)!
            mode = .datestamped(dir: dir.isEmpty ? "/" : dir, prefix: String(name[..<r.lowerBound]), digits: digits,
                                suffix: String(name[r.upperBound...]))
            return
        }
        var st = stat()
        if p.hasSuffix("/") || (stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR) {
            while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
            mode = .directory(p)
        } else {
            mode = .file(p)
        }
    }

    /// The directory the log lives in (watched for rotation).
    public var directory: String {
        switch mode {
        case .file(let f):
            guard let s = f.lastIndex(of: "/") else { return "." }
            let d = String(f[..<s]); return d.isEmpty ? "/" : d
        case .directory(let d): return d
        case .datestamped(let d, _, _, _): return d
        }
    }

    /// The log's file name when it does not depend on what the directory holds: the
    /// file's own name for a file path, `mainlog` for a directory (which may also follow
    /// a datestamped `mainlogYYYYMMDD`: see `current()`); nil for a datestamped path.
    public var fixedName: String? {
        switch mode {
        case .file(let f): return f.lastIndex(of: "/").map { String(f[f.index(after: $0)...]) } ?? f
        case .directory: return "mainlog"
        case .datestamped: return nil
        }
    }

    /// True when the file is chosen by looking in a directory (so new files can take over).
    public var isSearching: Bool { if case .file = mode { return false } else { return true } }

    /// The file to follow now, or nil when none exists yet (for a plain file path,
    /// the path itself is returned whether or not it exists).
    public func current() -> String? {
        switch mode {
        case .file(let f):
            return f
        case .directory(let d):
            let names = Self.list(d)
            var bestStamp = "", bestName: String? = nil
            for n in names {
                guard let stamp = Self.stamp(of: n, prefix: "mainlog", suffix: "") else { continue }
                if stamp > bestStamp { bestStamp = stamp; bestName = n }
            }
            let plain = names.contains("mainlog") ? d + "/mainlog" : nil
            guard let stamped = bestName.map({ d + "/" + $0 }) else { return plain }
            guard let plain else { return stamped }
            return Self.mtime(stamped) > Self.mtime(plain) ? stamped : plain
        case .datestamped(let d, let prefix, let digits, let suffix):
            var best: String? = nil, bestStamp = ""
            for n in Self.list(d) {
                guard let s = Self.stamp(of: n, prefix: prefix, suffix: suffix), s.utf8.count == digits else { continue }
                if s > bestStamp { bestStamp = s; best = n }
            }
            return best.map { d + "/" + $0 }
        }
    }

    /// The datestamp in `name` if it is prefix + [-.]? + 6 or 8 digits + suffix, else nil.
    static func stamp(of name: String, prefix: String, suffix: String) -> String? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.utf8.count > prefix.utf8.count + suffix.utf8.count
        else { return nil }
        var mid = Array(name.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count))
        if prefix == "mainlog" && (mid.first == 0x2D || mid.first == 0x2E) { mid.removeFirst() }
        guard mid.count == 8 || mid.count == 6, mid.allSatisfy({ $0 &- 0x30 < 10 }) else { return nil }
        return String(decoding: mid, as: UTF8.self)
    }

    static func mtime(_ path: String) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { return Int.min }
        return Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)
    }

    static func list(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: &e.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }
}
