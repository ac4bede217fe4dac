import FuzzSupport
import TriageKit

/// Pasted kubectl/gcloud text: tables (config listings, operations), describe blocks, error lines.
@main
enum FuzzText {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            FuzzHarness.analyseAndRender(FuzzHarness.read(data, size, format: .text))
            return 0
        }
    }
}
