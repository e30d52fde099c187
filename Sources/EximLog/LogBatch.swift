import Store
#if canImport(Glibc)
import Glibc
#endif

/// The complete lines one `LogTailer.readNewLines(into:)` call read, as a sequence of
/// parsed `LogLine`s (parsed lazily while iterating, no per-line allocation).
///
/// The bytes live in the tainted pool the caller marked: iterate, build the snapshot,
/// copy out what must be kept, then reset. After the reset the batch must not be used.
public struct LogBatch: Sequence {
    /// A run of complete lines (each ending in `\n`, except the last line of a file that
    /// was rotated away without one), or a single line cut to the cap (`fullLength >= 0`).
    struct Segment {
        var bytes: TaintedBytes
        var fullLength: Int
    }
    var segments: [Segment] = []

    /// Bytes read from the log file(s) by this call (partial lines included).
    public internal(set) var byteCount = 0
    /// True when more bytes were already waiting than one call reads
    /// (`LogTailer.Options.maxBytesPerRead`): call again, after resetting, to go on.
    public internal(set) var hasMore = false
    /// What happened to the files during this call, in order.
    public internal(set) var events: [LogTailer.Event] = []
    /// Why the log could not be read during this call (permission, I/O error), or nil.
    /// Lines read before the problem are still in the batch.
    public internal(set) var problem: LogTailerError? = nil
    /// Longest line delivered whole; longer lines are cut and `LogLine.isTruncated`.
    public let lineCap: Int

    init(lineCap: Int) { self.lineCap = lineCap }

    /// True when the batch holds no line.
    public var isEmpty: Bool { segments.isEmpty }

    /// Walks the lines in file order.
    public func makeIterator() -> Iterator { Iterator(segments: segments, lineCap: lineCap) }

    /// Yields one `LogLine` per physical line.
    public struct Iterator: IteratorProtocol {
        let segments: [Segment]
        let lineCap: Int
        var index = 0
        var position = 0

        /// The next line, or nil at the end of the batch.
        public mutating func next() -> LogLine? {
            while index < segments.count {
                let seg = segments[index]
                if seg.fullLength >= 0 {
                    index += 1
                    return LogLine(seg.bytes, fullLength: seg.fullLength)
                }
                let count = seg.bytes.count
                if position >= count { index += 1; position = 0; continue }
                let start = position
                let nl = seg.bytes.withUnsafeBytes { raw -> Int in
                    guard let hit = memchr(raw.baseAddress! + start, 0x0A, count - start) else { return count }
                    return UnsafeRawPointer(hit) - raw.baseAddress!
                }
                position = nl + 1
                if nl - start > lineCap {
                    return LogLine(seg.bytes[start..<(start + lineCap)], fullLength: nl - start)
                }
                return LogLine(seg.bytes[start..<nl])
            }
            return nil
        }
    }
}
