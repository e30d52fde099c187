import FixtureSupport
import Foundation
import Testing
import EximTrace
import StoreReplay

/// Issue 8 point 5 on generated traces (built by `SyntheticTrace` from a real one): forks
/// copy state instead of re-running history, ended and unreachable processes are dropped,
/// and beyond the live-process limit the replay reports and carries on. Memory is asserted
/// with a wide margin; speed is measured by `replaybench --bounded`, not here.
@Suite(.serialized) struct BoundedCostTests {
    static let template: SyntheticTrace = {
        let text = (try? String(contentsOfFile: Fixtures.path("traces/trace1-bt.txt"), encoding: .utf8)) ?? ""
        return SyntheticTrace(template: text)!
    }()

    /// Replays generated lines through a pipe (as `storemon replay -` reads them).
    static func replay(liveLimit: Int = TraceReplay.defaultLiveLimit, _ generate: @escaping @Sendable ((String) -> Void) -> Void) -> (CheckReport, TraceReplay) {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        let writeEnd = fds[1]
        let writer = Thread {
            var buf: [UInt8] = []
            func flush() {
                var off = 0
                while off < buf.count {
                    let n = buf.withUnsafeBytes { write(writeEnd, $0.baseAddress! + off, buf.count - off) }
                    if n <= 0 { break }
                    off += n
                }
                buf.removeAll(keepingCapacity: true)
            }
            generate { line in
                buf.append(contentsOf: line.utf8); buf.append(0x0A)
                if buf.count > 1 << 16 { flush() }
            }
            flush()
            close(writeEnd)
        }
        writer.start()
        let reader = TraceReader(fileDescriptor: fds[0])
        let replay = TraceReplay(keepLimit: 100, liveLimit: liveLimit, keepsCurrentRecord: false)
        while let r = reader.next() { replay.apply(r) }
        replay.finish()
        close(fds[0])
        return (CheckReport(replay, reader: reader), replay)
    }

    /// Resident memory now, in MiB (from /proc).
    static func residentMiB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = Double(s.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576.0
    }

    @Test func aDaemonWithManyChildrenThatNeverTerminate() {
        let before = Self.residentMiB()
        let (r, replay) = Self.replay { Self.template.daemon(children: 600, terminating: false, write: $0) }
        #expect(r.lineMismatches == 0 && r.processCount == 601)
        #expect(replay.liveProcessCount == 601)
        // Each live child holds only its own state (no history): far under 400 MB.
        #expect(Self.residentMiB() - before < 150, "grew \(Self.residentMiB() - before) MiB")
    }

    @Test func terminatedChildrenAreDroppedAndTheirExitBlocksCompared() {
        let (r, replay) = Self.replay { Self.template.daemon(children: 300, terminating: true, write: $0) }
        #expect(r.lineMismatches == 0 && r.exitBlocks == 300 && r.matched == r.compared)
        #expect(replay.liveProcessCount == 1)   // only the daemon is left
    }

    @Test func aDeepForkChainCopiesStateNotHistory() {
        let before = Self.residentMiB()
        let (r, _) = Self.replay { Self.template.forkChain(depth: 600, terminating: true, write: $0) }
        #expect(r.lineMismatches == 0 && r.exitBlocks == 601 && r.matched == r.compared)
        #expect(Self.residentMiB() - before < 150)
    }

    @Test func manyExecdProcessesFromAPipeStayBounded() {
        let before = Self.residentMiB()
        let (r, replay) = Self.replay { Self.template.sequential(processes: 250, write: $0) }
        #expect(r.lineMismatches == 0 && r.exitBlocks == 250 && r.matched == r.compared)
        #expect(replay.liveProcessCount == 0)
        #expect(r.processes.count <= 250)
        #expect(Self.residentMiB() - before < 100)
    }

    @Test func beyondTheLiveLimitTheReplayReportsAndCarriesOn() {
        let (r, replay) = Self.replay(liveLimit: 100) { Self.template.daemon(children: 400, terminating: false, write: $0) }
        #expect(r.lineMismatches == 0)
        #expect(r.droppedAtLimit > 0 && replay.liveProcessCount <= 100)
        #expect(r.problems.contains { $0.message.contains("more than 100 live processes") })
        #expect(r.summary.contains("dropped at the live-process limit"))
    }

    @Test func reusedPidsEndTheProcessThatCanNoLongerRun() {
        // A child's pid reused by a later child: the first can no longer run and is dropped.
        var lines: [String] = []
        Self.template.daemon(children: 2, terminating: false) { lines.append($0) }
        let second = lines.map { $0.replacingOccurrences(of: " 1002 ", with: " 1001 ").replacingOccurrences(of: ": 1002", with: ": 1001") }
            .map { $0.hasPrefix(" 1002") ? " 1001" + $0.dropFirst(5) : $0 }
        let r = TraceText.check(second)
        #expect(r.lineMismatches == 0)
        #expect(r.processCount == 3)
    }
}
