import Glibc

/// errno text for messages.
enum SystemError {
    /// EACCES.
    static let accessDenied = EACCES

    /// `strerror` text for `e`.
    static func text(_ e: Int32) -> String {
        guard let s = strerror(e) else { return "errno \(e)" }
        return String(cString: s)
    }
}
