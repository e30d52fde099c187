import ArgumentParser
import Foundation
import StoremonCore

/// `storemon show ID`: prints one queued message (envelope, recipients, stored headers,
/// message log, optionally the body) from the spool, as text or JSON.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a queued message: envelope, recipients, headers, message log (and body).",
        discussion: """
            Reads the message's -H file (and -J, -D, msglog/ID) from the spool, like eximon's \
            Headers, Message log and Body views; nothing is written. The spool is --spool DIR, \
            else `exim -bP spool_directory`, else /var/spool/exim or /var/spool/exim4.

            Shown: the sender, the received time and age, the size as exim -bp prints it, \
            frozen and since when, the sending host, HELO, protocol, authentication, TLS and \
            ACL variables, every option line; the recipients, pending and delivered; every \
            stored header with its flag letter and what it means (* deleted, P Received, \
            I Message-ID, F From, T To, C Cc, B Bcc, R Reply-To, S Sender); the message log \
            when it exists and can be read; with --body the body (up to 256 KiB, with a note \
            when it is cut). All text is quoted for the terminal (control characters spelt out).

            Exit codes: 0 ok; 1 the id is malformed, not on the queue, or cannot be read \
            (the message names the path, the cause and the fix); 2 usage error.
            """)

    @Argument(help: ArgumentHelp("The message id (e.g. 1xZl3a-0002jZ-0Q or 1tSxTb-00000000CXd-29Hd).", valueName: "ID"))
    var id: String

    @Option(name: .customLong("spool"), help: ArgumentHelp("Exim's spool directory (the one holding input/).", valueName: "DIR"))
    var spool: String?

    @Option(name: .customLong("queue"), help: ArgumentHelp("The named queue holding the message (spool/NAME/input).", valueName: "NAME"))
    var queue: String?

    @Flag(name: .customLong("body"), help: "Also print the body (from -D, up to 256 KiB).")
    var body = false

    @Flag(name: .customLong("json"), help: "Print one JSON object (documented in the README).")
    var json = false

    func run() throws {
        let directory: String
        do {
            directory = try PathDiscovery.spool(named: spool, exim: InstalledExim()).directory
        } catch {
            FileHandleOutput.standardError("storemon show: \(error)\n")
            throw ExitCode(1)
        }
        let view: MessageView
        do {
            view = try MessageView.read(id: id, spoolDirectory: directory, queueName: queue,
                                        bodyLimit: body ? MessageView.bodyLimit : nil,
                                        now: Int(Date().timeIntervalSince1970))
        } catch {
            FileHandleOutput.standardError("storemon show: \(error)\n")
            throw ExitCode(1)
        }
        if json {
            FileHandleOutput.standardOutput(MessageViewJSON.render(view) + "\n")
        } else {
            let lines = MessageViewText.lines(view)
            FileHandleOutput.standardOutput(lines.map(\.string).joined(separator: "\n") + "\n")
        }
    }
}
