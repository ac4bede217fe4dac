import FuzzSupport
import TriageKit

/// JSON arrays and concatenated JSON values (gcloud --format=json, jq), then the engine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: .jsonStream))
    return 0
}
