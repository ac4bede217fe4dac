/// The record formats triage tells apart by content.
public enum InputFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (Cloud Logging exports, `jq -c`).
    case ndjson
    /// JSON values one after another: gcloud `--format=json` arrays, one pretty-printed object,
    /// or several concatenated.
    case jsonStream = "json"
    /// gcloud's default YAML: a `---` line before each entry; also one plain YAML document.
    case yaml
    /// Anything else that is text: gcloud tables, `kubectl describe`/`get events` output, error
    /// messages pasted from a terminal. Read line by line by the text parsers.
    case text
}

/// A problem with one record or one input, reported on stderr and counted; the run goes on.
public struct InputProblem: Sendable, CustomStringConvertible {
    public var input: String
    public var line: Int?
    public var byteOffset: Int64?
    public var reason: String
    /// The counting bucket in the run's account ("malformed JSON", "truncated gzip", …).
    public var category: String

    public var description: String {
        var place = input
        if let line { place += ":\(line)" }
        if let byteOffset { place += " (byte \(byteOffset))" }
        return "\(place): \(reason)"
    }
}

/// Where a record came from, for evidence references.
public struct RecordLocation: Sendable, Hashable, CustomStringConvertible {
    public var input: String
    public var line: Int
    public var byteOffset: Int64

    public var description: String { "\(input):\(line)" }
}

/// Receives each record the reader frames, and each problem it meets.
public protocol RecordSink: AnyObject {
    /// `locate` turns the record into a file:line location; it costs a newline count, so call it
    /// only for records that are kept as examples.
    func consume(_ record: RecordFields, format: InputFormat, locate: () -> RecordLocation)
    func problem(_ problem: InputProblem)
    /// One line of a text input (no line break), numbered from 1.
    func text(_ line: String, number: Int, input: String)
    /// A text input ended.
    func endOfText(input: String)
}

extension RecordSink {
    public func text(_ line: String, number: Int, input: String) {}
    public func endOfText(input: String) {}
}
