import Foundation
import Store
import Testing
@testable import EximLog

/// The unreadable-file check when the tests run as root (where chmod 000 stops nothing):
/// a child process creates the file, drops to user `nobody`, and follows it.
@Suite("Unreadable log as an unprivileged user")
struct UnreadableAsRootTests {
    @Test("permission denied names the file (root drops to nobody in a child process)",
          .enabled(if: geteuid() == 0, "only needed as root; TailerTests covers it for other users"))
    func unreadableAfterDroppingPrivileges() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let dir = "/tmp/eximlog-unreadable-\(getpid())"
            mkdir(dir, 0o755)
            let path = dir + "/mainlog"
            append(logLine(1), to: path)
            chmod(path, 0)
            guard setgid(65534) == 0, setuid(65534) == 0 else { exit(3) }
            guard let store = try? makeStore() else { exit(4) }
            let tailer = LogTailer(path: dir, start: .beginning, options: .init(useInotify: false))
            guard let mark = try? store.mark(), let batch = try? tailer.readNewLines(into: store) else { exit(5) }
            let ok = batch.problem == .permissionDenied(path: path) && batch.isEmpty
                && (batch.problem?.description.contains(path) ?? false)
            try? store.reset(to: mark)
            exit(ok ? 0 : 1)
        }
        // The child could not remove what it made once it was `nobody`.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        where name.hasPrefix("eximlog-unreadable-") {
            try? FileManager.default.removeItem(atPath: "/tmp/" + name)
        }
    }
}
