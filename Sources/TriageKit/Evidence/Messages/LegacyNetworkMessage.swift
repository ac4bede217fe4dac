/// GKE refuses VPC-native clusters on legacy (non-subnet) networks:
/// `IP aliases cannot be used with a legacy network`, and the other "legacy network" refusals.
enum LegacyNetworkMessage {
    static func recognize(_ text: String) -> [[String: String]]? {
        guard text.range(of: "legacy network", options: .caseInsensitive) != nil else { return nil }
        var facts = ["message": "legacy-network", "failure": "invalid"]
        if let network = ErrorText.word(after: "networks/", in: text, stops: ["/", "\"", "'", ",", ")", ":", ";"])
            ?? ErrorText.quoted(after: "network", in: text)
        {
            facts["network"] = network
        }
        if let project = ErrorText.project(in: text) { facts["project"] = project }
        return [facts]
    }
}
