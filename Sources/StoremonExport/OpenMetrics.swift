/// Turns Prometheus' text exposition format (what swift-prometheus writes) into OpenMetrics 1.0.
///
/// swift-prometheus writes the text format only. The two differ, for what it writes, in:
/// - a counter family's name has no `_total` suffix in OpenMetrics (`# TYPE x counter`),
///   while its sample is always `x_total`;
/// - the exposition ends with `# EOF`;
/// - blank lines are not allowed.
/// Gauges and histograms (`_bucket` with `le`, `_sum`, `_count`) read the same in both; HELP
/// texts here hold no backslash, quote or newline (`MetricFamily.help`), so they need no
/// other escaping.
public enum OpenMetrics {
    /// The OpenMetrics form of `text`, a complete text-format exposition.
    ///
    /// - Parameter text: UTF-8 bytes in the text format, one sample or comment per line.
    /// - Returns: the same metrics in OpenMetrics 1.0 syntax, ending in `# EOF\n`.
    public static func transform(_ text: [UInt8]) -> [UInt8] {
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        // First pass: the counter families, as the text format names them.
        var counters = Set<[UInt8]>()
        for line in lines {
            if let (name, type) = typeLine(line), type.elementsEqual("counter".utf8) { counters.insert(Array(name)) }
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 64)
        for line in lines {
            if line.first == UInt8(ascii: "#") {
                if let (name, type) = typeLine(line) {
                    out += "# TYPE ".utf8
                    out += familyName(name, isCounter: counters.contains(Array(name)))
                    out += " ".utf8
                    out += type
                } else if let (name, rest) = helpLine(line) {
                    out += "# HELP ".utf8
                    out += familyName(name, isCounter: counters.contains(Array(name)))
                    out += rest
                } else {
                    continue   // other comments have no place in OpenMetrics
                }
            } else {
                // A sample: `name{labels} value` or `name value`.
                let end = line.firstIndex { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: " ") } ?? line.endIndex
                let name = line[line.startIndex..<end]
                out += name
                if counters.contains(Array(name)) && !hasTotalSuffix(name) {
                    out += "_total".utf8
                }
                out += line[end...]
            }
            out.append(UInt8(ascii: "\n"))
        }
        out += "# EOF\n".utf8
        return out
    }

    /// `# TYPE name type` split into its name and type, or nil.
    private static func typeLine(_ line: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        let prefix = Array("# TYPE ".utf8)
        guard line.starts(with: prefix) else { return nil }
        let rest = line.dropFirst(prefix.count)
        guard let space = rest.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        return (rest[rest.startIndex..<space], rest[(space + 1)...])
    }

    /// `# HELP name text` split into its name and the rest (from the space on), or nil.
    private static func helpLine(_ line: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        let prefix = Array("# HELP ".utf8)
        guard line.starts(with: prefix) else { return nil }
        let rest = line.dropFirst(prefix.count)
        let space = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
        return (rest[rest.startIndex..<space], rest[space...])
    }

    private static func hasTotalSuffix(_ name: some Collection<UInt8>) -> Bool {
        name.count > 6 && name.suffix(6).elementsEqual("_total".utf8)
    }

    /// A family's OpenMetrics name: a counter's without `_total`.
    private static func familyName(_ name: ArraySlice<UInt8>, isCounter: Bool) -> ArraySlice<UInt8> {
        isCounter && hasTotalSuffix(name) ? name.dropLast(6) : name
    }
}
