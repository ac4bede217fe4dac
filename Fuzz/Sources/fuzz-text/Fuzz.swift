import FuzzSupport
import TriageKit

/// Pasted kubectl/gcloud text: tables (config listings, operations), describe blocks, error lines.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: .text))
    return 0
}
