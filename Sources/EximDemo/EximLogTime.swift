import Foundation

/// The main log's timestamp, as Exim writes it by default.
enum EximLogTime {
    /// `YYYY-MM-DD HH:MM:SS` in local time, as Exim logs.
    static func text(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
