/// `kubectl describe` output, one object after another: the printer writes `Key:  value` lines,
/// two spaces deeper per level, continuation lines for multi-line values, and an `Events:` table
/// (`Type  Reason  Age  From  Message` over a `----` underline). A new object starts with a
/// `Name:` line at the left margin, usually after a blank line.
final class DescribeObject {
    struct Entry {
        var indent: Int
        /// Keys of the enclosing entries, outermost first (`["Status", "Conditions"]`).
        var parents: [String]
        var key: String
        var value: String
        var line: Int
        var text: String
    }

    struct Event {
        var row: EventRow
        var line: Int
        var text: String
    }

    let firstLine: Int
    private(set) var entries: [Entry] = []
    private(set) var events: [Event] = []

    init(firstLine: Int) { self.firstLine = firstLine }

    private var stack: [(indent: Int, key: String)] = []
    private var eventColumns: ColumnLayout?
    private var inEvents = false
    /// Inside a Node's `Conditions:` table (`Type  Status  LastHeartbeatTime  …`), once its header was read.
    private var inNodeConditions = false
    /// A Node describes its conditions as a table, which no other describer does.
    private(set) var hasNodeConditions = false
    private var conditionMessages: Set<String> = []
    /// The Node's Ready condition's status, once its row was read. A Ready node whose other
    /// conditions say Unknown kept them from before (kubernetes#73397: OutOfDisk, which kubelets
    /// stopped posting in 1.12, stays `NodeStatusUnknown` on a node that is Ready).
    private(set) var readyStatus: String?

    func value(_ key: String) -> String? {
        entries.first { $0.indent == 0 && $0.key == key }.map(\.value)
    }

    var name: String? { value("Name") }
    var namespace: String? { value("Namespace").flatMap { $0.isEmpty || $0 == "<none>" ? nil : $0 } }

    /// `Kind:` when the generic printer wrote one (custom resources, APIService, webhook
    /// configurations), else recognised from the sections a built-in describer writes.
    var kind: String? {
        if let kind = value("Kind"), !kind.isEmpty { return kind }
        let top = Set(entries.lazy.filter { $0.indent == 0 }.map(\.key))
        if top.contains("Containers") && top.contains("Node") { return "Pod" }
        if top.contains("Rules") && (top.contains("Default backend") || top.contains("Address")) { return "Ingress" }
        if top.contains("Pod Template") && top.contains("Controlled By") { return "ReplicaSet" }
        if top.contains("Pod Template") && top.contains("StrategyType") { return "Deployment" }
        if (top.contains("Taints") && top.contains("Capacity")) || hasNodeConditions { return "Node" }
        if top.contains("TargetPort") && top.contains("Endpoints") { return "Service" }
        return nil
    }

    /// Config Connector resources carry `API Version: <service>.cnrm.cloud.google.com/v1beta1`.
    var isConfigConnector: Bool { value("API Version")?.includes("cnrm.cloud.google.com") ?? false }

    /// Takes one more line of this object; false when the line cannot belong to it (the caller
    /// then reads it as something else).
    func take(_ text: String, number: Int) -> Bool {
        // kubectl before 1.9 aligned with tabs: `Name:\t\t\tx`, labels continued on `\t\t\tkey=value` lines.
        let indent = text.prefix { $0 == " " || $0 == "\t" }.count
        let content = text.dropFirst(indent)
        if content.isEmpty {
            if inEvents && eventColumns != nil { inEvents = false }
            inNodeConditions = false
            return true
        }
        if indent > 0, stack.count == 1, stack[0].key == "Conditions", entries.last?.key == "Conditions" || inNodeConditions {
            if inNodeConditions {
                takeNodeCondition(content, text: text, number: number)
                return true
            }
            if content.hasPrefix("Type"), content.includes("LastHeartbeatTime") {
                inNodeConditions = true
                hasNodeConditions = true
                return true
            }
        }
        if indent == 0 { inNodeConditions = false }
        if inEvents {
            if indent > 0 {
                takeEventLine(text, content: content, number: number)
                return true
            }
            inEvents = false
        }
        if indent == 0 {
            guard let (key, value) = DescribeObject.keyValue(content), DescribeObject.isTopLevelKey(key) else {
                return false
            }
            stack = [(0, key)]
            entries.append(Entry(indent: 0, parents: [], key: key, value: value, line: number, text: text))
            if key == "Events" && value.isEmpty { inEvents = true; eventColumns = nil }
            return true
        }
        while let top = stack.last, top.indent >= indent { stack.removeLast() }
        if let (key, value) = DescribeObject.keyValue(content) {
            entries.append(Entry(indent: indent, parents: stack.map(\.key), key: key, value: value, line: number, text: text))
            stack.append((indent, key))
        } else if var last = entries.popLast() {
            // A continuation: an annotation or a long message the printer wrapped onto more lines.
            last.value = last.value.isEmpty ? String(content) : last.value + " " + content
            entries.append(last)
        }
        return true
    }

