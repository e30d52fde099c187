import ArgumentParser
import Glibc

/// The entry point: parses the command line with swift-argument-parser, but maps usage
/// errors to exit code 2 (ArgumentParser's own default is 64) as the help documents.
@main
enum StoremonMain {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `storemon help [replay]`, as ArgumentParser's help suggests (unless a file is named "help")
        if arguments.first == "help", arguments.count <= 2, access("help", F_OK) != 0 {
            print(arguments.last == "replay" ? Replay.helpMessage(columns: nil)
                  : arguments.last == "show" ? Show.helpMessage(columns: nil)
                  : arguments.last == "export" ? Export.helpMessage(columns: nil) : Storemon.helpMessage(columns: nil))
            exit(0)
        }
        // `storemon replay ...`, `storemon export ...`: the root's optional PATH argument would
        // otherwise take the subcommand's name, so the subcommand is picked here (it is still listed in --help).
        if arguments.first == "replay" {
            await run(Replay.self, Array(arguments.dropFirst()))
        } else if arguments.first == "show" {
            await run(Show.self, Array(arguments.dropFirst()))
        } else if arguments.first == "export" {
            await run(Export.self, Array(arguments.dropFirst()))
        } else {
            await run(Storemon.self, arguments)
        }
    }

    /// Parses `arguments` for `type` and runs it; exit codes as documented.
    static func run<C: ParsableCommand>(_ type: C.Type, _ arguments: [String]) async {
        do {
            var command = try type.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = type.exitCode(for: error)
            if code == .success {
                print(type.fullMessage(for: error))
                exit(0)
            }
            if code == .validationFailure {
                let message = type.fullMessage(for: error)
                FileHandleOutput.standardError(message + "\n")
                exit(2)
            }
            type.exit(withError: error)
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
