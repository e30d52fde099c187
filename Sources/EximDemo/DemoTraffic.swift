import Foundation

/// `storemon --demo`: a `DemoGenerator` writing into a fresh temporary spool on a
/// background thread at a visible pace, until `stop()` (which also removes the directory).
///
/// ```swift
/// let demo = try DemoTraffic.start()
/// defer { demo.stop() }
/// let paths = MonitorPaths(logPath: demo.logPath, spoolDirectory: demo.spoolDirectory)
/// ```
public final class DemoTraffic: @unchecked Sendable {
    /// The temporary spool root (holds `log/mainlog`, `input/`, `msglog/`).
    public let root: String
    /// The main log to follow: `<root>/log/mainlog`.
    public var logPath: String { root + "/log/mainlog" }
    /// The spool directory (holding `input/`): `<root>`.
    public var spoolDirectory: String { root }

    private let lock = NSLock()
    private let generator: DemoGenerator
    private var thread: Thread?
    private var stopped = false
    private let stepsPerSecond: Double

    private init(root: String, generator: DemoGenerator, stepsPerSecond: Double) {
        self.root = root
        self.generator = generator
        self.stepsPerSecond = stepsPerSecond
    }

    /// Creates a temporary spool (under `directory`, default the system's temporary
    /// directory), seeds a queue and some log history, and starts writing `stepsPerSecond`
    /// events per second (each one to a few log lines).
    public static func start(in directory: String? = nil, stepsPerSecond: Double = 2.5,
                             seed: UInt64 = UInt64.random(in: 1...UInt64.max)) throws -> DemoTraffic {
        let base = directory ?? NSTemporaryDirectory()
        var template = Array(((base.hasSuffix("/") ? base : base + "/") + "storemon-demo-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw DemoError.io(base, errno)
        }
        let root = String(cString: made)
        do {
            let generator = try DemoGenerator(root: root, seed: seed)
            try generator.seedQueue(8)
            try generator.step(count: 20)
            let demo = DemoTraffic(root: root, generator: generator, stepsPerSecond: stepsPerSecond)
            DemoSpools.shared.add(root)
            demo.run()
            return demo
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    /// Writes one more event now (on the caller's thread), e.g. for a key press or a test.
    public func stepNow() throws {
        lock.lock(); defer { lock.unlock() }
        guard !stopped else { return }
        try generator.step()
    }

    private func run() {
        let interval = 1 / max(0.1, stepsPerSecond)
        let t = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: interval)
                lock.lock()
                if stopped { lock.unlock(); return }
                _ = try? generator.step()
                lock.unlock()
            }
        }
        t.name = "storemon-demo"
        thread = t
        t.start()
    }

    /// Stops writing and removes the temporary spool. Safe to call more than once.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        guard !wasStopped else { return }
        try? FileManager.default.removeItem(atPath: root)
        DemoSpools.shared.remove(root)
    }

    deinit { stop() }
}

/// Internal: demo spools not yet removed, so a process that calls `exit()` without
/// `stop()` (e.g. from a signal handler that exits) still cleans up (`atexit`).
final class DemoSpools: @unchecked Sendable {
    static let shared = DemoSpools()
    private let lock = NSLock()
    private var roots: Set<String> = []
    private var hooked = false

    func add(_ root: String) {
        lock.lock(); defer { lock.unlock() }
        roots.insert(root)
        if !hooked {
            hooked = true
            atexit { DemoSpools.shared.removeAll() }
        }
    }

    func remove(_ root: String) {
        lock.lock(); defer { lock.unlock() }
        roots.remove(root)
    }

    func removeAll() {
        lock.lock()
        let all = roots
        roots = []
        lock.unlock()
        for r in all { try? FileManager.default.removeItem(atPath: r) }
    }
}
