/// The API server's own tunnel to the nodes is down (`kubectl logs/exec/port-forward` fail):
/// SSH tunnels on old private clusters need tcp:22 from the control plane; a request that did not
/// complete within the API server's timeout is usually a webhook that never answered.
enum ControlPlaneTunnelMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        if text.includes("No SSH tunnels currently open") {
            var facts = ["message": "ssh-tunnels-down", "failure": "timeout", "port": "22"]
            if let user = ErrorText.quoted(after: "ssh-key for user", in: text) { facts["user"] = user }
            return [facts]
        }
        if text.includes("Timeout: request did not complete within requested timeout") {
            return [["message": "request-timeout", "failure": ErrorText.failure(in: text) ?? "timeout"]]
        }
        return nil
    }
}
