import Store
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The result of one `QueueReader.scan(into:)`: the queue in `exim -bp` order.
///
/// The messages' `TaintedBytes` views live in the pool the scan read into; they are valid
/// until the caller resets that pool (and must then call `QueueReader.poolWasReset()`).
public struct QueueScan {
    /// Readable messages, in `exim -bp` order (see `MessageID`'s ordering).
    public var messages: [QueuedMessage]
    /// Messages whose `-H` could not be read or parsed, in the same order.
    public var unreadable: [UnreadableMessage]
    /// What this scan did (files listed, statted, read...).
    public var statistics: QueueScanStatistics
    /// Split sub-directories of `input/` that could not be opened: their messages are
    /// missing from `messages`, so a monitor must say so.
    public var unreadableDirectories: [UnreadableDirectory] = []
    /// The messages (and unreadable ones) that came, changed or went since the reader's
    /// previous scan, when it says: empty when nothing did; nil when it does not know (the
    /// first scan, after `QueueReader.poolWasReset()`, or when so many changed that the
    /// result was sorted afresh). A caller that copies messages out can copy only these.
    public var changes: Set<MessageID>? = []

    /// Copies every message out of the pools (see `QueuedMessage.summary(now:)`).
    public func summaries(now: Int) -> [QueuedMessageSummary] {
        messages.map { $0.summary(now: now) }
    }
}

/// Counters for one scan: how much work it did.
public struct QueueScanStatistics: Sendable, Equatable {
    /// Directories listed (input/ and its split sub-directories).
    public var directoriesListed = 0
    /// Directories not listed again because they had not changed (see
    /// `QueueReader.trustsDirectoryTimes`).
    public var directoriesReused = 0
    /// `-H` files found in the listing.
    public var headerFilesListed = 0
    /// `fstatat` calls.
    public var filesStatted = 0
    /// Files opened and read (`-H` and `-J`).
    public var filesRead = 0
    /// Bytes read from those files (all copied into the tainted pool).
    public var bytesRead = 0
    /// Messages kept from the previous scan without reading anything.
    public var messagesReused = 0
    /// Messages that disappeared between listing and reading (skipped quietly).
    public var messagesVanished = 0
    /// Messages present in the previous scan and gone now.
    public var messagesRemoved = 0

    /// All zero.
    public init() {}
}

/// A queued message whose `-H` file could not be read or parsed.
public struct UnreadableMessage: Sendable, Equatable, CustomStringConvertible {
    /// The message id (from the file name).
    public var id: MessageID
    /// The `-H` file's path.
    public var path: String
    /// Why it could not be read.
    public var reason: UnreadableReason

    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}

/// A split spool sub-directory (`input/<c>`) that could not be opened.
public struct UnreadableDirectory: Sendable, Equatable, CustomStringConvertible {
    /// The directory's path.
    public var path: String
    /// The failing call (`open`, `fdopendir`).
    public var operation: String
    /// Its errno.
    public var errno: Int32

    /// `open failed: Permission denied` (with the usual fix for EACCES).
    public var reason: String {
        "\(operation) failed: \(Errno(rawValue: errno).description)"
            + (errno == EACCES ? " (the spool is readable by Exim's group: on Debian, Debian-exim)" : "")
    }

    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}

/// Why a `-H` file is listed as unreadable.
public enum UnreadableReason: Sendable, Equatable, CustomStringConvertible {
    /// The file's contents are not a valid `-H` file (half-written, corrupt, garbage).
    case format(SpoolFormatError)
    /// A system call failed (`operation` is e.g. `open`, `read`, `stat`).
    case system(operation: String, errno: Int32)
    /// The name is a `-H` name but not a regular file (a FIFO, device, socket...).
    case notARegularFile
    /// The file is larger than `QueueReader.Limits.perFileBytes`: not read.
    case tooLarge(size: Int, cap: Int)
    /// Not read: the reader already holds `QueueReader.Limits.totalBytes` of spool data.
    case overMemoryCap(cap: Int)

    /// A short English reason.
    public var description: String {
        switch self {
        case .format(let e): return e.description
        case .system(let op, let e): return "\(op) failed: \(Errno(rawValue: e).description)"
        case .notARegularFile: return "not a regular file (a FIFO, device or socket is never read)"
        case .tooLarge(let size, let cap): return "too large (\(size) bytes; storemon reads -H files up to \(cap))"
        case .overMemoryCap(let cap):
            return "not read: the spool data held reached its cap (\(cap >> 20) MiB); shown when others leave the queue"
        }
    }
}

/// Why a whole scan failed (the queue directory itself could not be read).
public enum QueueScanError: Error, Equatable, CustomStringConvertible {
    /// The directory could not be opened or listed.
    case directory(path: String, operation: String, errno: Int32)
    /// The queue name is not a plain directory name.
    case badQueueName(String)
    /// The store refused memory for the file bytes.
    case store(StoreError)

    /// A short English reason, with the usual fix for permission errors.
    public var description: String {
        switch self {
        case .directory(let path, let op, let e):
            var s = "\(path): \(op) failed: \(Errno(rawValue: e).description)"
            if Errno(rawValue: e) == .permissionDenied {
                s += " (the spool is mode 0750, owned by the Exim user: run as root, as the Exim user, or as a member of its group, e.g. Debian-exim)"
            }
            return s
        case .badQueueName(let n): return "bad queue name \"\(n)\" (a plain directory name is needed)"
        case .store(let e): return "store: \(e)"
        }
    }
}
