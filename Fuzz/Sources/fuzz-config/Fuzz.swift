import FuzzSupport
import TriageKit

/// Network config listings and GKE operations (JSON, YAML or text, sniffed as the CLI does), run
/// through the engine and its network checks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: nil))
    return 0
}
