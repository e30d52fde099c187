import Glibc
import Store
import SystemPackage

/// One queued message read whole for a detailed view (`storemon show`, the monitor's
/// message overlay): its `-H` (envelope and every stored header), `-J` journal, the size
/// of its `-D` and, on request, the start of its body, and its message log
/// (`msglog/ID`).
///
/// Like `QueueReader` it only reads, and it reads file bytes into the tainted twin of
/// `store.currentPool`: every `TaintedBytes` here is valid until that pool is reset past
/// the caller's mark. Copy out what must outlive the reset (`MessageView` in StoremonCore).
public struct SpoolMessage {
    /// The message (parsed `-H`, `-D` size, `-J` lines, delivered flags).
    public let message: QueuedMessage
    /// Where its files are.
    public let location: SpoolMessageLocation
    /// The body from `-D` (after its first line), when asked for.
    public let body: SpoolFileExcerpt?
    /// The message log.
    public let messageLog: SpoolFileExcerpt

    /// The largest body excerpt `read` is asked for by default: 256 KiB.
    public static let defaultBodyLimit = 256 << 10
    /// The largest message log excerpt read by default: 256 KiB.
    public static let defaultMessageLogLimit = 256 << 10

    /// Reads message `id` from the queue in `spoolDirectory` (or its named queue
    /// `queueName`): `input/ID-H`, else `input/<c>/ID-H` for a split spool.
    /// - Parameters: `bodyLimit` nil to leave the body unread, else the most body bytes to
    ///   read; `messageLogLimit` the most message-log bytes to read.
    /// - Throws: `SpoolMessageError` when the queue cannot be read, the message is not on
    ///   it, or its `-H` cannot be read or parsed. A missing or unreadable `-D` or message
    ///   log is not an error: the excerpt says what happened.
    public static func read(_ id: MessageID, spoolDirectory: String, queueName: String? = nil,
                            into store: Store, bodyLimit: Int? = nil,
                            messageLogLimit: Int = defaultMessageLogLimit) throws(SpoolMessageError) -> SpoolMessage {
        if let q = queueName, q.isEmpty || q.contains("/") || q == "." || q == ".." { throw .badQueueName(q) }
        var base = spoolDirectory
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        if let q = queueName { base += "/" + q }
        let input = base + "/input"
        let name = id.description
        let split = SpoolFileName.splitDirectory(id)

        // 1. The -H: flat spool first, then the split sub-directory.
        let top: SpoolDirectoryHandle
        switch SpoolDirectoryHandle.open(input) {
        case .ok(let d): top = d
        case .gone: throw .noQueue(path: input)
        case .failed(let op, let e): throw .unreadable(path: input, operation: op, errno: e)
        }
        var directory = top
        var directoryPath = input
        var subdirectory: UInt8?
        var header = read(in: top, SpoolFileName.name(id, .header), limit: HeaderParser.maximumFileSize, store)
        if case .gone = header {
            switch SpoolDirectoryHandle.open(id.splitCharacter, in: top) {
            case .ok(let d):
                directory = d
                directoryPath = input + "/" + split
                subdirectory = id.splitCharacter
                header = read(in: d, SpoolFileName.name(id, .header), limit: HeaderParser.maximumFileSize, store)
            case .gone: break
            case .failed(let op, let e): throw .unreadable(path: input + "/" + split, operation: op, errno: e)
            }
        }
        let headerPath = directoryPath + "/" + SpoolFileName.name(id, .header)
        let file: TaintedBytes
        switch header {
        case .ok(let bytes, let size, _):
            guard size <= HeaderParser.maximumFileSize else {
                throw .format(path: headerPath, SpoolFormatError(.envelope, .fileTooLarge, at: 0))
            }
            file = bytes
        case .gone: throw .notQueued(id: id, inputDirectory: input)
        case .notRegular: throw .notARegularFile(path: headerPath)
        case .failed(let op, let e): throw .unreadable(path: headerPath, operation: op, errno: e)
        case .store(let e): throw .store(e)
        }
        let parsed: SpoolHeader
        switch SpoolHeader.parse(file, expecting: id) {
        case .success(let h): parsed = h
        case .failure(let e): throw .format(path: headerPath, e)
        }

        // 2. -J (delivered addresses not yet folded into -H) and -D.
        var journal: [TaintedBytes] = []
        if case .ok(let j, _, _) = read(in: directory, SpoolFileName.name(id, .journal), limit: HeaderParser.maximumFileSize, store) {
            journal = JournalLines.split(j)
        }
        let dataPath = directoryPath + "/" + SpoolFileName.name(id, .data)
        let bodyOffset = SpoolFileName.dataFirstLineLength(idLength: id.count)
        var dataSize: Int?
        var body: SpoolFileExcerpt?
        let dataRead = read(in: directory, SpoolFileName.name(id, .data), limit: bodyLimit.map { bodyOffset + max(0, $0) } ?? 0, store)
        switch dataRead {
        case .ok(let bytes, let size, _):
            dataSize = size
            if bodyLimit != nil {
                let start = min(bodyOffset, bytes.count)
                body = SpoolFileExcerpt(path: dataPath, outcome: .read(bytes[start..<bytes.count],
                                                                       fileSize: max(0, size - bodyOffset)))
            }
        case .gone: if bodyLimit != nil { body = SpoolFileExcerpt(path: dataPath, outcome: .absent) }
        case .notRegular: if bodyLimit != nil { body = SpoolFileExcerpt(path: dataPath, outcome: .notARegularFile) }
        case .failed(let op, let e):
            if bodyLimit != nil { body = SpoolFileExcerpt(path: dataPath, outcome: .failed(operation: op, errno: e)) }
        case .store(let e): throw .store(e)
        }

        // 3. The message log: msglog/ID, or msglog/<c>/ID beside a split input/<c>.
        let logDirectory = base + "/msglog" + (subdirectory != nil ? "/" + split : "")
        let logPath = logDirectory + "/" + name
        let messageLog: SpoolFileExcerpt
        switch SpoolDirectoryHandle.open(logDirectory) {
        case .ok(let d):
            messageLog = SpoolFileExcerpt(path: logPath, read(in: d, name, limit: messageLogLimit, store))
        case .gone: messageLog = SpoolFileExcerpt(path: logPath, outcome: .absent)
        case .failed(let op, let e):
            messageLog = SpoolFileExcerpt(path: logDirectory, outcome: .failed(operation: op, errno: e))
        }
        if case .storeFailure(let e) = messageLog.outcome { throw .store(e) }

        let queued = QueuedMessage(header: parsed, subdirectory: subdirectory, dataFileSize: dataSize, journal: journal)
        let location = SpoolMessageLocation(spoolDirectory: spoolDirectory, queueName: queueName,
                                            directory: directoryPath, headerPath: headerPath,
                                            dataPath: dataPath, messageLogPath: logPath)
        return SpoolMessage(message: queued, location: location, body: body, messageLog: messageLog)
    }

