import Foundation
import Store
import StoremonCore
import Testing
@testable import storemon

/// The pure parts: layout, chain cells, the rendered grid, key mapping.
@Suite struct LayoutTests {
    @Test func tooSmallBelowFortyByTwelve() {
        #expect(ScreenLayout.compute(width: 39, height: 40).mode == .tooSmall)
        #expect(ScreenLayout.compute(width: 120, height: 11).mode == .tooSmall)
        #expect(ScreenLayout.compute(width: 40, height: 12).mode == .compact)
        #expect(ScreenLayout.compute(width: 120, height: 40).mode == .full)
    }

    @Test(arguments: [(40, 12), (60, 20), (80, 24), (100, 30), (120, 40), (159, 50), (160, 50), (200, 60), (300, 100)])
    func rectanglesFitAndDoNotOverlap(size: (Int, Int)) {
        let (w, h) = size
        let l = ScreenLayout.compute(width: w, height: h)
        let screen = Rect(x: 0, y: 0, width: w, height: h)
        let all = [l.title, l.status, l.log, l.queue] + l.pools
        #expect(l.pools.count == 10)
        for r in all {
            #expect(screen.contains(r), "\(r) outside \(w)x\(h)")
            #expect(!r.isEmpty, "empty pane at \(w)x\(h)")
        }
        for i in 0..<all.count {
            for j in (i + 1)..<all.count {
                #expect(!all[i].intersects(all[j]), "\(all[i]) overlaps \(all[j]) at \(w)x\(h)")
            }
        }
        // twins side by side: pool i and i+5 on the same rows
        for i in 0..<5 { #expect(l.pools[i].y == l.pools[i + 5].y && l.pools[i].x < l.pools[i + 5].x) }
        #expect(l.log.height >= 2 && l.queue.height >= 2)
    }

    @Test func wideTerminalsPutLogAndQueueSideBySide() {
        #expect(ScreenLayout.compute(width: 200, height: 60).sideBySide)
        #expect(!ScreenLayout.compute(width: 120, height: 40).sideBySide)
    }

    @Test func chainStaysInsideItsPane() {
        for blocks in [0, 1, 3, 17, 200] {
            let stats = SampleSnapshot.stats(Array(repeating: 8192, count: blocks))
            for width in [1, 2, 5, 9, 20, 59] {
                var grid = ScreenGrid(width: 80, height: 1)
                grid.fill(Rect(x: 0, y: 0, width: 80, height: 1), "x")
                let pool = PoolPaneModel(kind: .main, isTainted: true, statistics: stats)
                PoolPane.drawChain(pool, y: 0, x: 10, width: width, grid: &grid)
                let row = Array(grid.rows[0])
                #expect(row[0..<10].allSatisfy { $0 == "x" } && row[(10 + width)...].allSatisfy { $0 == "x" },
                        "\(blocks) blocks in \(width) cells spilled")
            }
        }
    }

    @Test func intervalSteps() {
        #expect(RunState.step(2, longer: true) == 3)
        #expect(RunState.step(2, longer: false) == 1)
        #expect(RunState.step(0.1, longer: false) == 0.1)
        #expect(RunState.step(1.7, longer: true) == 2)
        var run = RunState(interval: 0.01)
        #expect(run.interval == 0.1)
        run.step(longer: true)
        #expect(run.interval == 0.2)
        #expect(RunState(interval: .nan).interval == 2)
    }

    @Test func byteFormatLikeExim() {
        #expect("\(bytes: 512)" as ScreenText == "512")
        #expect("\(bytes: 2867)" as ScreenText == "2.8K")
        #expect("\(bytes: 122_880)" as ScreenText == "120K")
        #expect("\(bytes: 3_565_158)" as ScreenText == "3.4M")
    }

    /// One width function: the grid, the quoter and the C library's wcwidth agree,
    /// emoji and CJK included.
    @Test func widthsComeFromWcwidth() {
        for text in ["caf\u{e9}", "\u{4e2d}\u{6587}", "\u{1F600} smile", "e\u{301}", "\u{2764}", "\u{1F44D}\u{1F3FD}"] {
            let quoted = TerminalText(untainted: text)
            let screen = ScreenText(quoted)
            #expect(screen.columns == quoted.columns, "\(text)")
            var grid = ScreenGrid(width: 20, height: 1)
            let end = grid.put(0, 0, screen)
            #expect(end == quoted.columns, "\(text)")
        }
        #expect(DisplayWidth.of("\u{1F600}" as Character) == 2)
        #expect(DisplayWidth.of("\u{4e2d}" as Character) == 2)
        #expect(DisplayWidth.of("e\u{301}" as Character) == 1)
    }
}

