import Foundation
import Store
import Testing
@testable import StoremonCore

@Suite("Formatting helpers")
struct FormattingTests {
    func stats(_ blocks: [(Int, Int)], current: Int?) -> PoolStatistics {
        PoolStatistics(bytes: blocks.reduce(0) { $0 + $1.0 + 16 }, blocks: blocks.count, maxBytes: 0, maxBlocks: 0,
                       order: 13, maxOrder: 13, chain: blocks.map { BlockStatistics(length: $0.0, used: $0.1) },
                       currentBlock: current)
    }

    @Test("pool figures use Exim's size form, zero as a digit")
    func poolFigures() {
        let model = PoolPaneModel(kind: .main, isTainted: false, statistics: stats([(4064, 1741), (8160, 0)], current: 0))
        #expect(model.usedText == "1.7K")
        #expect(model.heldText == "12K")
        #expect(model.figures == "1.7K used / 12K held  2 blk  order 13")
        #expect(model.compactFigures == "1.7K/12K")
        #expect(PoolPaneModel(kind: .perm, isTainted: true, statistics: stats([], current: nil)).usedText == "0")
        #expect(model.label == "main" && model.taintLabel(short: false) == "clean")
        let tainted = PoolPaneModel(kind: .message, isTainted: true, statistics: stats([], current: nil))
        #expect(tainted.label == "tainted message" && tainted.taintLabel(short: true) == "TAINT")
    }

    @Test("queue ages as exim -bp prints them")
    func ages() {
        func age(_ s: Int) -> String {
            QueueEntry(id: "x", ageSeconds: s, size: 0, sizeText: "", sender: TaintedString(tainting: ""),
                       recipients: [], delivered: [], frozen: false).ageText
        }
        #expect(age(0) == " 0m")
        #expect(age(90 * 60) == "90m")
        #expect(age(91 * 60) == " 2h")
        #expect(age(72 * 3600) == "72h")
        #expect(age(73 * 3600) == " 3d")
        #expect(age(-5) == " 0m")
    }

    @Test("chain bar: exact width, blocks proportional, current block marked, overflow summed")
    func chainBar() {
        let s = stats([(4064, 4064), (8160, 2000)], current: 1)
        let text = ChainRow(s, width: 30).text(width: 30)
        #expect(text.count == 30)
        #expect(text.hasPrefix("|###"))
        #expect(text.contains("|="))
        #expect(text.filter { $0 == "|" }.count == 2)
        let row = ChainRow(s, width: 30)
        #expect(row.cells.count == 30 && row.blockOfCell.count == 30)
        #expect(row.blockOfCell.filter { $0 == 1 }.count > row.blockOfCell.filter { $0 == 0 }.count)
        #expect(zip(row.cells, row.blockOfCell).allSatisfy { !$0.0.isCurrent || $0.1 == 1 })
        let many = stats(Array(repeating: (4064, 100), count: 50), current: 49)
        let bar = ChainRow(many, width: 20).text(width: 20)
        #expect(bar.count == 20)
        #expect(bar.hasPrefix("+"))
        #expect(ChainRow(stats([], current: nil), width: 10).text(width: 10) == "(empty)   ")
        // never wider than asked, whatever the chain
        for blocks in [1, 3, 17, 200, 12345] {
            for width in [1, 2, 3, 5, 9, 20, 59] {
                let r = ChainRow(stats(Array(repeating: (8192, 100), count: blocks), current: blocks - 1), width: width)
                #expect(r.prefix.count + r.cells.count <= width, "\(blocks) blocks in \(width)")
                #expect(r.hiddenBlocks + Set(r.blockOfCell).count == blocks || r.cells.isEmpty)
            }
        }
        // cells proportional to block length, exactly the room given
        let w = ChainRow.cellWidths([1000, 3000], available: 40)
        #expect(w.reduce(0, +) == 40 && w[1] > 2 * w[0])
        #expect(ChainRow.cellWidths([], available: 10).isEmpty)
        #expect(ChainRow.cellWidths(Array(repeating: 10, count: 50), available: 20) == Array(repeating: 1, count: 50))
    }

    @Test("sparkline: width, right-aligned, zero is blank, max is the top level")
    func sparkline() {
        let line = Sparkline.render([0, 5, 10], width: 5)
        #expect(line == "   ▄█" || line == "  " + " ▄█")
        #expect(Array(line).count == 5)
        #expect(Sparkline.render([1, 2, 3, 4, 5, 6, 7, 8], width: 8, ascii: true) == "_.-~=+*#")
        #expect(Sparkline.render([], width: 3) == "   ")
        #expect(Sparkline.levels([0, 5, 10], width: 4) == [nil, nil, 3, 7])
        #expect(Sparkline.levels([1, 2], width: 2, levels: 16) == [7, 15])
    }

    @Test("ISO time without a formatter")
    func isoTime() {
        #expect(SnapshotJSON.isoTime(0) == "1970-01-01T00:00:00Z")
        #expect(SnapshotJSON.isoTime(1_795_713_639) == "2026-11-26T17:20:39Z")
        #expect(SnapshotJSON.isoTime(951_782_400) == "2000-02-29T00:00:00Z")
    }
}
