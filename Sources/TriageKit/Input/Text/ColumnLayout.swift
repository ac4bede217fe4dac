/// The columns of a table printed by Go's tabwriter (kubectl's `get` printer pads with 3 spaces,
/// the describe printer with 2): a header's names start where its cells start, so each row is cut
/// at the header's offsets. When a paste has lost the alignment (re-indented, tabs turned into
/// single spaces by a chat tool), cells are split on runs of two or more spaces instead.
struct ColumnLayout {
    struct Column {
        var name: String
        var start: Int
    }

    let columns: [Column]

    /// Column names and offsets in `header`; names are separated by at least two spaces
    /// (`LAST SEEN` is one name).
    init(header: String) {
        var columns: [Column] = []
        let characters = Array(header)
        var i = 0
        while i < characters.count {
            while i < characters.count, characters[i] == " " { i += 1 }
            guard i < characters.count else { break }
            let start = i
            var end = i
            while end < characters.count {
                if characters[end] == " " && (end + 1 >= characters.count || characters[end + 1] == " ") { break }
                end += 1
            }
            columns.append(Column(name: String(characters[start..<end]), start: start))
            i = end
        }
        self.columns = columns
    }

    func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// The row's cells, one per column (empty strings for empty cells), or nil when the row
    /// cannot be a row of this table.
    func cells(_ row: String) -> [String]? {
        let characters = Array(row)
        if let cut = cutAtOffsets(characters) { return cut }
        return splitOnSpaceRuns(row)
    }

    private func cutAtOffsets(_ characters: [Character]) -> [String]? {
        guard let last = columns.last, characters.count > last.start || columns.count == 1 else { return nil }
        var cells: [String] = []
        for (n, column) in columns.enumerated() {
            let start = column.start
            let end = n + 1 < columns.count ? min(columns[n + 1].start, characters.count) : characters.count
            guard start <= end else { return nil }
            // A cell must begin at its column: preceded by padding, not in the middle of a word.
            if start > 0, start < characters.count, characters[start - 1] != " " { return nil }
            if n + 1 < columns.count, end < characters.count, end > 0, characters[end - 1] != " " { return nil }
            cells.append(TextLine.trimmingBlanks(String(characters[start..<end])))
        }
        return cells
    }

    /// Fallback: runs of two or more spaces end cells; the widest (message) column takes what is
    /// left over in the middle, so trailing columns after it still line up from the right.
    private func splitOnSpaceRuns(_ row: String) -> [String]? {
        var pieces: [String] = []
        var current = ""
        var spaces = 0
        for character in row {
            if character == " " {
                spaces += 1
                continue
            }
            if spaces >= 2, !current.isEmpty {
                pieces.append(current)
                current = ""
            } else if spaces > 0, !current.isEmpty {
                current += String(repeating: " ", count: spaces)
            }
            spaces = 0
            current.append(character)
        }
        if !current.isEmpty { pieces.append(current) }
        guard pieces.count >= columns.count else { return nil }
        guard let message = index(of: "MESSAGE") ?? index(of: "Message") else {
            return Array(pieces.prefix(columns.count - 1)) + [pieces.dropFirst(columns.count - 1).joined(separator: "  ")]
        }
        let after = columns.count - message - 1
        let head = Array(pieces.prefix(message))
        let tail = Array(pieces.suffix(after))
        let middle = pieces[message..<(pieces.count - after)].joined(separator: "  ")
        return head + [middle] + tail
    }
}
