import Foundation
import Testing

/// Issue 9 point 1: `Store` is usable as a library. A small package depends on this one
/// by version (`from: "1.0.0"`, a tagged git copy of the working tree) and builds and
/// runs against `Store`; SwiftPM refuses such a dependency if the product's targets carry
/// unsafe build flags, so this fails if they come back. Takes about a minute (it builds
/// `Store` from scratch in a temporary directory).
@Suite struct DependencyTests {
    @Test func anotherPackageDependsOnStoreByVersion() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = here.deletingLastPathComponent().deletingLastPathComponent()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [here.appendingPathComponent("depend-by-version.sh").path, root.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text.suffix(2000))")
        #expect(!text.contains("unsafe build flags"))
        #expect(text.split(separator: "\n").last == "ok")
    }
}
