import SystemPackage

/// What a path names, as `stat` tells: storemon reads regular files only, and refuses the
/// rest where a log or spool file belongs (a FIFO would block a read forever, a device
/// never ends, a socket cannot be read with `read`).
package enum FileKind: Sendable, Equatable {
    case regular, directory, fifo, characterDevice, blockDevice, socket, symbolicLink, other

    /// The kind of a `stat` result.
    package init(_ st: Stat) {
        switch st.type {
        case .regular: self = .regular
        case .directory: self = .directory
        case .fifo: self = .fifo
        case .characterSpecial: self = .characterDevice
        case .blockSpecial: self = .blockDevice
        case .socket: self = .socket
        case .symbolicLink: self = .symbolicLink
        default: self = .other
        }
    }

    /// "a FIFO (named pipe)", "a character device"... for messages.
    package var phrase: String {
        switch self {
        case .regular: return "a regular file"
        case .directory: return "a directory"
        case .fifo: return "a FIFO (named pipe)"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .socket: return "a socket"
        case .symbolicLink: return "a symbolic link"
        case .other: return "not a regular file"
        }
    }

    /// The kind of whatever `path` names now (following symbolic links), or nil when
    /// `stat` fails (missing, no permission). Never opens the path, so never blocks.
    package static func of(_ path: String) -> FileKind? {
        guard let st = try? FilePath(path).stat() else { return nil }
        return FileKind(st)
    }
}

/// A file that is there but is not what was expected (a FIFO where a log belongs...).
package struct WrongFileKind: Error, Equatable, Sendable, CustomStringConvertible {
    /// The path.
    package var path: String
    /// What it is.
    package var kind: FileKind

    /// Creates the record.
    package init(path: String, kind: FileKind) {
        self.path = path
        self.kind = kind
    }

    /// `/tmp/fifo is a FIFO (named pipe), not a regular file: storemon reads regular files only`
    package var description: String {
        "\(path) is \(kind.phrase), not a regular file: storemon reads only regular files there"
    }
}