    /// What reading (a prefix of) one file gave.
    enum FileRead {
        case ok(TaintedBytes, size: Int, key: FileKey)
        case gone
        case notRegular
        case failed(operation: String, errno: Int32)
        case store(StoreError)
    }

    /// Opens `name` in `dir`, `fstat`s it, and reads at most `limit` bytes of it into the
    /// tainted twin of `store.currentPool`. `size` is the whole file's size.
    static func read(in dir: SpoolDirectoryHandle, _ name: String, limit: Int, _ store: Store) -> FileRead {
        let opened = name.withCString { dir.open($0) }
        let f: SpoolFileDescriptor
        switch opened {
        case .ok(let d): f = d
        case .gone: return .gone
        case .failed(let op, let e): return .failed(operation: op, errno: e)
        }
        defer { f.close() }
        let key: FileKey
        switch f.stat() {
        case .ok(let k): key = k
        case .gone: return .gone
        case .failed(let op, let e): return .failed(operation: op, errno: e)
        }
        guard key.isRegular else { return .notRegular }
        let want = min(key.size, max(0, limit))
        let room: TaintedBuffer
        do { room = try store.getTaintedBuffer(max(want, 1)) } catch { return .store(error) }
        switch room.withUnsafeMutableBytes({ f.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }) {
        case .ok(let got): return .ok(room.prefix(got), size: key.size, key: key)
        case .gone: return .gone
        case .failed(let op, let e): return .failed(operation: op, errno: e)
        }
    }
}

