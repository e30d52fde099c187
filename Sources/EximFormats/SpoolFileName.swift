/// The spool files of one message, as Exim names them in `input/` (or `input/<c>/` on a
/// split spool): `<id>-H` (envelope and headers), `<id>-D` (body), `<id>-J` (journal of
/// deliveries done while a delivery runs).
public enum SpoolFileKind: UInt8, Sendable, Hashable, CaseIterable {
    /// `-H`: the envelope and the headers.
    case header = 0x48
    /// `-D`: the body, after a first line naming the file.
    case data = 0x44
    /// `-J`: the journal of addresses delivered by a running delivery.
    case journal = 0x4A

    /// The suffix letter (`H`, `D`, `J`).
    public var letter: Character { Character(Unicode.Scalar(rawValue)) }
}

/// Facts about spool file names and layout shared by every reader and writer of a spool
/// (the queue reader, `storemon show`, the demo traffic, the benchmarks).
public enum SpoolFileName {
    /// `<id>-H`, `<id>-D` or `<id>-J`.
    public static func name(_ id: MessageID, _ kind: SpoolFileKind) -> String {
        id.description + "-" + String(kind.letter)
    }

    /// `name(_:_:)` for an id already held as text (checked by the caller).
    public static func name(id: String, _ kind: SpoolFileKind) -> String {
        id + "-" + String(kind.letter)
    }

    /// Splits a directory entry's name into its message id and kind; nil for any other name.
    public static func parse<C: BidirectionalCollection>(_ name: C) -> (id: MessageID, kind: SpoolFileKind)?
        where C.Element == UInt8 {
        let n = name.count
        guard n == 18 || n == 25 else { return nil }
        let last = name.index(before: name.endIndex)
        let dash = name.index(before: last)
        guard name[dash] == UInt8(ascii: "-"), let kind = SpoolFileKind(rawValue: name[last]),
              let id = MessageID(bytes: name[name.startIndex..<dash]) else { return nil }
        return (id, kind)
    }

    /// The sub-directory of a split spool (`split_spool_directory`) that holds a message's
    /// files: the id's sixth character.
    public static func splitDirectory(_ id: MessageID) -> String {
        String(decoding: [id.splitCharacter], as: UTF8.self)
    }

    /// The length of the `-D` file's first line, `<id>-D` and a newline, which is not
    /// part of the message.
    public static func dataFirstLineLength(idLength: Int) -> Int { idLength + 3 }

    /// The size `exim -bp` lists for a message: the live (not `*`-flagged) header bytes
    /// from `-H` plus the `-D` file without its first line, plus one (Exim counts the
    /// blank line between headers and body).
    public static func queueListSize(liveHeaderBytes: Int, dataFileSize: Int, idLength: Int) -> Int {
        liveHeaderBytes + dataFileSize - dataFirstLineLength(idLength: idLength) + 1
    }
}
