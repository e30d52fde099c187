import EximFormats
import Foundation

/// Message ids as Exim makes them (arrival time, process id, fraction of a second, in
/// base 62), in both formats.
extension DemoGenerator {
    /// A new message id: mostly Exim 4.96's 16-character form, every fifth one 4.97's 23-character form.
    func newID() -> String {
        let now = clock().timeIntervalSince1970
        pidCounter += 1
        fractionCounter += 1
        let t = Int(now)
        if fractionCounter % 5 == 0 {
            let usec = Int((now - Double(t)) * 1_000_000) % (62 * 62 * 62 * 62)
            return Base62.string(t, count: 6) + "-" + Base62.string(pidCounter, count: 11) + "-" + Base62.string((usec + fractionCounter) % 14_776_336, count: 4)
        }
        let frac = (Int((now - Double(t)) * 1000) / 2 + fractionCounter) % (62 * 62)
        return Base62.string(t, count: 6) + "-" + Base62.string(pidCounter, count: 6) + "-" + Base62.string(frac, count: 2)
    }
}