/// Where a message's files are.
public struct SpoolMessageLocation: Sendable, Equatable {
    /// The spool directory (the one holding `input/`) as given.
    public var spoolDirectory: String
    /// The named queue, or nil for the default queue.
    public var queueName: String?
    /// The directory holding the message's `-H` (`input` or `input/<c>`).
    public var directory: String
    /// The `-H` file.
    public var headerPath: String
    /// The `-D` file.
    public var dataPath: String
    /// The message log (`msglog/ID` or `msglog/<c>/ID`).
    public var messageLogPath: String
}

/// The start of a file read for display (a body, a message log), or why it could not be read.
public struct SpoolFileExcerpt {
    /// What happened.
    public enum Outcome {
        /// Read: `bytes` (at most the limit asked for) of a file of `fileSize` bytes.
        case read(TaintedBytes, fileSize: Int)
        /// There is no such file (a message log is removed when delivery completes, or
        /// Exim was told not to write one).
        case absent
        /// A special file where a plain file belongs.
        case notARegularFile
        /// A system call failed (`operation`: `open`, `read`, `opendir`...).
        case failed(operation: String, errno: Int32)
        /// The store refused the room (internal).
        case storeFailure(StoreError)
    }

    /// The file (or the directory that could not be opened).
    public var path: String
    /// What happened.
    public var outcome: Outcome

    /// Makes an excerpt.
    public init(path: String, outcome: Outcome) {
        self.path = path
        self.outcome = outcome
    }

    init(path: String, _ read: SpoolMessage.FileRead) {
        self.path = path
        switch read {
        case .ok(let b, let size, _): outcome = .read(b, fileSize: size)
        case .gone: outcome = .absent
        case .notRegular: outcome = .notARegularFile
        case .failed(let op, let e): outcome = .failed(operation: op, errno: e)
        case .store(let e): outcome = .storeFailure(e)
        }
    }

    /// A short English reason when the file was not read, with the usual fix for a
    /// permission problem; nil when it was read.
    public var problem: String? {
        switch outcome {
        case .read: return nil
        case .absent: return "\(path): no such file"
        case .notARegularFile: return "\(path): not a regular file"
        case .failed(let op, let e): return "\(path): \(op) failed: \(Errno(rawValue: e).description)" + SpoolAccess.hint(errno: e)
        case .storeFailure(let e): return "store: \(e)"
        }
    }
}

/// The usual fix for a spool file or directory that cannot be read.
public enum SpoolAccess {
    /// The advice for a permission problem in the spool.
    public static let advice = "the spool belongs to the Exim user and group (mode 0750): run as root, as the Exim user, or as a member of its group (Debian: sudo adduser $USER Debian-exim, then log in again)"

    /// ` (advice)` for EACCES/EPERM, else empty.
    public static func hint(errno e: Int32) -> String {
        e == EACCES || e == EPERM ? " (" + advice + ")" : ""
    }
}

/// Why `SpoolMessage.read` could not give a message.
public enum SpoolMessageError: Error, Equatable, CustomStringConvertible {
    /// The queue name is not a plain directory name.
    case badQueueName(String)
    /// The queue directory does not exist.
    case noQueue(path: String)
    /// A directory or the `-H` file could not be opened or read.
    case unreadable(path: String, operation: String, errno: Int32)
    /// No `-H` for the id in `input/` nor in `input/<c>/`: not (or no longer) queued.
    case notQueued(id: MessageID, inputDirectory: String)
    /// The `-H` name is not a regular file.
    case notARegularFile(path: String)
    /// The `-H` file is not valid.
    case format(path: String, SpoolFormatError)
    /// The store refused memory for the bytes.
    case store(StoreError)

    /// A sentence for the user: the path, the cause, and the fix where there is one.
    public var description: String {
        switch self {
        case .badQueueName(let n): return "bad queue name \"\(n)\" (a plain directory name is needed)"
        case .noQueue(let p): return "\(p): no such directory (not an Exim spool, or the named queue does not exist)"
        case .unreadable(let p, let op, let e):
            let cause = e == EACCES ? "permission denied" : "\(op) failed: \(Errno(rawValue: e).description)"
            return "\(p): \(cause)" + SpoolAccess.hint(errno: e)
        case .notQueued(let id, let dir):
            return "message \(id) is not on the queue (no \(SpoolFileName.name(id, .header)) in \(dir) nor in \(dir)/\(SpoolFileName.splitDirectory(id))); it may have been delivered or removed"
        case .notARegularFile(let p): return "\(p): not a regular file"
        case .format(let p, let e): return "\(p): \(e)"
        case .store(let e): return "store: \(e)"
        }
    }
}
