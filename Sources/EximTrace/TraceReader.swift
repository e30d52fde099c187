import SystemPackage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a trace could not be opened or read.
public enum TraceReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `open()` failed: the path and `errno`.
    case cannotOpen(path: String, errno: Int32)
    /// `read()` failed part-way: `errno`.
    case readFailed(errno: Int32)

    /// A message that names the file and the reason.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let e): return "cannot open \(path): \(Errno(rawValue: e).description)"
        case .readFailed(let e): return "read error: \(Errno(rawValue: e).description)"
        }
    }
}

/// What `TraceReader.nextIfReady()` found.
public enum ReadyRecord {
    /// A record, or nil at the end of input.
    case ready(TraceRecord?)
    /// No complete line is available yet.
    case wouldBlock
}

/// Reads a trace from a file descriptor (a file, or a pipe such as stdin) and
/// yields one `TraceRecord` per physical line as soon as the line is complete.
/// A last line without a newline (a cut trace) is still parsed, and
/// `endedWithoutNewline` says so.
public final class TraceReader: Sequence, IteratorProtocol {
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    @exclusivity(unchecked) private var start = 0          // first unparsed byte
    @exclusivity(unchecked) private var filled = 0         // bytes valid in buffer
    private var eof = false
    /// The line parser (its `lineNumber` is the number of the last record returned).
    @exclusivity(unchecked) public private(set) var parser: TraceParser
    /// Bytes read so far.
    @exclusivity(unchecked) public private(set) var bytesRead = 0
    /// Whether the input's last line had no newline (the file was cut).
    public private(set) var endedWithoutNewline = false
    /// A read error that ended the input early, if any.
    public private(set) var readError: TraceReadError?

    /// Reads from `fileDescriptor`; closes it at the end only if `closeWhenDone`.
    public init(fileDescriptor: Int32, closeWhenDone: Bool = false, prefixes: TracePrefixes = .detect) {
        fd = fileDescriptor
        ownsDescriptor = closeWhenDone
        capacity = 1 << 18
        buffer = .allocate(capacity: capacity)
        parser = TraceParser(prefixes: prefixes)
    }

    /// Opens the file at `path` for reading.
    public convenience init(path: String, prefixes: TracePrefixes = .detect) throws(TraceReadError) {
        let d = open(path, O_RDONLY)
        guard d >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        self.init(fileDescriptor: d, closeWhenDone: true, prefixes: prefixes)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// The next record, or `nil` at the end of input (blocks on a pipe until a line is complete).
    public func next() -> TraceRecord? {
        while true {
            if let nl = findNewline() {
                let r = parser.parse(line: UnsafeBufferPointer(start: buffer + start, count: nl - start))
                start = nl + 1
                return r
            }
            if eof {
                guard start < filled else { return nil }
                endedWithoutNewline = true
                let r = parser.parse(line: UnsafeBufferPointer(start: buffer + start, count: filled - start))
                start = filled
                return r
            }
            fill()
        }
    }

    /// The next record if one can be had without blocking: `.ready(record)`, `.ready(nil)`
    /// at the end of input, or `.wouldBlock` when a pipe has no complete line yet (a live
    /// view keeps drawing and reading keys meanwhile).
    public func nextIfReady() -> ReadyRecord {
        while true {
            if findNewline() != nil || eof { return .ready(next()) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let n = poll(&p, 1, 0)
            if n == 0 { return .wouldBlock }
            if n < 0, errno == EINTR { continue }
            fill()
        }
    }

    /// The file descriptor read (to wait on it with `poll`).
    public var fileDescriptor: Int32 { fd }

    /// Whether the end of input has been reached and every line returned.
    public var isExhausted: Bool { eof && start >= filled }

    private func findNewline() -> Int? {
        guard start < filled else { return nil }
        guard let p = memchr(buffer + start, 0x0A, filled - start) else { return nil }
        return buffer.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    private func fill() {
        // Move the unfinished line to the front; grow if it fills the buffer.
        if start > 0 {
            let rest = filled - start
            if rest > 0 { memmove(buffer, buffer + start, rest) }
            filled = rest
            start = 0
        }
        if filled == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: filled)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        while true {
            let n = read(fd, buffer + filled, capacity - filled)
            if n > 0 { filled += n; bytesRead += n; return }
            if n == 0 { eof = true; return }
            if errno == EINTR { continue }
            readError = .readFailed(errno: errno)
            eof = true
            return
        }
    }
}
