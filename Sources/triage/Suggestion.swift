import ArgumentParser

/// "Did you mean …?" for a mistyped word: the nearest of a few known words, when it is near.
enum Suggestion {
    /// The candidate closest to `word` by edit distance (a swap of two neighbours counts as one
    /// edit), when it is within two edits and within half the candidate's length; ties go to the
    /// earlier candidate. Case is ignored.
    static func nearest(_ word: String, among candidates: [String]) -> String? {
        let typed = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            guard distance <= min(2, candidate.count / 2) else { continue }
            if best.map({ distance < $0.distance }) ?? true { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// adjacent characters, each one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, table[i - 2][j - 2] + 1) }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }
}

/// A word among fixed choices (an enum's raw values), parsed so that a typo is answered with the
/// nearest choice: `--format jsno` says "did you mean 'json'?".
enum Choice {
    struct Invalid: Error, CustomStringConvertible {
        var value: String
        var choices: [String]

        var description: String {
            let list = choices.map { "'\($0)'" }.joined(separator: ", ")
            if let near = Suggestion.nearest(value, among: choices) { return "did you mean '\(near)'? (one of \(list))" }
            return "give one of \(list)"
        }
    }

    static func parse<T: CaseIterable & RawRepresentable>(_ text: String) throws -> T where T.RawValue == String {
        if let value = T(rawValue: text) { return value }
        throw Invalid(value: text, choices: T.allCases.map(\.rawValue))
    }

    /// The choices, for shell completion.
    static func completion<T: CaseIterable & RawRepresentable>(_: T.Type) -> CompletionKind where T.RawValue == String {
        .list(T.allCases.map(\.rawValue))
    }
}
