#if canImport(Glibc)
import Glibc
#endif

enum Memory {
    /// glibc raises its mmap threshold each time a block above it is freed (up to 32 MiB), so once
    /// the flow table has grown and freed a large array, later large arrays come from the heap and
    /// their pages stay resident after they are freed: 72 MiB peak on 1 GB of high-cardinality
    /// NDJSON. A fixed threshold (glibc's starting value, 128 KiB) keeps large blocks in their own
    /// mappings, returned on free: 63 MiB on the same input, no slower (`make bench`).
    static func fixMallocThresholds() {
        #if canImport(Glibc)
        // <malloc.h> is not in Swift's Glibc module: mallopt is looked up by name.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 128 << 10)
        #endif
    }
}
