import FixtureSupport
import Foundation
import Store
import Testing
@testable import EximSpool

/// Spool-test helpers on the shared fixture locator.
extension Fixtures {
    /// `Tests/Fixtures/exim-<version>` (`"4.98"`, `"4.99"`): real data from Exim built from source.
    static func version(_ v: String) -> URL { directory.appendingPathComponent("exim-\(v)") }

    /// Every real `-H` file: (id, path).
    static func headerFiles() throws -> [(MessageID, URL)] {
        var out: [(MessageID, URL)] = []
        for root in [url("spool"), url("spool-split")] {
            let e = FileManager.default.enumerator(at: root.appendingPathComponent("input"), includingPropertiesForKeys: nil)!
            for case let u as URL in e where u.lastPathComponent.hasSuffix("-H") {
                out.append((MessageID(String(u.lastPathComponent.dropLast(2)))!, u))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Copies a fixture spool's `input/` to `<dest>/input` (or `<dest>/<queue>/input`).
    static func copySpool(_ spool: URL, to dest: URL, queue: String? = nil) throws {
        var target = dest
        if let queue { target.appendPathComponent(queue) }
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: spool.appendingPathComponent("input"),
                                         to: target.appendingPathComponent("input"))
    }

}

/// One message as printed by `exim -bp`.
struct BPEntry: Equatable {
    var age: String
    var size: String
    var id: String
    var sender: String
    var frozen: Bool
    var undelivered: [String] = []
    var delivered: [String] = []
}

/// Parses `exim -bp` output.
enum BPListing {
    static func parse(_ text: String) -> [BPEntry] {
        var out: [BPEntry] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let l = String(line)
            if l.hasPrefix("          ") {
                out[out.count - 1].undelivered.append(String(l.dropFirst(10)))
            } else if l.hasPrefix("        D ") {
                out[out.count - 1].delivered.append(String(l.dropFirst(10)))
            } else {
                // Exim prints "%3s %5s %s": the age column is at least 3 wide and grows
                // (`2656d` for a message 2656 days old), the size column at least 5.
                let chars = Array(l)
                var a = 0
                while a < chars.count && chars[a] == " " { a += 1 }
                while a < chars.count && chars[a] != " " { a += 1 }
                let age = String(chars[0..<a])
                var z = a + 1
                while z < chars.count && chars[z] == " " { z += 1 }
                while z < chars.count && chars[z] != " " { z += 1 }
                let size = String(chars[(a + 1)..<z])
                let rest = String(chars[(z + 1)...])
                let id = String(rest.prefix { $0 != " " })
                var tail = rest.dropFirst(id.count + 1)
                let frozen = tail.hasSuffix(" *** frozen ***")
                if frozen { tail = tail.dropLast(" *** frozen ***".count) }
                let sender = String(tail.dropFirst().dropLast())   // strip < >
                out.append(BPEntry(age: age, size: size, id: id, sender: sender, frozen: frozen))
            }
        }
        return out
    }
}

extension TaintedBytes {
    /// Test helper: the bytes as an array (via the deliberate copy-out).
    var testBytes: [UInt8] { withUnsafeBytes { Array($0) } }
    /// Test helper: compare with text.
    func equals(_ s: String) -> Bool { testBytes == Array(s.utf8) }
}

/// Checks a queue summary against its `exim -bp` entry: size, sender, frozen, undelivered
/// and delivered recipients, and a received time that agrees with the id's time part.
/// The age is left to the caller (it depends on when `-bp` ran).
func expectSummary(_ s: QueuedMessageSummary, matches b: BPEntry) {
    #expect(s.sizeText == b.size, "\(b.id)")
    #expect(s.sender == b.sender, "\(b.id)")
    #expect(s.isFrozen == b.frozen, "\(b.id)")
    #expect(s.recipients.count == b.undelivered.count, "\(b.id)")
    for (r, e) in zip(s.recipients, b.undelivered) { #expect(r == e, "\(b.id)") }
    #expect(s.delivered.count == b.delivered.count, "\(b.id)")
    for (r, e) in zip(s.delivered, b.delivered) { #expect(r == e, "\(b.id)") }
    #expect(s.receivedTime == s.id.arrivalTime, "\(b.id)")
}

/// Parses raw bytes as a `-H` file through a store (the normal path: bytes into a tainted pool).
func parseHeader(_ bytes: [UInt8], store: Store, expecting id: MessageID? = nil) throws -> Result<SpoolHeader, SpoolFormatError> {
    let t = try bytes.withUnsafeBytes { try store.copyTainted($0) }
    return SpoolHeader.parse(t, expecting: id)
}
