import FuzzSupport
import TriageKit

/// Gzip through the sniffing path: inflate (on the read-ahead thread), gzip inside gzip, then the
/// inflated bytes sniffed and read as the CLI would. No analysis: the execs go to inflating and framing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = FuzzHarness.read(data, size, format: nil)
    return 0
}