    /// One row of a Node's conditions (`NodeConditionRow`). Only a condition that is wrong is kept,
    /// as the generic printer's `Type:`/`Status:`/`Reason:`/`Message:` fields, once per message.
    private func takeNodeCondition(_ content: Substring, text: String, number: Int) {
        if content.hasPrefix("----") { return }
        guard let row = NodeConditionRow(cells: Self.cells(content)) else { return }
        if row.type == "Ready" { readyStatus = row.status }
        guard row.isWrong, !row.message.isEmpty, conditionMessages.count < 64, conditionMessages.insert(row.message).inserted
        else { return }
        let parents = ["Conditions"]
        entries.append(Entry(indent: 2, parents: parents, key: "Type", value: row.type, line: number, text: text))
        entries.append(Entry(indent: 2, parents: parents, key: "Status", value: row.status, line: number, text: text))
        if let reason = row.reason { entries.append(Entry(indent: 2, parents: parents, key: "Reason", value: reason, line: number, text: text)) }
        entries.append(Entry(indent: 2, parents: parents, key: "Message", value: row.message, line: number, text: text))
    }

    /// A table row's cells: apart by a tab or by two spaces or more.
    static func cells(_ row: Substring) -> [String] {
        var cells: [String] = []
        var cell = ""
        var spaces = 0
        for character in row {
            if character == "\t" || (character == " " && spaces >= 1) {
                if !cell.isEmpty { cells.append(TextLine.trimmingBlanks(cell)) }
                cell = ""
                spaces = character == " " ? spaces + 1 : 0
                continue
            }
            if character == " " {
                spaces += 1
                cell.append(character)
                continue
            }
            spaces = 0
            cell.append(character)
        }
        if !TextLine.trimmingBlanks(cell).isEmpty { cells.append(TextLine.trimmingBlanks(cell)) }
        return cells.filter { !$0.isEmpty }
    }

    private func takeEventLine(_ text: String, content: Substring, number: Int) {
        guard let columns = eventColumns else {
            if content.hasPrefix("Type") && content.includes("Message") { eventColumns = ColumnLayout(header: text) }
            return
        }
        if content.hasPrefix("----") { return }
        let message = columns.columns.last.map(\.start) ?? 0
        if let cells = columns.cells(text) {
            var named: [String: String] = [:]
            for (column, cell) in zip(columns.columns, cells) { named[column.name.uppercased()] = cell }
            if let row = EventRow(cells: named) {
                events.append(Event(row: row, line: number, text: text))
                return
            }
        }
        // A message with line breaks goes on below its row, indented less than the Message
        // column (Config Connector's `Update call failed: … NodePool: \n (1) Google Compute
        // Engine: …`): it is the same message.
        let indent = text.utf8.prefix { $0 == 0x20 }.count
        guard indent > 0, indent < message, let last = events.indices.last,
            events[last].row.message.utf8.count < Self.maximumEventMessage
        else { return }
        let more = TextLine.trimmingBlanks(String(content))
        events[last].row.message = TextLine.trimmingBlanks(events[last].row.message) + " " + more
        events[last].text += " " + more
    }

    /// An event's message joined from its lines stops growing here.
    static let maximumEventMessage = 16 << 10

    /// `Key:  value`, `Key:` → (key, value); nil for lines that are not a field.
    static func keyValue(_ content: Substring) -> (String, String)? {
        guard let colon = content.firstIndex(of: ":") else { return nil }
        let key = content[..<colon]
        guard let first = key.first, first.isLetter, !key.includes("\""), !key.includes("("), key.count <= 60 else {
            return nil
        }
        let after = content[content.index(after: colon)...]
        guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
        return (String(key), after.trimmingCharacters(in: [" ", "\t"]))
    }

    /// A field the describe printer writes at the margin: capitalised, and not an error prefix
    /// (`Error: INSTALLATION FAILED: …` is helm, not a field).
    static func isTopLevelKey(_ key: String) -> Bool {
        guard key.first?.isUppercase == true else { return false }
        return !["Error", "Warning", "Note", "Hint", "Usage", "Fatal", "Caused by"].contains(key)
    }

    /// Whether a line starts a new object: `Name:` at the margin followed by a value.
    static func startsObject(_ text: String) -> Bool {
        guard text.hasPrefix("Name:") else { return false }
        let rest = text.dropFirst(5)
        return rest.first == " " || rest.first == "\t"
    }
}
