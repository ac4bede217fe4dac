/// One row of a Node's conditions table, as `kubectl describe node` prints it: `Ready  False
/// <heartbeat>  <transition>  KubeletNotReady  message`, cells apart by two spaces or tabs (see
/// `DescribeObject.cells`). A reason wider than its column leaves one space before the message
/// (kubernetes#34314): a fifth cell that holds a space is the reason and the message.
struct NodeConditionRow {
    let type: String
    let status: String
    let reason: String?
    let message: String

    init?(cells: [String]) {
        guard cells.count >= 2, ["True", "False", "Unknown"].contains(cells[1]) else { return nil }
        (type, status) = (cells[0], cells[1])
        if cells.count == 5, let space = cells[4].firstIndex(of: " ") {
            reason = String(cells[4][..<space])
            message = TextLine.trimmingBlanks(String(cells[4][space...]))
        } else {
            reason = cells.count > 4 ? cells[4] : nil
            message = cells.count > 5 ? cells[5...].joined(separator: " ") : ""
        }
    }

    /// Ready not True, any other condition (pressure, NetworkUnavailable, node-problem-detector's) not False.
    var isWrong: Bool { Self.isWrong(type: type, status: status) }

    static func isWrong(type: String, status: String) -> Bool {
        type == "Ready" ? status != "True" : status != "False"
    }

    /// The words a wrong condition no rule explains is quoted in.
    static func sentence(type: String, status: String, reason: String?, message: String) -> String {
        "Node condition \(type) is \(status)" + (reason.map { " (\($0))" } ?? "") + ": " + message
    }
}
