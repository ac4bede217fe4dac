import FuzzSupport
import TriageKit

/// NDJSON framing (one LogEntry a line) and the JSON scanner, then the engine over the flows.
@main
enum FuzzNDJSON {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            let collector = FuzzHarness.read(data, size, format: .ndjson)
            if FuzzHarness.isDeep(data, size) { FuzzHarness.analyseAndRender(collector) }
            return 0
        }
    }
}