@Suite struct RenderedFrameTests {
    @Test func fullFrameShowsAllTenPoolsWithTaintLabels() {
        let rows = SampleSnapshot.render(width: 120, height: 40).rows
        let text = rows.joined(separator: "\n")
        for name in ["main", "perm", "config", "search", "message"] {
            // each pool and its tainted twin on one row
            #expect(rows.contains { $0.hasPrefix(name) && $0.contains("clean") && $0.contains("TAINTED") }, "\(name)")
        }
        #expect(text.components(separatedBy: "TAINTED").count - 1 >= 5)
        #expect(text.contains("1vNBQZ-000Abd-0B"))
        #expect(text.contains("*** frozen ***"))
        #expect(text.contains("10:00:01 1vNBQY-000Abc-0A <= alice@example.org"))
        #expect(text.contains("resets 7"))
    }

    @Test func compactFrameKeepsPoolsOnOneLineEach() {
        let rows = SampleSnapshot.render(width: 60, height: 20).rows
        #expect(rows.count == 20 && rows.allSatisfy { $0.count == 60 })
        #expect(rows[1].hasPrefix("main") && rows[1].contains("TAINT"))
        #expect(rows[5].hasPrefix("message"))
    }

    @Test func tooSmallIsOneLine() {
        let rows = SampleSnapshot.render(width: 30, height: 10).rows
        #expect(rows[0].contains("too small"))
        #expect(rows.dropFirst().allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty })
    }

    @Test func hostileTextIsEscapedInTheGrid() {
        let hostile = "evil\u{1b}[31mRED\r\u{0}\u{202E}x"
        let grid = SampleSnapshot.render(width: 120, height: 40, snapshot: SampleSnapshot.make(hostileLine: hostile))
        let text = grid.rows.joined(separator: "\n")
        #expect(text.contains("evil\\x1b[31mRED\\r\\x00"))
        // the spelt-out escapes are drawn in their own style, the text around them is not
        let rowIndex = grid.rows.firstIndex { $0.contains("evil\\x1b") }
        if let rowIndex, let r = grid.rows[rowIndex].range(of: "\\x1b") {
            let column = grid.rows[rowIndex].distance(from: grid.rows[rowIndex].startIndex, to: r.lowerBound)
            #expect(grid[rowIndex, column].style == .escape)
            #expect(grid[rowIndex, column - 1].style != .escape)
        } else {
            Issue.record("hostile line not found")
        }
        for cell in grid.cells {
            for u in cell.character.unicodeScalars {
                #expect(u.value >= 0x20 && u.value != 0x7F && !(0x80...0x9F).contains(u.value) && u.value != 0x202E)
            }
        }
    }

    @Test func withoutUTF8EverythingIsASCII() {
        let snap = SampleSnapshot.make(hostileLine: "caf\u{e9} \u{4e2d}\u{6587}")
        let grid = ScreenRenderer.render(MonitorViewModel(snap), state: ViewState(), run: RunState(interval: 2),
                                         width: 120, height: 40, unicode: false)
        #expect(grid.cells.allSatisfy { $0.character.isASCII })
        let text = grid.rows.joined(separator: "\n")
        #expect(text.contains("TAINTED") && text.contains(">Log"))
        #expect(text.contains("|#") || text.contains(">#"))
    }

    @Test func helpOverlayAndPrompt() {
        var state = ViewState()
        state.showHelp = true
        #expect(SampleSnapshot.render(width: 120, height: 40, state: state).rows.joined().contains("storemon keys"))
        state.showHelp = false
        state.prompt = "alice"
        #expect(SampleSnapshot.render(width: 120, height: 40, state: state).rows[39].contains("Search log: alice_"))
        state.prompt = nil
        let paused = SampleSnapshot.render(width: 120, height: 40, state: state, run: RunState(interval: 2, paused: true))
        #expect(paused.rows[0].contains("PAUSED") && paused.rows[39].contains("PAUSED"))
    }

    @Test func keysFollowHtop() {
        func a(_ c: Character) -> KeyAction { KeyMap.action(for: Int32(c.asciiValue!), helpShown: false, searchOpen: true) }
        #expect(a("q") == .quit)
        #expect(a("?") == .help && a("h") == .help)
        #expect(a(" ") == .pause && a("p") == .pause)
        #expect(a("+") == .longerInterval && a("-") == .shorterInterval)
        #expect(a("r") == .refreshNow && a("/") == .openSearch)
        #expect(a("n") == .nextMatch && a("N") == .previousMatch)
        #expect(KeyMap.action(for: 27, helpShown: false, searchOpen: true) == .closeSearch)
        #expect(KeyMap.action(for: 9, helpShown: false, searchOpen: false) == .focusNext)
        #expect(KeyMap.action(for: Int32(Character("x").asciiValue!), helpShown: true, searchOpen: false) == .closeOverlay)
        #expect(KeyMap.editPrompt("ab", key: 127) == .editing("a"))
        #expect(KeyMap.editPrompt("ab", key: 10) == .submit("ab"))
        #expect(KeyMap.editPrompt("ab", key: 27) == .cancel)
    }
}
