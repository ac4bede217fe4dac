/// One value of a plan step as the declarative forms write it: its text, and where the evidence
/// did not give a value, the variable that names it (`NODE_TAG`), so each form writes the gap in
/// its own way (a Terraform variable, a marker `kubectl apply` refuses) and never as text.
struct StepValue: Hashable, Sendable {
    enum Piece: Hashable, Sendable {
        case text(String)
        case missing(String)
    }

    var pieces: [Piece]

    init(_ text: String) { pieces = [.text(text)] }

    init(pieces: [Piece]) {
        var merged: [Piece] = []
        for piece in pieces {
            if case .text(let next) = piece, case .text(let last)? = merged.last {
                merged[merged.count - 1] = .text(last + next)
            } else if case .text("") = piece {
                continue
            } else {
                merged.append(piece)
            }
        }
        self.pieces = merged
    }

    /// The whole value, or nil when part of it is missing.
    var text: String? {
        var out = ""
        for piece in pieces {
            guard case .text(let text) = piece else { return nil }
            out += text
        }
        return out
    }

    /// The variables it lacks, in order.
    var missing: [String] {
        pieces.compactMap { if case .missing(let name) = $0 { return name } else { return nil } }
    }

    /// For keys and comments: the text with `<NAME>` for what is missing.
    var display: String {
        pieces.map { piece in
            switch piece {
            case .text(let text): return text
            case .missing(let name): return "<" + name + ">"
            }
        }.joined()
    }

    /// Split at a separator in its text (gcloud's list flags); a missing value is never split.
    func split(_ separator: Character) -> [StepValue] {
        var items: [[Piece]] = [[]]
        for piece in pieces {
            guard case .text(let text) = piece else {
                items[items.count - 1].append(piece)
                continue
            }
            let parts = text.split(separator: separator, omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if index > 0 { items.append([]) }
                items[items.count - 1].append(.text(String(part)))
            }
        }
        return items.map(StepValue.init(pieces:)).filter { !$0.pieces.isEmpty }
    }

    /// `tcp:443` as `tcp` and `443`: at the first separator, which must come before any missing part.
    func splittingFirst(_ separator: Character) -> (StepValue, StepValue)? {
        guard case .text(let head)? = pieces.first, let index = head.firstIndex(of: separator) else { return nil }
        let before = StepValue(String(head[..<index]))
        let after = StepValue(pieces: [.text(String(head[head.index(after: index)...]))] + pieces.dropFirst())
        return (before, after)
    }
}

extension StepValue {
    /// `projects/P/global/networks/N`, the partial URL both forms take for a network (Config
    /// Connector's `networkRef.external`, Terraform's `network_url`); a URL given stays as it is.
    static func networkPath(_ network: StepValue, project: StepValue?) -> StepValue {
        guard let project, !(network.text?.contains("/") ?? false) else { return network }
        return StepValue(pieces: [.text("projects/")] + project.pieces + [.text("/global/networks/")] + network.pieces)
    }
}

extension RemedyAction {
    /// A word's parts as a step value (a value keeps the encoding its template asked for).
    static func stepValue(_ parts: [ShellCommand.Part]) -> StepValue {
        StepValue(pieces: parts.map { part in
            switch part {
            case .literal(let text): return .text(text)
            case .value(let value, let languages): return .text(Quote.encode(value, languages))
            case .missing(let name): return .missing(name)
            }
        })
    }

    /// A `--name=value` flag's value, missing parts kept by name; nil when the flag is absent.
    func value(flag name: String) -> StepValue? {
        flagParts(name).map(Self.stepValue).flatMap { $0.pieces.isEmpty ? nil : $0 }
    }

    /// A list flag's items.
    func values(flag name: String) -> [StepValue] {
        value(flag: name)?.split(",") ?? []
    }

    /// The resource's name (the first positional argument after the command group).
    var nameValue: StepValue? {
        let rest = arguments.dropFirst(1 + pathLength)
        return rest.first { !ShellCommand.text($0).hasPrefix("-") }.map(Self.stepValue)
    }

    /// The names of the flags given (`--rules=…` → `rules`).
    var flagNames: [String] {
        arguments.map(ShellCommand.text).filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2).prefix { $0 != "=" }) }
    }

    /// One program and its arguments: no loop, pipe or redirection a form could not say.
    var isPlainCommand: Bool {
        command.words.allSatisfy { if case .argument = $0 { return true } else { return false } }
    }
}
