import Foundation

/// A benchmark's repeated measurements and their summary figures.
public struct Figures: Sendable {
    /// The measurements, sorted.
    public let sorted: [Double]

    /// Figures from measurements in any order (at least one).
    public init(_ values: [Double]) {
        sorted = values.sorted()
    }

    /// The smallest.
    public var min: Double { sorted.first ?? .nan }
    /// The largest.
    public var max: Double { sorted.last ?? .nan }
    /// The median (the mean of the middle two for an even count).
    public var median: Double {
        guard !sorted.isEmpty else { return .nan }
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// `median 1.2 ms, min 1.0 ms, max 3.4 ms` for measurements in seconds.
    public var milliseconds: String {
        "median \(BenchText.fixed(median * 1000, 1)) ms, min \(BenchText.fixed(min * 1000, 1)) ms, max \(BenchText.fixed(max * 1000, 1)) ms"
    }
}

/// Numbers and files for benchmark reports.
public enum BenchText {
    /// `x` with `digits` decimals.
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        String(format: "%.\(Swift.max(0, digits))f", x)
    }
}

/// The process's resident set size in KiB (from `/proc/self/statm`), 0 if unknown.
public func residentKiB() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

/// Reads a whole file into memory (benchmark set-up only); nil if it cannot be read.
public func readWholeFile(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
}
