import ArgumentParser
import Glibc

/// The entry point: parses the command line with swift-argument-parser, but maps usage
/// errors to exit code 2 (ArgumentParser's own default is 64) as the help documents.
@main
enum StoremonMain {
    static func main() async {
        do {
            var command = try Storemon.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = Storemon.exitCode(for: error)
            if code == .success {
                print(Storemon.fullMessage(for: error))
                exit(0)
            }
            if code == .validationFailure {
                let message = Storemon.fullMessage(for: error)
                FileHandleOutput.standardError(message + "\n")
                exit(2)
            }
            Storemon.exit(withError: error)
        }
    }
}

/// Writes to stdout/stderr without touching the C `stdout`/`stderr` globals (Swift 6).
enum FileHandleOutput {
    /// Writes all of `text` to fd 2.
    static func standardError(_ text: String) { write(fd: 2, text) }
    /// Writes all of `text` to fd 1.
    static func standardOutput(_ text: String) { write(fd: 1, text) }

    /// Writes every byte, retrying on short writes and EINTR.
    static func write(fd: Int32, _ text: String) {
        var copy = text
        copy.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }
}
