// The call sites' function names, decoded once per distinct name.

/// Call-site function names already made into `String`s: a trace names a few hundred
/// functions over millions of memory lines, and decoding (validating) the same bytes into
/// a new `String` on every record was the parser's largest single cost. A direct-mapped
/// table keyed by the name's bytes (FNV-1a); a miss decodes and replaces the slot, so the
/// result is always exactly `String(decoding: bytes, as: UTF8.self)`.
///
/// Owned by one `TraceParser`; the parser replaces it by a fresh one before use whenever it
/// is shared with a copy (`isKnownUniquelyReferenced`), so parsers stay values.
final class FunctionNames {
    /// Slots (a power of two).
    private static let slots = 512
    /// Longest name kept (Exim cuts names to 14 or 20 characters; longer ones are decoded each time).
    private static let longest = 32
    private var keys = [UInt8](repeating: 0, count: FunctionNames.slots * FunctionNames.longest)
    private var lengths = [Int](repeating: -1, count: FunctionNames.slots)
    private var names = [String](repeating: "", count: FunctionNames.slots)

    /// The name whose bytes are `p[0..<count]`.
    func name(_ p: UnsafePointer<UInt8>, count: Int) -> String {
        guard count <= Self.longest else { return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self) }
        var h: UInt32 = 2_166_136_261
        for i in 0..<count { h = (h ^ UInt32(p[i])) &* 16_777_619 }
        let slot = Int(h ^ (h >> 16)) & (Self.slots - 1)
        let same: Bool = lengths[slot] == count && keys.withUnsafeBufferPointer { k in
            let base = slot * Self.longest
            for i in 0..<count where k[base + i] != p[i] { return false }
            return true
        }
        if same { return names[slot] }
        let s = String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
        keys.withUnsafeMutableBufferPointer { k in
            let base = slot * Self.longest
            for i in 0..<count { k[base + i] = p[i] }
        }
        lengths[slot] = count
        names[slot] = s
        return s
    }
}
