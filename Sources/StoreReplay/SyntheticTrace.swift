/// Large `-d+memory+pid` traces built from a real one, for the bounded-cost benchmarks and
/// tests: every line is a real record shape with real figures, re-attributed to new pids
/// so that the replay's work is the real work (each synthetic trace replays with no
/// mismatch when the template does).
///
/// A template is one real single-process trace: its version line, its body, its exit
/// block and terminating line. The body is split at `splitFraction`: the first part is the
/// parent's, the rest is run by each child (a forked child starts in its parent's state, so
/// the rest is consistent for every child, and its exit block is the template's).
public struct SyntheticTrace: Sendable {
    let version: String
    let body: [String]
    let exit: [String]
    let split: Int

    /// A template from a real single-process trace (prefixes stripped); nil if it has no
    /// version line or no exit block.
    public init?(template text: String, splitFraction: Double = 0.3) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        lines = lines.map(Self.stripPid)
        guard let v = lines.firstIndex(where: { $0.hasPrefix("Exim version ") }),
              let e = lines.lastIndex(where: { $0.hasPrefix("----Exit nonpool") }),
              e > v else { return nil }
        version = lines[v]
        body = Array(lines[(v + 1)..<e])
        exit = lines[e...].filter { $0.hasPrefix("----Exit") }
        split = max(1, min(body.count - 1, Int(Double(body.count) * splitFraction)))
    }

    private static func stripPid(_ line: String) -> String {
        let u = Array(line.utf8)
        var i = 0
        while i < u.count, u[i] == 0x20 { i += 1 }
        let d = i
        while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
        guard i > d, i < u.count, u[i] == 0x20, i >= 5 else { return line }
        return String(decoding: u[(i + 1)...], as: UTF8.self)
    }

    private static func prefixed(_ pid: Int, _ line: String) -> String {
        let p = String(pid)
        return String(repeating: " ", count: max(0, 5 - p.count)) + p + " " + line
    }

    private func versionLine(_ pid: Int) -> String {
        let v = version.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("pid=") ? "pid=\(pid)" : String($0) }.joined(separator: " ")
        return Self.prefixed(pid, v)
    }

    /// A pid for child `i` (pids wrap below 4,194,304 as Linux's do; reuse is part of the test).
    static func pid(_ i: Int) -> Int { 1000 + i % 4_000_000 }

    /// A daemon that forks `children` connection handlers; each runs the rest of the
    /// template, and (with `terminating`) prints its exit block and terminating line.
    public func daemon(children: Int, terminating: Bool, write: (String) -> Void) {
        let parent = 999
        write(versionLine(parent))
        for l in body[..<split] { write(Self.prefixed(parent, l)) }
        for i in 0..<children {
            let c = Self.pid(i + 1)
            write(Self.prefixed(parent, "daemon forking for daemon-accept"))
            write(Self.prefixed(c, "postfork: daemon-accept"))
            write(Self.prefixed(parent, "daemon forked for daemon-accept: \(c)"))
            for l in body[split...] { write(Self.prefixed(c, l)) }
            if terminating {
                for l in exit { write(Self.prefixed(c, l)) }
                write(Self.prefixed(c, ">>>>>>>>>>>>>>>> Exim pid=\(c) (daemon-accept) terminating with rc=0 >>>>>>>>>>>>>>>>"))
            }
        }
    }

    /// A chain of `depth` processes, each forked by the one before it before it allocates;
    /// then, deepest first, each runs the rest of the template.
    public func forkChain(depth: Int, terminating: Bool, write: (String) -> Void) {
        let root = 999
        write(versionLine(root))
        for l in body[..<split] { write(Self.prefixed(root, l)) }
        var pids = [root]
        for d in 1...max(1, depth) {
            let parent = pids[d - 1], c = Self.pid(d)
            write(Self.prefixed(parent, "\(d == 1 ? "fresh-exec" : "chain") forking for chain"))
            write(Self.prefixed(c, "postfork: chain"))
            write(Self.prefixed(parent, "\(d == 1 ? "fresh-exec" : "chain") forked for chain: \(c)"))
            pids.append(c)
        }
        for p in pids.reversed() {
            for l in body[split...] { write(Self.prefixed(p, l)) }
            if terminating {
                for l in exit { write(Self.prefixed(p, l)) }
                write(Self.prefixed(p, ">>>>>>>>>>>>>>>> Exim pid=\(p) (chain) terminating with rc=0 >>>>>>>>>>>>>>>>"))
            }
        }
    }

    /// `processes` exec'd processes one after another (one live at a time): the whole
    /// template each time, with its exit block and terminating line.
    public func sequential(processes: Int, write: (String) -> Void) {
        for i in 0..<processes {
            let p = Self.pid(i)
            write(versionLine(p))
            for l in body { write(Self.prefixed(p, l)) }
            for l in exit { write(Self.prefixed(p, l)) }
            write(Self.prefixed(p, ">>>>>>>>>>>>>>>> Exim pid=\(p) (fresh-exec) terminating with rc=0 >>>>>>>>>>>>>>>>"))
        }
    }

    /// Lines one template copy writes (for sizing).
    public var linesPerProcess: Int { body.count + exit.count + 2 }
    /// Lines a child writes.
    public var linesPerChild: Int { body.count - split + exit.count + 4 }
}
