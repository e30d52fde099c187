#if canImport(Glibc)
import Glibc
#endif

/// The clocks the benchmarks read, through `clock_gettime`. On a machine shared with other
/// work, CPU time (of the thread or the process) is the fairer figure; the monotonic wall
/// clock is a vDSO read (~25 ns), cheap enough to time one short call.
public enum BenchClock: Sendable {
    /// Wall time, monotonic.
    case monotonic
    /// CPU time of this process (user + system, all threads).
    case processCPU
    /// CPU time of the calling thread.
    case threadCPU

    /// The clock's reading in nanoseconds.
    @inlinable @inline(__always)
    public func nanoseconds() -> Int {
        var t = timespec()
        switch self {
        case .monotonic: clock_gettime(CLOCK_MONOTONIC, &t)
        case .processCPU: clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        case .threadCPU: clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        }
        return t.tv_sec * 1_000_000_000 + t.tv_nsec
    }

    /// The clock's reading in seconds.
    @inlinable @inline(__always)
    public func seconds() -> Double { Double(nanoseconds()) / 1e9 }

    /// Runs `body` and returns its result with the seconds it took on this clock.
    @inlinable
    public func measure<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
        let t0 = nanoseconds()
        let r = try body()
        return (r, Double(nanoseconds() - t0) / 1e9)
    }
}
