import FuzzSupport
import TriageKit

/// NDJSON framing (one LogEntry a line) and the JSON scanner, then the engine over the flows.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: .ndjson))
    return 0
}
