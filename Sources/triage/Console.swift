import Foundation
import TriageKit

/// stdout and stderr, written with write(2). A closed pipe (`triage … | head`) ends the run
/// quietly instead of with a crash; any other failure to write the report (a full disk) is an
/// error, exit 2. Everything written passes through the redactor: no secret the run holds
/// (nor anything shaped like a token) reaches either stream, whatever a server echoed.
enum Console {
    static func ignoreBrokenPipe() { signal(SIGPIPE, SIG_IGN) }

    static func out(_ text: String) {
        status.clear()
        write(1, Redactor.shared.redact(text))
    }

    static func err(_ text: String) { status.write(Redactor.shared.redact(text)) }

    /// One diagnostic line on stderr. Messages quote file names, file contents and server
    /// answers, so they are redacted and sanitised (one line, capped) like everything else
    /// that came from outside.
    static func diagnostic(_ message: String) {
        let line = TerminalText.sanitize(Redactor.shared.redact(message), limit: TerminalText.Limit.message)
        status.write("triage: " + line + "\n")
    }

    /// The progress line, when one is showing. Everything else written to stderr (from any
    /// thread: --verbose traces come from the fetching threads) erases it first, under one
    /// lock, so a message never lands at the end of a progress line.
    static let status = StatusLine()

    final class StatusLine: @unchecked Sendable {
        private let lock = NSLock()
        private var showing = false

        /// Draws `line`, which starts with its own erase (`LiveProgress.update`).
        func show(_ line: String) {
            lock.withLock {
                Console.write(2, line)
                showing = true
            }
        }

        /// Erases the line if one is showing.
        func clear() {
            lock.withLock {
                if showing { Console.write(2, LiveProgress.erase) }
                showing = false
            }
        }

        /// Writes `text` to stderr on a clean line.
        func write(_ text: String) {
            lock.withLock {
                if showing { Console.write(2, LiveProgress.erase) }
                showing = false
                Console.write(2, text)
            }
        }
    }

    fileprivate static func write(_ fd: Int32, _ text: String) {
        var text = text
        let failure: Int32? = text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        guard let failure else { return }
        // The reader went away (`| head`): it has what it wanted.
        if failure == EPIPE { exit(0) }
        // A report that could not be written is not a run that worked. A failing stderr has
        // nowhere to be reported; the run goes on and its exit status still tells.
        if fd == 1 {
            let reason = String(cString: strerror(failure))
            Console.write(2, "triage: cannot write the report to standard output: \(reason)\n")
            exit(2)
        }
    }

    static var stdinIsTerminal: Bool { isatty(0) == 1 }
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static func useColor(_ choice: ColorChoice) -> Bool {
        let env = ProcessInfo.processInfo.environment
        switch choice {
        case .always: return true
        case .never: return false
        case .auto:
            if env["NO_COLOR"].map({ !$0.isEmpty }) ?? false { return false }
            if env["FORCE_COLOR"].map({ !$0.isEmpty && $0 != "0" }) ?? false { return true }
            return isatty(1) == 1 && env["TERM"] != "dumb"
        }
    }

    /// Columns of the terminal on stderr (for the progress line), 80 when unknown.
    static var stderrWidth: Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }

    static var width: Int {
        var size = winsize()
        if isatty(1) == 1, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return min(Int(size.ws_col), 100) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return min(columns, 100) }
        return 80
    }
}
