/// The VM-side addresses of records whose VM-side end a folded flow table counts per class (see
/// `FlowTable.foldVMSide`), each with the VM name it was first logged with: role inference learns
/// GKE nodes from these pairs (`FlowTable.forEachObservedVM`), and the folded groups keep only
/// a sample of them. One entry per distinct address, so it grows with the cluster's own
/// addresses, never with the internet's.
struct ObservedVMSides {
    struct Entry {
        var address: IPAddress
        /// The VM name's interned id in the owning table.
        var name: Int32
        /// Where the address was first seen with a VM name (a record position).
        var position: Int64
    }

    private(set) var entries: [Entry] = []
    private var index: [IPAddress: Int] = [:]

    /// Records an address seen at the VM's end; an earlier sighting keeps its name.
    @inline(__always)
    mutating func note(_ address: IPAddress, name: Int32, at position: Int64) {
        if let known = index[address] {
            if position < entries[known].position { entries[known] = Entry(address: address, name: name, position: position) }
            return
        }
        index[address] = entries.count
        entries.append(Entry(address: address, name: name, position: position))
    }

    /// Takes in another table's entries, with its name ids translated and positions shifted.
    mutating func absorb(_ other: ObservedVMSides, translate: (Int32) -> Int32, positionOffset: Int64) {
        for entry in other.entries { note(entry.address, name: translate(entry.name), at: entry.position + positionOffset) }
    }
}
