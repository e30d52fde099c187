/// What the user changes while the monitor runs: the refresh interval and the pause.
/// Kept in one place (the session's `run`); the screen reads and changes it there, and
/// each snapshot's status records it as it stood at that refresh.
public struct RunState: Sendable, Equatable {
    /// Seconds between refreshes, clamped to `RunState.intervalRange`.
    public var interval: Double {
        didSet { interval = RunState.clamp(interval) }
    }
    /// Whether refreshing is paused.
    public var paused: Bool

    /// The intervals allowed (the command line checks `--interval` against it too).
    public static let intervalRange: ClosedRange<Double> = 0.1...3600

    /// The interval steps that `+` and `-` move through.
    public static let intervalSteps: [Double] = [0.1, 0.2, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60]

    /// Creates the state for an interval (clamped; a non-finite interval becomes 2 s).
    public init(interval: Double, paused: Bool = false) {
        self.interval = RunState.clamp(interval)
        self.paused = paused
    }

    /// `+` (longer) or `-` (shorter): the next step from the current interval.
    public mutating func step(longer: Bool) {
        interval = RunState.step(interval, longer: longer)
    }

    /// The next longer or shorter step from `current` (itself at either end).
    public static func step(_ current: Double, longer: Bool) -> Double {
        if longer { return intervalSteps.first(where: { $0 > current + 1e-9 }) ?? current }
        return intervalSteps.last(where: { $0 < current - 1e-9 }) ?? current
    }

    static func clamp(_ x: Double) -> Double {
        guard x.isFinite else { return 2 }
        return min(intervalRange.upperBound, max(intervalRange.lowerBound, x))
    }
}
