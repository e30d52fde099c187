#if canImport(Glibc)
import Glibc
#endif
import Testing
@_spi(Replay) @_spi(Testing) import Store

/// Issue 8 point 5: address space reserved to need.
@Suite struct AddressSpaceTests {
    /// A replay keeps one store per live process: 100,000 small stores fit in x86_64's
    /// 47-bit address space and under the kernel's default 65,530 mappings, each usable.
    @Test func aHundredThousandSmallStoresLiveAtOnce() throws {
        let options = Store.Options(slotSizeLog2: 20)
        var stores: [Store] = []
        stores.reserveCapacity(100_000)
        for _ in 0..<100_000 { stores.append(try Store(options: options)) }
        // Each one works: a get in a few of them.
        var tainted: [UnsafeMutableRawPointer] = []
        for i in stride(from: 0, to: stores.count, by: 997) {
            let s = stores[i]
            let m = try s.mark()
            tainted.append(try s.get(64, .tainted))
            #expect(s.isTainted(tainted.last!))
            try s.reset(to: m)
        }
        // taint is where the bytes lie: another store's tainted memory is tainted too
        #expect(stores[0].isTainted(tainted[1]))
        #expect(!stores[0].isTainted(try stores[1].get(8)))
        stores.shuffle()           // freed in any order: the taint arena reuses pieces in O(1)
        stores.removeAll()
        // And the address space came back: another 100,000 fit again.
        for _ in 0..<100_000 { stores.append(try Store(options: options)) }
    }
}
