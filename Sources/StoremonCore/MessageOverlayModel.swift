/// The monitor's message overlay (Enter on a queued message): the same `MessageView` that
/// `storemon show` prints, drawn as a scrollable page. `b` switches to the body and `l` to
/// the message log (each again returns to the message); the screen scrolls the lines.
public struct MessageOverlayModel: Sendable {
    /// Which page of the view is shown.
    public enum Page: Sendable, Equatable {
        /// Envelope, recipients, stored headers and the message log (as `storemon show`).
        case message
        /// The body (from `-D`, up to `MessageView.bodyLimit`).
        case body
        /// The message log (`msglog/ID`) alone.
        case messageLog
    }

    /// The message's id as selected (shown even when it could not be read).
    public let id: String
    /// The view, or nil when it could not be read.
    public let view: MessageView?
    /// Why it could not be read (e.g. the message left the queue), or nil.
    public let problem: String?
    /// The page shown.
    public let page: Page
    /// The page's lines, quoted.
    public let lines: [TerminalText]

    /// The overlay for a view read from the spool (`body` read when `page` is `.body`).
    public init(id: String, view: MessageView, page: Page) {
        self.id = id
        self.view = view
        self.problem = nil
        self.page = page
        switch page {
        case .message:
            lines = MessageViewText.lines(view, sections: [.envelope, .recipients, .headers, .messageLog])
        case .messageLog:
            lines = MessageViewText.lines(view, section: .messageLog)
        case .body:
            let body = MessageViewText.lines(view, section: .body)
            lines = body.isEmpty ? [TerminalText(untainted: "Body: not read")] : body
        }
    }

    /// The overlay for a message that could not be read.
    public init(id: String, problem: String, page: Page) {
        self.id = id
        self.view = nil
        self.problem = problem
        self.page = page
        lines = [TerminalText(untainted: "Message \(id) cannot be shown:"), TerminalText(untainted: problem)]
    }

    /// The title: `Message ID` / `Body of ID` / `Message log of ID`, frozen marked.
    public var title: String {
        let frozen = view?.envelope.isFrozen == true ? "  *** frozen ***" : ""
        switch page {
        case .message: return "Message \(id)\(frozen)"
        case .body: return "Body of \(id)\(frozen)"
        case .messageLog: return "Message log of \(id)\(frozen)"
        }
    }

    /// The keys hint for the overlay's bottom border.
    public func hint(actions: Bool) -> String {
        let pages: String
        switch page {
        case .message: pages = "b body  l msglog"
        case .body: pages = "b back  l msglog"
        case .messageLog: pages = "b body  l back"
        }
        return pages + (actions ? "  f t d g x a m act" : "") + "  Esc close"
    }

    /// The largest useful scroll for `rows` visible rows.
    public func maxScroll(rows: Int) -> Int { max(0, lines.count - max(0, rows)) }

    /// The page `b` (or `l`) leads to from this one.
    public static func toggled(_ page: Page, to target: Page) -> Page { page == target ? .message : target }
}
