/// How long GKE operations usually take, in whole minutes, and when a running one is overdue.
///
/// The numbers are what a healthy operation on a small-to-medium Standard cluster (a few node
/// pools of a few nodes) usually takes; they come from GKE's documentation ("cluster creation
/// takes several minutes", control-plane upgrades of regional clusters replace one replica at a
/// time, node upgrades surge one node at a time) and from the operation history in the samples.
/// They are deliberately on the generous side, because the point is to tell "slow" from "stuck".
public enum GKEOperationDurations {
    /// Typical minutes per `operationType`; nil when there is no meaningful typical duration.
    public static func typicalMinutes(_ type: String) -> Int? {
        if let minutes = table[type] { return minutes }
        // SET_LABELS, SET_MASTER_AUTH, SET_MAINTENANCE_POLICY, SET_LEGACY_ABAC, …: metadata
        // changes the control plane applies in a minute or two.
        if type.hasPrefix("SET_") { return 2 }
        return nil
    }

    /// A running operation is overdue past this many times its typical duration. Durations have
    /// a long tail (a bigger pool, a stock-out retry), so 2× leaves room for a slow but healthy
    /// operation while still flagging one that is stuck well before GKE gives up on it.
    public static let overdueFactor = 2

    private static let table: [String: Int] = [
        // Private regional cluster: control plane, peering or PSC endpoint, first node pool.
        "CREATE_CLUSTER": 10,
        "DELETE_CLUSTER": 8,
        // One managed instance group per zone, nodes boot and register in parallel.
        "CREATE_NODE_POOL": 5,
        "DELETE_NODE_POOL": 5,
        // Regional control planes are upgraded one replica at a time.
        "UPGRADE_MASTER": 20,
        // Surge upgrades replace nodes one (maxSurge) at a time; this covers a pool of a few
        // nodes. Large pools legitimately take longer, so this threshold is the loosest.
        "UPGRADE_NODES": 60,
        "AUTO_UPGRADE_NODES": 60,
        "REPAIR_CLUSTER": 20,
        "AUTO_REPAIR_NODES": 15,
        // Some updates (network policy, Workload Identity) recreate nodes; most are quick.
        "UPDATE_CLUSTER": 10,
        "RESIZE_CLUSTER": 5,
        "SET_NODE_POOL_SIZE": 5,
        "SET_NETWORK_POLICY": 10,
    ]
}
