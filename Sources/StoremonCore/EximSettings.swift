import Foundation

/// Where path discovery asks Exim's settings (`exim -bP NAME`). Injectable, so tests can
/// play an installed Exim (or none) without running one.
public protocol EximSettingsSource {
    /// The value of one main option as `exim -bP NAME` prints it (the text after ` = `),
    /// `""` for an option that is set to nothing, or nil when no Exim could be asked.
    func value(of option: String) -> String?
}

/// An Exim that is not there: every question gets nil.
public struct NoExim: EximSettingsSource {
    /// Creates it.
    public init() {}
    /// Always nil.
    public func value(of option: String) -> String? { nil }
}

/// Fixed answers, for tests and for `--demo`.
public struct FixedEximSettings: EximSettingsSource {
    /// The options and their values.
    public var values: [String: String]
    /// Creates it from option → value.
    public init(_ values: [String: String]) { self.values = values }
    /// The value given for `option`, or nil.
    public func value(of option: String) -> String? { values[option] }
}

/// The installed Exim, asked with `exim -bP NAME` (also as `exim4`, Debian's name).
/// Each answer is asked once and remembered. A binary that hangs is killed after `timeout`.
public final class InstalledExim: EximSettingsSource {
    /// Binaries tried in order: names looked up in `PATH`, then the usual full paths.
    public let candidates: [String]
    /// Seconds to wait for one answer.
    public let timeout: TimeInterval
    /// A configuration file passed as `-C FILE` (eximon's `EXIMON_EXIM_CONFIG`), or nil.
    public let configFile: String?
    private var answers: [String: String?] = [:]
    private var binary: String??

    /// Creates it; `candidates` default to `exim`, `exim4` in `PATH`, `/usr/sbin`, `/usr/exim/bin`,
    /// `/usr/local/sbin`, `/usr/lib/exim4`. `configFile`, when given, is passed as `-C FILE`.
    public init(candidates: [String]? = nil, configFile: String? = nil, timeout: TimeInterval = 3) {
        self.candidates = candidates ?? InstalledExim.defaultCandidates()
        self.configFile = configFile
        self.timeout = timeout
    }

    /// The Exim binary asked: the first executable candidate, or nil when none is installed.
    public var executablePath: String? { executable() }

    static func defaultCandidates() -> [String] {
        var result: [String] = []
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for name in ["exim", "exim4"] {
            for dir in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/exim/bin", "/usr/local/sbin", "/usr/lib/exim4"] {
                let full = dir + "/" + name
                if !result.contains(full) { result.append(full) }
            }
        }
        return result
    }

    /// `exim -bP option`'s value, or nil when no Exim is installed or it failed.
    public func value(of option: String) -> String? {
        if let known = answers[option] { return known }
        let answer = ask(option)
        answers[option] = answer
        return answer
    }

    private func executable() -> String? {
        if let known = binary { return known }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
        binary = .some(found)
        return found
    }

    private func ask(_ option: String) -> String? {
        guard let exe = executable() else { return nil }
        let argv = [exe] + (configFile.map { ["-C", $0] } ?? []) + ["-bP", option]
        guard let (status, output) = ChildProcess.capture(argv, timeout: timeout), status == 0 else { return nil }
        return InstalledExim.parse(String(decoding: output, as: UTF8.self), option: option)
    }

    /// Reads `name = value` (or `name =` for an empty value) from `-bP` output.
    static func parse(_ output: String, option: String) -> String? {
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix(option) else { continue }
            let rest = text.dropFirst(option.count).trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix("=") else { continue }
            return rest.dropFirst().trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
