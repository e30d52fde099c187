// storebench: speed of the Store allocator against Exim's C figures (Exim's store.c
// measured on this machine: the "target" column of README.md's Speed table). One line per case: `<case> <ns> ns/op`,
// the median of RUNS runs in this process. Every loop touches the memory it gets and
// folds the addresses into a checksum that is printed at the end, so nothing can be
// optimised away.
//
//   swift run -c release --scratch-path .build-store storebench [runs]

#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import Store

nonisolated(unsafe) var checksum = 0

/// This thread's CPU time in nanoseconds. Two cores are shared by several people, so
/// wall-clock time would count the time other processes ran; CPU time does not.
@inline(__always) func now() -> Int { BenchClock.threadCPU.nanoseconds() }

/// Monotonic wall clock in nanoseconds (vDSO, ~25 ns a read): for timing one short call,
/// where a CPU-time read (a real system call) would cost more than the call itself.
@inline(__always) func wallNow() -> Int { BenchClock.monotonic.nanoseconds() }

/// Median of a list of figures.
func median(_ xs: [Double]) -> Double { Figures(xs).median }

let runs = max(5, Int(CommandLine.arguments.dropFirst().first ?? "") ?? 7)
/// Optional second argument: run only the cases whose name starts with it (for profiling).
let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : ""
func wanted(_ name: String) -> Bool { only.isEmpty || name.hasPrefix(only) }
let getsPerCycle = 10_000

/// `cycles` × (mark, 10,000 gets of `size` bytes, reset); ns per get, mark and reset included.
/// Each get's first word is read into the checksum (the memory is touched; a read, so the
/// figure is the allocator's and not the cost of write-allocating 2.5 MB per cycle).
@inline(__always)
func benchGets(_ s: Store, size: Int, taint: Taint, cycles: Int) throws -> Double {
    var sum = 0
    let t0 = now()
    for _ in 0..<cycles {
        let m = try s.mark()
        for _ in 0..<getsPerCycle {
            let p = try s.get(size, taint)
            sum &+= p.load(as: Int.self) &+ Int(bitPattern: p)
        }
        try s.reset(to: m)
    }
    let t1 = now()
    checksum &+= sum
    return Double(t1 - t0) / Double(cycles * getsPerCycle)
}

/// `benchGets` with the taint class a compile-time constant, as at a real call site.
@inline(never) func benchGetsUntainted(_ s: Store, size: Int, cycles: Int) throws -> Double {
    try benchGets(s, size: size, taint: .untainted, cycles: cycles)
}
@inline(never) func benchGetsTainted(_ s: Store, size: Int, cycles: Int) throws -> Double {
    try benchGets(s, size: size, taint: .tainted, cycles: cycles)
}

/// Reference: the same loop with a bare inlined pointer bump (no Store), the physical limit.
@inline(never)
func benchBump(size: Int, cycles: Int) -> Double {
    let mem = UnsafeMutableRawPointer.allocate(byteCount: getsPerCycle * 256 + 4096, alignment: 4096)
    defer { mem.deallocate() }
    var sum = 0
    let t0 = now()
    for _ in 0..<cycles {
        var cursor = mem
        for _ in 0..<getsPerCycle {
            let p = cursor
            cursor += (size &+ 7) & ~7
            sum &+= p.load(as: Int.self) &+ Int(bitPattern: p)
        }
    }
    let t1 = now()
    checksum &+= sum
    return Double(t1 - t0) / Double(cycles * getsPerCycle)
}

/// `isTainted` on untainted addresses (Exim's worst case: a full walk of the tainted
/// pools) with `blocks` 4 KiB blocks in the tainted main pool (restricted memory).
@inline(never)
func benchIsTainted(blocks: Int, iterations: Int) throws -> [Double] {
    let s = try Store(options: .init(restrictedMemory: true))
    for _ in 0..<blocks { _ = try s.get(4064, .tainted) }
    precondition(s.statistics().pools[5].blocks == blocks)
    // Untainted probes: addresses in an untainted block (and a few from the heap).
    let u = try s.get(4000)
    let probes: [UnsafeRawPointer] = (0..<64).map { UnsafeRawPointer(u + $0 * 56) }
    precondition(probes.allSatisfy { !s.isTaintedByWalk($0) })
    var out: [Double] = []
    for _ in 0..<runs {
        var hits = 0
        let t0 = now()
        probes.withUnsafeBufferPointer { pb in
            for i in 0..<iterations {
                if s.isTainted(pb[i & 63]) { hits &+= 1 }
                hits &+= i & 1
            }
        }
        let t1 = now()
        checksum &+= hits
        out.append(Double(t1 - t0) / Double(iterations))
    }
    return out
}

/// In-place extends by 8 bytes, 500 per block-sized object, with a mark/reset per round.
@inline(never)
func benchExtend(_ s: Store, rounds: Int) throws -> Double {
    var sum = 0, ops = 0
    let t0 = now()
    for _ in 0..<rounds {
        let m = try s.mark()
        let p = try s.get(8)
        var size = 8
        for _ in 0..<500 {
            if try s.extend(p, from: size, to: size + 8) { size += 8; ops += 1 }
            p.storeBytes(of: size, toByteOffset: size - 8, as: Int.self)
        }
        sum &+= size
        try s.reset(to: m)
    }
    let t1 = now()
    checksum &+= sum
    return Double(t1 - t0) / Double(ops)
}

