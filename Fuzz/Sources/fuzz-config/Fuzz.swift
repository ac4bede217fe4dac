import FuzzSupport
import TriageKit

/// Network config listings and GKE operations (JSON, YAML or text, sniffed as the CLI does), run
/// through the engine and its network checks.
@main
enum FuzzConfig {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            let collector = FuzzHarness.read(data, size, format: nil)
            if FuzzHarness.isDeep(data, size) { FuzzHarness.analyseAndRender(collector) }
            return 0
        }
    }
}
