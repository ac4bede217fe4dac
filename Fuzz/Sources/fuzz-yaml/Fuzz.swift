import FuzzSupport
import TriageKit

/// YAML streams (gcloud --format=yaml): the YAML scanner, Yams decoding of documents, then the engine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: .yaml))
    return 0
}
