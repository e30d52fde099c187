import ArgumentParser
import Glibc
import StoremonSystem

/// The entry point: parses the command line with swift-argument-parser, but maps usage
/// errors to exit code 2 (ArgumentParser's own default is 64) as the help documents.
///
/// Before anything else it makes the process safe in hostile surroundings:
/// - a closed stdin or stderr is pointed at `/dev/null`, and a closed stdout is an error
///   (exit 1), so no file opened later becomes descriptor 1 and receives the output;
/// - Swift's crash backtracer is told never to wait at an interactive prompt
///   (`SWIFT_BACKTRACE=interactive=no`, by re-executing once when the user did not
///   choose), so a crash restores the terminal and ends.
@main
enum StoremonMain {
    static func main() async {
        noInteractiveBacktrace()
        guard StandardDescriptors.secure() else {
            Runner.complain("standard output is closed: nothing could be shown (run it with stdout open)")
            exit(1)
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `storemon help [replay]`, as ArgumentParser's help suggests (unless a file is named "help")
        if arguments.first == "help", arguments.count <= 2, access("help", F_OK) != 0 {
            printOrFail(arguments.last == "replay" ? Replay.helpMessage(columns: nil)
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
                printOrFail(type.fullMessage(for: error))
                exit(0)
            }
            if code == .validationFailure {
                // the message may repeat what was typed: quoted, so it cannot drive the terminal
                FileHandleOutput.standardError(Runner.quotedForTerminal(type.fullMessage(for: error)) + "\n")
                exit(2)
            }
            if let exit = error as? ExitCode { Glibc.exit(exit.rawValue) }
            FileHandleOutput.standardError(Runner.quotedForTerminal(type.fullMessage(for: error)) + "\n")
            exit(code.rawValue)
        }
    }

    /// Prints help text; a failed stdout is exit 1 with a message.
    static func printOrFail(_ text: String) {
        do { try Runner.output(text + "\n") } catch {
            Runner.complain(error.description)
            exit(1)
        }
    }

    /// Re-executes once with `interactive=no` added to `SWIFT_BACKTRACE` unless the user
    /// already set `interactive` (the runtime reads the variable before `main`).
    static func noInteractiveBacktrace() {
        let current = getenv("SWIFT_BACKTRACE").map { String(cString: $0) } ?? ""
        guard !current.contains("interactive=") else { return }
        let value = current.isEmpty ? "interactive=no" : current + ",interactive=no"
        setenv("SWIFT_BACKTRACE", value, 1)
        // the arguments as the kernel gave them (CommandLine.unsafeArgv is NUL-terminated)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed (no /proc): carry on; the variable helps child processes at least
    }
}

/// Writes to stdout/stderr without touching the C `stdout`/`stderr` globals (Swift 6).
enum FileHandleOutput {
    /// Writes all of `text` to fd 2 (errors ignored: there is nowhere left to report them).
    static func standardError(_ text: String) { try? OutputChannel.standardError.write(text) }
    /// Writes all of `text` to fd 1 (for callers that do not check; `Runner.output` does).
    static func standardOutput(_ text: String) { try? Runner.output(text) }
}
