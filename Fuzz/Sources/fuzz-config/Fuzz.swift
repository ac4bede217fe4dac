import FuzzSupport
import TriageKit

/// Network config listings and GKE operations (JSON, YAML or text, sniffed as the CLI does), run
/// through the engine and its network checks.
@main
enum FuzzConfig {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: nil))
            return 0
        }
    }
}
