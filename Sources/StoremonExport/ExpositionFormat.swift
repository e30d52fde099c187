/// The two formats a scrape can get: Prometheus' text format (0.0.4) and OpenMetrics.
public enum ExpositionFormat: Sendable, Equatable {
    /// `text/plain; version=0.0.4`: what swift-prometheus writes, and node_exporter's textfile collector reads.
    case text
    /// `application/openmetrics-text`, in the given version (`1.0.0` or `0.0.1`: the body is the same).
    case openMetrics(version: String)

    /// The `Content-Type` of a response in this format.
    public var contentType: String {
        switch self {
        case .text: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics(let version): return "application/openmetrics-text; version=\(version); charset=utf-8"
        }
    }

    /// Picks the format a scraper's `Accept` header asks for (RFC 9110 content negotiation
    /// over the two we offer). OpenMetrics only when it is asked for with a higher (or equal,
    /// as Prometheus lists it first) weight than the text format; the text format otherwise,
    /// also when the header is missing, empty or unparsable.
    ///
    /// - Parameter accept: the header's value, or nil.
    /// - Returns: the format to answer with.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept, !accept.isEmpty else { return .text }
        var bestOpenMetrics: (q: Double, version: String)?
        var textQ = 0.0
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
            guard let type = parts.first?.lowercased(), !type.isEmpty else { continue }
            var q = 1.0
            var version: String?
            for parameter in parts.dropFirst() {
                let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t\"") }
                guard kv.count == 2 else { continue }
                switch kv[0].lowercased() {
                case "q": q = Double(kv[1]).map { min(1, max(0, $0)) } ?? 0
                case "version": version = kv[1]
                default: break
                }
            }
            guard q > 0 else { continue }
            switch type {
            case "application/openmetrics-text":
                // Only the versions whose syntax we write; an unknown version is not ours to claim.
                let v = version ?? "1.0.0"
                guard v == "1.0.0" || v == "0.0.1" else { continue }
                if bestOpenMetrics == nil || q > bestOpenMetrics!.q || (q == bestOpenMetrics!.q && v == "1.0.0") {
                    bestOpenMetrics = (q, v)
                }
            case "text/plain", "text/*", "*/*":
                if type == "text/plain", let version, version != "0.0.4" { continue }
                textQ = max(textQ, q)
            default:
                continue
            }
        }
        if let om = bestOpenMetrics, om.q >= textQ { return .openMetrics(version: om.version) }
        return .text
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set` (spaces, tabs, quotes).
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
