/// The timestamp at the start of a main-log line: `YYYY-MM-DD HH:MM:SS`, optionally with
/// `.mmm` (the `millisec` selector) and a ` +HHMM` zone (`log_timezone`).
///
/// Plain numbers, checked digit by digit while parsing, so they are not tainted text.
public struct LogTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year, e.g. 2026.
    public var year: Int
    /// Month, 1...12.
    public var month: Int
    /// Day of the month, 1...31.
    public var day: Int
    /// Hour, 0...23.
    public var hour: Int
    /// Minute, 0...59.
    public var minute: Int
    /// Second, 0...60 (a leap second is accepted).
    public var second: Int
    /// Milliseconds (0...999) when the line had `.mmm`, else nil.
    public var millisecond: Int?
    /// The zone offset east of UTC in minutes when the line had ` +HHMM`/` -HHMM`, else nil.
    public var zoneOffsetMinutes: Int?

    /// Makes a timestamp from its parts.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                millisecond: Int? = nil, zoneOffsetMinutes: Int? = nil) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second
        self.millisecond = millisecond; self.zoneOffsetMinutes = zoneOffsetMinutes
    }

    /// Seconds since the Unix epoch. A line without a zone is read as being at
    /// `defaultOffsetMinutes` east of UTC (Exim logs local time unless `timezone = UTC`).
    public func secondsSinceEpoch(defaultOffsetMinutes: Int = 0) -> Int {
        // Days from civil (proleptic Gregorian), Howard Hinnant's published algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let local = days * 86400 + hour * 3600 + minute * 60 + second
        return local - (zoneOffsetMinutes ?? defaultOffsetMinutes) * 60
    }

    /// `YYYY-MM-DD HH:MM:SS[.mmm][ +HHMM]`, as Exim writes it.
    public var description: String {
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v); return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        var s = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if let ms = millisecond { s += "." + pad(ms, 3) }
        if let z = zoneOffsetMinutes {
            s += (z < 0 ? " -" : " +") + pad(abs(z) / 60, 2) + pad(abs(z) % 60, 2)
        }
        return s
    }

    /// Orders by the instant (zone taken into account; no zone counts as UTC), then milliseconds.
    public static func < (a: LogTimestamp, b: LogTimestamp) -> Bool {
        let sa = a.secondsSinceEpoch(), sb = b.secondsSinceEpoch()
        if sa != sb { return sa < sb }
        return (a.millisecond ?? 0) < (b.millisecond ?? 0)
    }
}