/// Release-above calls at moving points of a 4000-byte allocation.
@inline(never)
func benchReleaseAbove(_ s: Store, rounds: Int) throws -> Double {
    var sum = 0
    let m = try s.mark()
    let p = try s.get(4000)
    let t0 = now()
    for r in 0..<rounds {
        for k in 0..<1000 {
            let q = p + ((k &+ r) & 511) * 7
            if s.releaseAbove(q) { sum &+= 1 }
            q.storeBytes(of: UInt8(truncatingIfNeeded: k), as: UInt8.self)
        }
    }
    let t1 = now()
    try s.reset(to: m)
    checksum &+= sum
    return Double(t1 - t0) / Double(rounds * 1000)
}

/// An empty mark followed by a reset.
@inline(never)
func benchMarkReset(_ s: Store, iterations: Int) throws -> Double {
    var sum = 0
    let t0 = now()
    for _ in 0..<iterations {
        let m = try s.mark()
        sum &+= Int(bitPattern: m.cookie)
        try s.reset(to: m)
    }
    let t1 = now()
    checksum &+= sum
    return Double(t1 - t0) / Double(iterations)
}

/// The reset alone after 10,000 gets of 64 bytes, timed with the wall clock (one clock
/// read subtracted); median over the cycles, so a cycle preempted by another process drops out.
@inline(never)
func benchResetAfterGets(_ s: Store, cycles: Int) throws -> Double {
    var clockCost: [Double] = []
    for _ in 0..<1000 { let a = wallNow(); let b = wallNow(); clockCost.append(Double(b - a)) }
    let overhead = median(clockCost)
    var times: [Double] = []
    var sum = 0
    for _ in 0..<cycles {
        let m = try s.mark()
        for i in 0..<getsPerCycle {
            let p = try s.get(64)
            p.storeBytes(of: i, as: Int.self)
            sum &+= Int(bitPattern: p)
        }
        let t0 = wallNow()
        try s.reset(to: m)
        let t1 = wallNow()
        times.append(max(0, Double(t1 - t0) - overhead))
    }
    checksum &+= sum
    return median(times)
}

/// glibc malloc(64) immediately followed by free, the memory touched in between.
@inline(never)
func benchMallocFree(iterations: Int) -> Double {
    var sum = 0
    let t0 = now()
    for i in 0..<iterations {
        let p = malloc(64)!
        p.storeBytes(of: i, as: Int.self)
        sum &+= Int(bitPattern: p) &+ p.load(as: Int.self)
        free(p)
    }
    let t1 = now()
    checksum &+= sum
    return Double(t1 - t0) / Double(iterations)
}

func report(_ name: String, _ xs: [Double]) {
    let m = median(xs)
    let text = m < 10 ? String(format2: m) : String(Int(m.rounded()))
    print("\(name) \(text) ns/op")
}

extension String {
    /// Two decimals without Foundation.
    init(format2 v: Double) {
        let c = Int((v * 100).rounded())
        let frac = c % 100
        self = "\(c / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}

do {
    let store = try Store()
    for (size, taint, name) in [(16, Taint.untainted, "get16-untainted"), (64, .untainted, "get64-untainted"),
                                (256, .untainted, "get256-untainted"), (16, .tainted, "get16-tainted"),
                                (64, .tainted, "get64-tainted"), (256, .tainted, "get256-tainted")] {
        guard wanted(name) else { continue }
        let tainted = store.isTainted(taint)
        func once(_ cycles: Int) throws -> Double {
            tainted ? try benchGetsTainted(store, size: size, cycles: cycles)
                    : try benchGetsUntainted(store, size: size, cycles: cycles)
        }
        _ = try once(20)   // warm-up
        report(name, try (0..<runs).map { _ in try once(200) })
    }
    for n in [10, 100, 1000, 10_000] where wanted("istainted-\(n)") {
        report("istainted-\(n)", try benchIsTainted(blocks: n, iterations: 20_000_000))
    }
    if wanted("extend") {
    _ = try benchExtend(store, rounds: 1000)
    report("extend", try (0..<runs).map { _ in try benchExtend(store, rounds: 20_000) })
    }
    if wanted("release-above") {
    _ = try benchReleaseAbove(store, rounds: 100)
    report("release-above", try (0..<runs).map { _ in try benchReleaseAbove(store, rounds: 10_000) })
    }
    if wanted("mark-reset-empty") {
    _ = try benchMarkReset(store, iterations: 10_000)
    report("mark-reset-empty", try (0..<runs).map { _ in try benchMarkReset(store, iterations: 2_000_000) })
    }
    if wanted("reset-after-10000") {
    _ = try benchResetAfterGets(store, cycles: 20)
    report("reset-after-10000", try (0..<runs).map { _ in try benchResetAfterGets(store, cycles: 200) })
    }
    if wanted("malloc-free64") {
    _ = benchMallocFree(iterations: 100_000)
    report("malloc-free64", (0..<runs).map { _ in benchMallocFree(iterations: 10_000_000) })
    }
    for size in [16, 64, 256] where wanted("ref-bump\(size)") {
        report("ref-bump\(size)", (0..<runs).map { _ in benchBump(size: size, cycles: 200) })
    }
    print("checksum \(checksum)")
} catch {
    print("storebench: \(error)")
    exit(1)
}
