/// An open log search (`/`): what was asked and where the cursor stands.
public struct SearchSnapshot: Sendable, Equatable {
    /// The text searched for (typed by the user: untainted).
    public var query: String
    /// Indexes into `LogSnapshot.tail` of the lines that match, oldest first.
    public var matches: [Int]
    /// The index into `matches` of the current match (`n`/`N` move it), or nil when none.
    public var current: Int?
    /// Matches found since the search opened (lines that left the tail included).
    public var totalMatches: Int
    /// True when more matches were found than the search keeps (`LogSearch.maxMatches`).
    public var isCapped: Bool

    /// Creates a search snapshot.
    public init(query: String, matches: [Int], current: Int?, totalMatches: Int, isCapped: Bool = false) {
        self.query = query
        self.matches = matches
        self.current = current
        self.totalMatches = totalMatches
        self.isCapped = isCapped
    }

    /// The tail line index of the current match, or nil.
    public var currentLine: Int? { current.map { matches[$0] } }
}
