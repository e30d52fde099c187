import Dispatch
import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

/// The HTTP endpoint: `GET /metrics` (text format, or OpenMetrics when `Accept` asks for it)
/// and a small index at `/`, served by FlyingFox from the exposition's latest rendering.
///
/// `start` and `stop` are synchronous, for the exporter's and the monitor's plain loops;
/// the server itself runs on Swift's concurrency pool, so call them from a plain thread
/// (they block until the pool has done the work), never from inside a task.
public final class MetricsServer: Sendable {
    /// The address bound, as `HOST:PORT` (with the real port when 0 was asked for).
    public let boundAddress: String

    private let server: HTTPServer
    private let runTask: Task<Void, Never>

    private init(server: HTTPServer, runTask: Task<Void, Never>, boundAddress: String) {
        self.server = server
        self.runTask = runTask
        self.boundAddress = boundAddress
    }

    /// Binds `address` and starts serving `exposition`; returns once the socket listens.
    ///
    /// - Throws: `ExportError` for an address that cannot be used (in use, not local, bad).
    public static func start(_ address: ListenAddress, exposition: MetricsExposition) throws(ExportError) -> MetricsServer {
        let socketAddress = try address.socketAddress()
        let server = HTTPServer(address: socketAddress, timeout: 15, logger: .disabled,
                                handler: ClosureHTTPHandler { request in MetricsServer.respond(to: request, exposition) })
        let outcome = FirstOutcome()
        let runTask = Task.detached {
            do {
                try await server.run()
            } catch {
                outcome.settle(.failure(error))
            }
        }
        Task.detached {
            // Succeeds as soon as the socket listens; a failed bind ends `run` first (this
            // wait then simply times out).
            guard (try? await server.waitUntilListening(timeout: 10)) != nil else { return }
            outcome.settle(.success(()))
        }
        guard let result = outcome.wait(seconds: 10) else {
            runTask.cancel()
            throw ExportError("cannot listen on \(address): the server did not start within 10 seconds")
        }
        switch result {
        case .failure(let error):
            throw ExportError("cannot listen on \(address): \(MetricsServer.reason(error))")
        case .success:
            let bound = MetricsServer.blocking { await server.listeningAddress }
            let text: String
            switch bound {
            case .ip4(let host, let port)?: text = "\(host):\(port)"
            case .ip6(let host, let port)?: text = "[\(host)]:\(port)"
            default: text = address.description
            }
            return MetricsServer(server: server, runTask: runTask, boundAddress: text)
        }
    }

    /// Stops listening and waits (at most a second) for open scrapes to finish.
    public func stop() {
        let server = self.server
        MetricsServer.blocking { await server.stop(timeout: 1) }
        runTask.cancel()
    }

    /// The answer to one request.
    static func respond(to request: HTTPRequest, _ exposition: MetricsExposition) -> HTTPResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return HTTPResponse(statusCode: .methodNotAllowed, headers: HTTPHeaders([HTTPHeader("Allow"): "GET, HEAD"]))
        }
        switch request.path {
        case "/metrics":
            let format = ExpositionFormat.negotiate(accept: request.headers[HTTPHeader("Accept")])
            let body = exposition.body(format)
            return HTTPResponse(statusCode: .ok, headers: HTTPHeaders([.contentType: format.contentType]),
                                body: request.method == .HEAD ? Data() : Data(body))
        case "/":
            return HTTPResponse(statusCode: .ok, headers: HTTPHeaders([.contentType: "text/html; charset=utf-8"]),
                                body: Data(MetricsServer.index.utf8))
        default:
            return HTTPResponse(statusCode: .notFound, headers: HTTPHeaders([.contentType: "text/plain; charset=utf-8"]),
                                body: Data("Not found. The metrics are at /metrics.\n".utf8))
        }
    }

    /// The index page (fixed text: nothing from Exim's files).
    static let index = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>storemon exporter</title></head>
        <body><h1>storemon exporter</h1>
        <p>Exim's queue and main log, and storemon's stacking pools, for Prometheus.</p>
        <p><a href="/metrics">/metrics</a> (Prometheus text format; OpenMetrics when the
        <code>Accept</code> header asks for <code>application/openmetrics-text</code>)</p>
        </body></html>

        """

    /// A sentence for a bind or listen failure.
    static func reason(_ error: any Error) -> String {
        if let socket = error as? SocketError, case .failed(_, let code, let message) = socket {
            switch code {
            case EADDRINUSE: return "\(message) (another process listens there; pick another port with --listen)"
            case EADDRNOTAVAIL: return "\(message) (the host is not an address of this machine)"
            case EACCES: return "\(message) (ports below 1024 need root)"
            default: return message
            }
        }
        return String(describing: error)
    }

    /// Runs `body` on the concurrency pool and waits for it (the callers are plain loops).
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.value.withLock { [v = await body()] in $0 = v }
            done.signal()
        }
        done.wait()
        return box.value.withLock { $0 }!
    }

    /// A value set from a task and read after its semaphore.
    private final class Box<T: Sendable>: Sendable {
        let value = Mutex<T?>(nil)
    }

    /// The first of two racing outcomes (listening, or failing), waited for with a timeout.
    private final class FirstOutcome: Sendable {
        private let value = Mutex<Result<Void, any Error>?>(nil)
        private let ready = DispatchSemaphore(value: 0)

        /// Records `result` unless an outcome is already known.
        func settle(_ result: Result<Void, any Error>) {
            let first = value.withLock { v in
                guard v == nil else { return false }
                v = result
                return true
            }
            if first { ready.signal() }
        }

        /// The outcome, or nil when none came within `seconds`.
        func wait(seconds: Double) -> Result<Void, any Error>? {
            guard ready.wait(timeout: .now() + seconds) == .success else { return nil }
            return value.withLock { $0 }
        }
    }
}
