/// Why a `-H` file could not be parsed: what was wrong, and where.
///
/// Exim's own reader distinguishes an *envelope* error (before the blank line that ends the
/// recipients) from a *header* error (after it); `section` keeps that distinction.
public struct SpoolFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The part of the `-H` file where reading failed.
    public enum Section: String, Sendable {
        /// Name line through the blank line after the recipients.
        case envelope
        /// The header lines after the blank line.
        case headers
    }

    /// What was wrong.
    public enum Problem: Equatable, Sendable {
        /// The file ended before the envelope was complete (a half-written or cut file).
        case truncated
        /// The first line is not `<id>-H` for this file's id.
        case badNameLine
        /// The originator line is not `login uid gid`.
        case badOwnerLine
        /// The sender line is not `<address>`.
        case badSenderLine
        /// The times line is not `received_time warning_count`.
        case badTimesLine
        /// An ACL variable option has no valid length, or its value is cut short or not
        /// followed by a newline.
        case badACLVariable
        /// A non-recipients tree line is not `XX` or `YN address` (Y/N flags).
        case badNonRecipientTree
        /// The recipient count is missing, not a number, or above Exim's limit (16384).
        case badRecipientCount
        /// A recipient line's extended data (`#` form) does not fit the line.
        case badRecipient
        /// The line after the recipients is not empty.
        case missingBlankLine
        /// A header does not start with `<length><flag> `.
        case badHeaderPrefix
        /// A header's length runs past the end of the file.
        case headerTooLong
        /// A header's text contains a NUL byte.
        case nulInHeader
        /// The file is larger than the reader accepts.
        case fileTooLarge
    }

    /// The part of the file being read when it failed.
    public var section: Section
    /// What was wrong.
    public var problem: Problem
    /// Byte offset in the file of the line (or header) that failed.
    public var offset: Int

    /// Makes an error value.
    public init(_ section: Section, _ problem: Problem, at offset: Int) {
        self.section = section
        self.problem = problem
        self.offset = offset
    }

    /// A short English reason, e.g. `envelope error at byte 57: bad sender line`.
    public var description: String {
        "\(section.rawValue) error at byte \(offset): \(problem.text)"
    }
}

extension SpoolFormatError.Problem {
    /// A few words for the reason.
    var text: String {
        switch self {
        case .truncated: return "file ends too early"
        case .badNameLine: return "first line is not the file's name"
        case .badOwnerLine: return "bad originator line (login uid gid)"
        case .badSenderLine: return "bad sender line (<address>)"
        case .badTimesLine: return "bad received time / warning count line"
        case .badACLVariable: return "bad ACL variable"
        case .badNonRecipientTree: return "bad non-recipients tree"
        case .badRecipientCount: return "bad recipient count"
        case .badRecipient: return "bad recipient line"
        case .missingBlankLine: return "no blank line after the recipients"
        case .badHeaderPrefix: return "bad header length/flag prefix"
        case .headerTooLong: return "header length runs past the end of the file"
        case .nulInHeader: return "NUL byte in a header"
        case .fileTooLarge: return "file too large"
        }
    }
}
