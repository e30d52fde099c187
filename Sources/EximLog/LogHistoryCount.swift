import Foundation
import Store
import Synchronization

/// Counts, in the background, the part of a log before where a monitor started reading
/// (a monitor starts at the last lines, reading backwards, so its first frame never waits
/// for a huge log). The count runs on its own thread with its own `Store` (one `Store` per
/// thread), reading through a `LogTailer` that stops at `end`; `progress` says how far it
/// is, `result` gives the counters once done. Cancelled (and its thread ended) by `cancel()`
/// or on deinit.
public final class LogHistoryCount: @unchecked Sendable {
    /// How far the count is.
    public struct Progress: Sendable, Equatable {
        /// Bytes counted so far.
        public var bytesDone: Int
        /// Bytes to count in all.
        public var bytesTotal: Int
        /// Lines counted so far.
        public var lines: Int
    }

    private struct State {
        var progress: Progress
        var result: LogCounters?
        var failure: String?
        var cancelled = false
    }

    private let state: Mutex<State>
    private var thread: Thread?

    /// Starts counting `path` from its top up to byte `end` (just after a newline).
    public init(path: String, upTo end: Int) {
        state = Mutex(State(progress: Progress(bytesDone: 0, bytesTotal: end, lines: 0)))
        let t = Thread { [self] in self.run(path: path, end: end) }
        t.name = "storemon log count"
        t.qualityOfService = .utility
        thread = t
        t.start()
    }

    deinit { cancel() }

    /// The progress now.
    public var progress: Progress { state.withLock { $0.progress } }
    /// The counters once the count is complete, else nil.
    public var result: LogCounters? { state.withLock { $0.result } }
    /// Why the count stopped early (the store refused), or nil.
    public var failure: String? { state.withLock { $0.failure } }

    /// Stops the count and waits for its thread (idempotent).
    public func cancel() {
        state.withLock { $0.cancelled = true }
        while let t = thread, !t.isFinished { usleep(1000) }
    }

    private func run(path: String, end: Int) {
        do {
            let store = try Store()
            let tailer = LogTailer(path: path, start: .beginning,
                                   options: .init(maxBytesPerRead: 4 << 20, useInotify: false,
                                                  watchInBackground: false, endOffset: end))
            var counters = LogCounters()
            while true {
                if state.withLock({ $0.cancelled }) { return }
                let mark = try store.mark()
                let batch = try tailer.readNewLines(into: store)
                for line in batch { counters.count(line) }
                try store.reset(to: mark)
                let done = tailer.totalBytes, lines = counters.lines
                state.withLock { $0.progress.bytesDone = done; $0.progress.lines = lines }
                if !batch.hasMore || batch.problem != nil { break }
            }
            let final = counters
            state.withLock { $0.result = final; $0.progress.bytesDone = $0.progress.bytesTotal }
        } catch {
            let why = String(describing: error)
            state.withLock { $0.failure = why }
        }
    }
}
