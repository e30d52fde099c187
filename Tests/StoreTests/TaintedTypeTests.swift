import Foundation
import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 14: taint in the type system.
@Suite struct TaintedTypeTests {
    struct Upper: TaintQuoter {
        func quote(_ raw: UnsafeRawBufferPointer) -> String { String(decoding: raw, as: UTF8.self).uppercased() }
    }

    @Test func taintedBytesAreReadableButOnlyLeaveThroughAQuoterOrACheck() throws {
        let s = try Store()
        let text = Array("From: evil\u{1B}[2J".utf8)
        let v = try text.withUnsafeBytes { try s.copyTainted($0) }
        #expect(v.count == text.count && !v.isEmpty)
        #expect(v[0] == UInt8(ascii: "F"))
        #expect(v.hasPrefix("From:") && v[0..<4].elementsEqual("From") && v.hasSuffix("[2J"))
        #expect(v.firstIndex(of: UInt8(ascii: ":")) == 4 && v.firstIndex(of: 0x7F) == nil)
        #expect(v[6..<10].copiedOut() == "evil")
        #expect(v[100..<200].isEmpty)
        #expect(v.quoted(by: Upper()) == "FROM: EVIL\u{1B}[2J")
        #expect(s.isTainted(v.withUnsafeBytes { $0.baseAddress! }))
        let owned = v.copiedOut()
        #expect(owned.byteCount == text.count)
        #expect(owned.untainted(afterChecking: { !$0.contains("\u{1B}") }) == nil)
        #expect(TaintedString(tainting: "ok").untainted(afterChecking: { _ in true }) == "ok")
        // Interpolation shows no content.
        #expect("\(owned)" == "TaintedString(\(text.count) bytes)" && "\(v)" == "TaintedBytes(\(text.count) bytes)")
        #expect(TaintedString(tainting: "").withTaintedBytes { $0.decimalValue() } == nil)
        let digits = try Array("1234".utf8).withUnsafeBytes { try s.copyTainted($0) }
        #expect(digits.decimalValue() == 1234)
    }

    @Test func taintedBufferIsFilledThenViewed() throws {
        let s = try Store()
        let buf = try s.getTaintedBuffer(64)
        #expect(s.isTainted(buf.baseAddress))
        let n = buf.withUnsafeMutableBytes { raw -> Int in
            let msg = Array("hello world".utf8)
            raw.copyBytes(from: msg)
            return msg.count
        }
        let v = buf.prefix(n)
        #expect(v.copiedOut() == "hello world")
        #expect(s.taintedView(buf.baseAddress, count: 5).map { $0.copiedOut() == "hello" } == true)
        #expect(s.taintedView(try s.get(8), count: 5) == nil)
        let codec = try JSONDecoder().decode(TaintedString.self, from: JSONEncoder().encode(TaintedString(tainting: "x")))
        #expect(codec == "x")
    }

    /// The compiler refuses tainted text where clean text is needed.
    @Test func theCompilerRefusesTaintedStringWhereAStringIsNeeded() throws {
        let bad = """
        func show(_ s: String) {}
        func f(_ t: TaintedString) { show(t) }
        """
        let r = try typecheck(bad)
        #expect(r.status != 0)
        #expect(r.output.contains("cannot convert value of type 'TaintedString' to expected argument type 'String'"))
        let bytes = """
        func show(_ s: String) {}
        func f(_ t: TaintedBytes) { show(t) }
        """
        let r2 = try typecheck(bytes)
        #expect(r2.status != 0 && r2.output.contains("'TaintedBytes'"))
        // The named ways out compile.
        let good = """
        struct Q: TaintQuoter { func quote(_ raw: UnsafeRawBufferPointer) -> String { "q" } }
        func show(_ s: String) {}
        func f(_ t: TaintedString) { show(t.quoted(by: Q())); if let s = t.untainted(afterChecking: { _ in true }) { show(s) } }
        """
        let r3 = try typecheck(good)
        #expect(r3.status == 0, "\(r3.output)")
    }

    /// Runs `swiftc -typecheck` on `snippet` compiled together with the Store sources.
    func typecheck(_ snippet: String) throws -> (status: Int32, output: String) {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Store")
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path)
            .filter { $0.hasSuffix(".swift") }.map { sources.appendingPathComponent($0).path }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("storetc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let snippetFile = dir.appendingPathComponent("Snippet.swift")
        try snippet.write(to: snippetFile, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.swiftc())
        p.arguments = ["-typecheck", "-parse-as-library", "-module-name", "StoreSnippet"] + files + [snippetFile.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// swiftc next to the running toolchain: /opt/swift, else the first on PATH.
    static func swiftc() -> String {
        var candidates = ["/opt/swift/usr/bin/swiftc"]
        for d in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(d)/swiftc") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "swiftc"
    }
}
