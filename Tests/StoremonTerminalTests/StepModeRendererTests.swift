import Foundation
import Store
import StoremonCore
import Testing
@testable import storemon

/// Step mode, narration and the mark in the pure renderer (no terminal).
@Suite struct StepModeRendererTests {
    /// The sample with main and tainted main marked, and a reset report as the step.
    func stepped(explain: Bool) -> (Snapshot, ViewState) {
        var snap = SampleSnapshot.make()
        snap.pools[0].mark = MarkPosition(block: 0, offset: 8)
        snap.pools[5].mark = MarkPosition(block: 0, offset: 100)
        let reset = PhaseReport(phase: .reset, refresh: 7, changes: [], blocksKept: 1, bytesAboveMark: 0)
        snap.step = reset
        var state = ViewState()
        state.explain = explain
        return (snap, state)
    }

    @Test func statusLineNamesThePhaseAndCaptionsNarrateIt() {
        let (snap, state) = stepped(explain: true)
        let grid = SampleSnapshot.render(width: 140, height: 45, state: state, snapshot: snap)
        let rows = grid.rows
        #expect(rows.last?.hasPrefix(" reset: ") == true, "\(rows.last ?? "")")
        // paused: the title says what the next . runs (after the reset: a new refresh's mark)
        let paused = SampleSnapshot.render(width: 140, height: 45, state: state, run: RunState(interval: 2, paused: true), snapshot: snap)
        #expect(paused.rows[0].contains(". runs mark"), "\(paused.rows[0])")
        // the caption, wrapped over two rows at 140 columns, above the status line
        let caption = rows[rows.count - 3].trimmingCharacters(in: .whitespaces) + " " + rows[rows.count - 2].trimmingCharacters(in: .whitespaces)
        #expect(caption == "reset: 0 bytes and 0 blocks given back, 1 kept (keep-one rule: the next block is kept for reuse), 0 bytes in use above the mark: main is back at the mark",
                "\(caption)")
        // without --explain: the status line still names the phase, no caption row
        let (plainSnap, plainState) = stepped(explain: false)
        let quiet = SampleSnapshot.render(width: 140, height: 45, state: plainState, snapshot: plainSnap).rows
        #expect(quiet.last?.hasPrefix(" reset: ") == true)
        #expect(!quiet.contains { $0.contains("main is back at the mark") })
    }

    @Test func theMarkIsDrawnInTheMainChains() {
        let (snap, state) = stepped(explain: false)
        let grid = SampleSnapshot.render(width: 120, height: 40, state: state, snapshot: snap)
        let chainRow = grid.rows[2]
        #expect(chainRow.filter { $0 == "┃" }.count == 2, "\(chainRow)")
        #expect(chainRow.contains("▓"), "no shade above tainted main's mark: \(chainRow)")
    }

    @Test func captionRowsComeOutOfTheLogAndQueueNotThePools() {
        let plain = ScreenLayout.compute(width: 120, height: 40)
        let captioned = ScreenLayout.compute(width: 120, height: 40, options: LayoutOptions(captionRows: 3))
        #expect(captioned.caption.height == 3 && captioned.caption.maxY == captioned.status.y)
        #expect(captioned.pools == plain.pools)
        #expect(captioned.queue.maxY <= captioned.caption.y)
        #expect(ScreenLayout.compute(width: 40, height: 12, options: LayoutOptions(captionRows: 3)).caption.height == 0)
        // with the processes pane: captions stay right above the status line, the pane above them
        let both = ScreenLayout.compute(width: 120, height: 40, options: LayoutOptions(processes: true, captionRows: 2))
        #expect(both.caption.maxY == both.status.y && both.processes.maxY == both.caption.y)
    }

    @Test func dotSteps() {
        #expect(KeyMap.action(for: Int32(UInt8(ascii: ".")), helpShown: false, searchOpen: false) == .stepPhase)
    }
}
