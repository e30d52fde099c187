import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue point 15: use-after-reset caught with Exim's 0xF0 poison.
@Suite struct PoisonTests {
    /// True if `n` bytes at `p` all hold the poison pattern: a stale read.
    func looksPoisoned(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        (0..<n).allSatisfy { p.load(fromByteOffset: $0, as: UInt8.self) == 0xF0 }
    }

    @Test func aStaleReadAfterResetIsDetected() throws {
        let s = try Store(options: .init(poisonOnRelease: true))
        let m = try s.mark()
        let p = try s.get(64)
        let t = try s.get(64, .tainted)
        let far = try s.get(9000)                  // in a later block that the reset frees
        for q in [p, t, far] { q.initializeMemory(as: UInt8.self, repeating: 0x41, count: 64) }
        try s.reset(to: m)
        #expect(looksPoisoned(p, 64) && looksPoisoned(t, 64))
        #expect(looksPoisoned(m.cookie, 8))
        _ = far  // its block went back to the slot (poisoned before)
    }

    @Test func withoutPoisonTheStaleDataIsStillThere() throws {
        let s = try Store()
        let m = try s.mark()
        let p = try s.get(64)
        p.initializeMemory(as: UInt8.self, repeating: 0x41, count: 64)
        try s.reset(to: m)
        #expect(!looksPoisoned(p, 64))             // the detector is not trivially true
    }

    @Test func releaseAboveAndNewBlockPoisonToo() throws {
        let s = try Store(options: .init(poisonOnRelease: true))
        let p = try s.get(100)
        p.initializeMemory(as: UInt8.self, repeating: 1, count: 100)
        s.releaseAbove(p + 40)
        #expect(!looksPoisoned(p, 40) && looksPoisoned(p + 40, 60))
        let old = try s.get(5000)                  // first in block 2
        old.initializeMemory(as: UInt8.self, repeating: 2, count: 5000)
        let moved = try s.newBlock(old, size: 9000, copying: 5000)
        #expect(moved.load(fromByteOffset: 4999, as: UInt8.self) == 2)
        #expect(looksPoisoned(old, 5000))          // the released block (still mapped: kept for reuse)
    }

    @Test func trackedMallocsStartPoisoned() throws {
        let s = try Store(options: .init(poisonOnRelease: true))
        let p = try s.malloc(32)
        #expect(looksPoisoned(p, 32))
        s.free(p)
    }
}
