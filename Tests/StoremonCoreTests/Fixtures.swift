import Foundation

/// Finds `Tests/Fixtures` by walking up from this file (works in a clean clone and in CI).
enum Fixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = url.appendingPathComponent("Fixtures")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("exim-real").path) { return candidate.path }
            url = url.deletingLastPathComponent()
            let tests = url.appendingPathComponent("Tests/Fixtures")
            if FileManager.default.fileExists(atPath: tests.appendingPathComponent("exim-real").path) { return tests.path }
        }
        return "Tests/Fixtures"
    }()

    static var real: String { root + "/exim-real" }
    static var mainlog: String { real + "/log/mainlog" }
    static var spool: String { real + "/spool" }
    static var bp: String { real + "/queue/bp.txt" }

    /// A fresh temporary directory, removed by the caller with `remove`.
    static func temporaryDirectory(_ tag: String = "core") throws -> String {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("storemon-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}
