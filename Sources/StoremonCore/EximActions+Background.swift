import EximFormats
import Foundation

/// An action running on a background thread, for a screen that must keep drawing while
/// Exim works (a delivery can take minutes): the screen takes the new output lines at each
/// refresh (`takeLines()`) and the result once it is there (`result`).
public final class EximActionRun: @unchecked Sendable {
    /// What runs.
    public let action: EximAction
    /// On which message.
    public let id: MessageID
    private let lock = NSLock()
    private var pending: [TerminalText] = []
    private var finished: Result<EximActionResult, EximActionError>?

    init(action: EximAction, id: MessageID) {
        self.action = action
        self.id = id
    }

    /// The output lines that arrived since the last call (at most `EximActions.outputLimit`
    /// are held between calls; older ones are dropped first).
    public func takeLines() -> [TerminalText] {
        lock.lock(); defer { lock.unlock() }
        let lines = pending
        pending = []
        return lines
    }

    /// The outcome, nil while the command runs.
    public var result: Result<EximActionResult, EximActionError>? {
        lock.lock(); defer { lock.unlock() }
        return finished
    }

    /// True once the command has ended (or was never run).
    public var isFinished: Bool { result != nil }

    /// Blocks until the command has ended, at most `timeout` seconds; returns the outcome
    /// or nil on time-out (tests and plain output use this; a screen polls `result`).
    public func wait(timeout: Double) -> Result<EximActionResult, EximActionError>? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let r = result { return r }
            usleep(10_000)
        }
        return result
    }

    func append(_ line: TerminalText) {
        lock.lock(); defer { lock.unlock() }
        pending.append(line)
        if pending.count > EximActions.outputLimit { pending.removeFirst(pending.count - EximActions.outputLimit) }
    }

    func finish(_ r: Result<EximActionResult, EximActionError>) {
        lock.lock(); defer { lock.unlock() }
        finished = r
    }
}

extension EximActions {
    /// Starts `action` on message `id` on a background thread and returns at once; see
    /// `EximActionRun` for following it. `timeout` as for `run`.
    public func start(_ action: EximAction, on id: MessageID, timeout: Double = 300) -> EximActionRun {
        let handle = EximActionRun(action: action, id: id)
        let thread = Thread { [self] in
            do throws(EximActionError) {
                let r = try self.run(action, on: id, timeout: timeout) { handle.append($0) }
                handle.finish(.success(r))
            } catch {
                handle.finish(.failure(error))
            }
        }
        thread.name = "storemon-exim-action"
        thread.start()
        return handle
    }
}
