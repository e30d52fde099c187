import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximSpool

/// A split sub-directory that cannot be opened is reported, not silently dropped. Root
/// ignores permissions, so the scan runs in a child process that drops to `nobody`
/// first when the tests run as root.
@Suite("Unreadable split sub-directory")
struct UnreadableDirectoryTests {
    @Test("an unopenable input/<c> is listed with its path and reason; the other messages are read")
    func unopenableSubdirectoryIsReported() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let dir = "/tmp/spool-unreadable-\(getpid())"
            guard mkdir(dir, 0o755) == 0, chmod(dir, 0o755) == 0,
                  (try? Fixtures.copySpool(Fixtures.url("spool-split"), to: URL(fileURLWithPath: dir))) != nil else { exit(2) }
            let locked = dir + "/input/X"                       // holds 1xWd9X-0007U3-31
            chmod(dir + "/input", 0o755)
            for sub in ["W", "X", "Z", "a"] { chmod(dir + "/input/" + sub, 0o755) }
            chmod(locked, 0)
            if geteuid() == 0 { guard setgid(65534) == 0, setuid(65534) == 0 else { exit(3) } }
            guard let store = try? Store() else { exit(4) }
            store.currentPool = .message
            guard let scan = try? QueueReader(spoolDirectory: dir).scan(into: store) else { exit(5) }
            let ids = scan.messages.map { $0.id.description }
            let ok = ids == ["1xWd9W-0007To-2a", "1xWd9Z-0007UO-0B", "1xWd9a-0007UZ-0c"]
                && scan.unreadableDirectories.count == 1
                && scan.unreadableDirectories[0].path == locked
                && scan.unreadableDirectories[0].errno == EACCES
                && scan.unreadableDirectories[0].description.contains("Debian-exim")
            exit(ok ? 0 : 1)
        }
        // The child may have become `nobody`: remove what it made from here.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        where name.hasPrefix("spool-unreadable-") {
            chmod("/tmp/\(name)/input/X", 0o755)
            try? FileManager.default.removeItem(atPath: "/tmp/" + name)
        }
    }
}
