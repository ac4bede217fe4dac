import Foundation

/// gcloud's default tables for GKE: `gcloud container operations list` (NAME TYPE LOCATION TARGET
/// STATUS_MESSAGE STATUS START_TIME END_TIME; older releases say ZONE) and `gcloud container
/// clusters list` (NAME LOCATION MASTER_VERSION MASTER_IP MACHINE_TYPE NODE_VERSION NUM_NODES
/// STATUS). gcloud pads every column to its widest cell and leaves empty cells blank, so column
/// positions come from the header and each cell is the text under its header word.
public final class GKEOperationsTable: TextTableParser {
    enum Kind { case operations, clusters }

    let kind: Kind
    let input: String
    let columns: Columns
    private var observations: [Observation] = []

    init(kind: Kind, input: String, columns: Columns) {
        self.kind = kind
        self.input = input
        self.columns = columns
    }

    public static func parser(header: String, input: String, line: Int) -> GKEOperationsTable? {
        let columns = Columns(header: header)
        let names = Set(columns.names)
        guard columns.names.first == "NAME" else { return nil }
        if names.isSuperset(of: ["TYPE", "TARGET", "STATUS"]) && (names.contains("LOCATION") || names.contains("ZONE")) {
            return GKEOperationsTable(kind: .operations, input: input, columns: columns)
        }
        if names.isSuperset(of: ["MASTER_VERSION", "NUM_NODES", "STATUS"]) && (names.contains("LOCATION") || names.contains("ZONE")) {
            return GKEOperationsTable(kind: .clusters, input: input, columns: columns)
        }
        return nil
    }

    public func line(_ text: String, number: Int) {
        let plain = Columns.withoutColour(text)
        guard let cells = columns.cells(of: plain), let name = cells["NAME"], !name.isEmpty else { return }
        let place = RecordLocation(input: input, line: number, byteOffset: 0)
        let quote = Columns.trimmed(plain[...])
        switch kind {
        case .operations:
            // A row that is not an operation (a footnote, the next command) is not ours.
            guard name.hasPrefix("operation-"), let type = cells["TYPE"], !type.isEmpty else { return }
            var f = ["operation": name, "type": type]
            f["location"] = cells["LOCATION"] ?? cells["ZONE"]
            if let target = cells["TARGET"], !target.isEmpty {
                // The table has no links: TARGET is the node pool for node operations, else the cluster.
                f["target"] = target
                if type.includes("NODE_POOL") || type.hasSuffix("_NODES") {
                    f["target_kind"] = "node-pool"
                    f["node_pool"] = target
                } else {
                    f["target_kind"] = "cluster"
                    f["cluster"] = target
                }
            }
            f["status"] = cells["STATUS"]
            f["start_time"] = cells["START_TIME"]
            f["end_time"] = cells["END_TIME"]
            let message = cells["STATUS_MESSAGE"].flatMap { $0.isEmpty ? nil : $0 }
            f = f.filter { !$0.value.isEmpty }
            observations.append(GKEOperations.make(
                facts: f, messages: message.map { [$0] } ?? [], location: place, source: GKEOperations.tableSource,
                quote: quote))
        case .clusters:
            var f = ["cluster": name]
            f["location"] = cells["LOCATION"] ?? cells["ZONE"]
            f["status"] = cells["STATUS"]
            f["master_version"] = cells["MASTER_VERSION"]
            // NODE_VERSION may end in " *" (an upgrade is available, explained in a footnote).
            f["node_version"] = cells["NODE_VERSION"].map { $0.hasSuffix(" *") ? String($0.dropLast(2)) : $0 }
            f["num_nodes"] = cells["NUM_NODES"]
            f = f.filter { !$0.value.isEmpty }
            observations.append(ClusterState.status(
                f, message: nil, location: place, source: ClusterState.listSource, quote: quote))
        }
    }

    public func finish(into collector: EvidenceCollector) -> Int {
        for observation in observations { collector.add(observation) }
        defer { observations = [] }
        return observations.count
    }

    /// Column names and where each starts, from a gcloud table header.
    struct Columns {
        let names: [String]
        /// Character offsets of each name in the header.
        let starts: [Int]

        init(header: String) {
            var names: [String] = []
            var starts: [Int] = []
            var offset = 0
            var current = ""
            for character in Columns.withoutColour(header) {
                if character == " " {
                    if !current.isEmpty {
                        names.append(current)
                        current = ""
                    }
                } else {
                    if current.isEmpty { starts.append(offset) }
                    current.append(character)
                }
                offset += 1
            }
            if !current.isEmpty { names.append(current) }
            self.names = names
            self.starts = starts
        }

        /// The cells of a row, by column name; nil when the row does not line up with the header
        /// (a cell that starts before its column, as in a line that is not part of the table).
        func cells(of row: String) -> [String: String]? {
            // gcloud pads by character; an ASCII row (the usual case) is sliced by byte, cheaply.
            if row.utf8.allSatisfy({ $0 < 0x80 }) {
                return cells(of: Array(row.utf8), space: UInt8(ascii: " ")) { String(decoding: $0, as: UTF8.self) }
            }
            return cells(of: Array(row), space: " ") { String($0) }
        }

        private func cells<C: Equatable>(
            of row: [C], space: C, text: (ArraySlice<C>) -> String
        ) -> [String: String]? {
            guard !row.isEmpty, row[0] != space else { return nil }
            var cells: [String: String] = [:]
            for (i, name) in names.enumerated() {
                let start = starts[i]
                // Every column but the first starts after a gap; text there means a cell ran over.
                if i > 0, start - 1 < row.count, row[start - 1] != space { return nil }
                guard start < row.count else {
                    cells[name] = ""
                    continue
                }
                // A cell runs to the next column's start; the last one to the end of the line.
                let end = i + 1 < starts.count ? min(starts[i + 1], row.count) : row.count
                cells[name] = Columns.trimmed(text(row[start..<end])[...])
            }
            return cells
        }

        /// Without leading and trailing spaces (the padding gcloud adds).
        static func trimmed(_ text: Substring) -> String {
            var text = text
            while text.first == " " { text.removeFirst() }
            while text.last == " " { text.removeLast() }
            return String(text)
        }

        /// gcloud colours nothing in these tables, but a paste from a coloured terminal may.
        static func withoutColour(_ text: String) -> String {
            guard text.utf8.contains(0x1B) else { return text }
            return text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*[A-Za-z]", with: "", options: .regularExpression)
        }
    }
}
