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

    @Test("sizes as exim -bp prints them")
    func sizes() {
        #expect(SizeText.format(466) == "  466")
        #expect(SizeText.format(1741) == " 1.7K")
        #expect(SizeText.format(150_000) == " 146K")
        #expect(SizeText.format(30 * 1024) == "  30K")
        #expect(SizeText.format(3_500_000) == " 3.3M")
        #expect(SizeText.format(15 * 1024 * 1024) == "  15M")
        #expect(SizeText.format(0) == "    0")
        #expect(SizeText.format(0, blankZero: true) == "     ")
    }

    @Test("ages as exim -bp prints them")
    func ages() {
        #expect(QueueEntry.ageText(seconds: 0) == " 0m")
        #expect(QueueEntry.ageText(seconds: 90 * 60) == "90m")
        #expect(QueueEntry.ageText(seconds: 91 * 60) == " 2h")
        #expect(QueueEntry.ageText(seconds: 72 * 3600) == "72h")
        #expect(QueueEntry.ageText(seconds: 73 * 3600) == " 3d")
        #expect(QueueEntry.ageText(seconds: -5) == " 0m")
    }

    @Test("chain bar: exact width, blocks proportional, current block marked, overflow summed")
    func chainBar() {
        let s = stats([(4064, 4064), (8160, 2000)], current: 1)
        let text = ChainBar.text(s, width: 30)
        #expect(text.count == 30)
        #expect(text.hasPrefix("|###"))
        #expect(text.contains("|="))
        #expect(text.filter { $0 == "|" }.count == 2)
        let cells = ChainBar.cells(s, width: 30)
        #expect(cells.count == 30)
        #expect(cells.filter { $0.block == 1 }.count > cells.filter { $0.block == 0 }.count)
        #expect(cells.filter(\.isCurrent).allSatisfy { $0.block == 1 })
        let many = stats(Array(repeating: (4064, 100), count: 50), current: 49)
        let bar = ChainBar.text(many, width: 20)
        #expect(bar.count == 20)
        #expect(bar.hasPrefix("+"))
        #expect(ChainBar.text(stats([], current: nil), width: 10) == "(empty)   ")
    }

    @Test("sparkline: width, right-aligned, zero is blank, max is the top level")
    func sparkline() {
        let line = Sparkline.render([0, 5, 10], width: 5)
        #expect(line == "   ▄█" || line == "  " + " ▄█")
        #expect(Array(line).count == 5)
        #expect(Sparkline.render([1, 2, 3, 4, 5, 6, 7, 8], width: 8, ascii: true) == "_.-~=+*#")
        #expect(Sparkline.render([], width: 3) == "   ")
    }

    @Test("ISO time without a formatter")
    func isoTime() {
        #expect(SnapshotJSON.isoTime(0) == "1970-01-01T00:00:00Z")
        #expect(SnapshotJSON.isoTime(1_795_713_639) == "2026-11-26T17:20:39Z")
        #expect(SnapshotJSON.isoTime(951_782_400) == "2000-02-29T00:00:00Z")
    }
}
