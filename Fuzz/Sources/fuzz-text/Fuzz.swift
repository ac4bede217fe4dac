import FuzzSupport
import TriageKit

/// Pasted kubectl/gcloud text: tables (config listings, operations), describe blocks, error lines.
@main
enum FuzzText {
    static func main() {
        FuzzDriver.run { data, size in
            guard let data else { return 0 }
            let collector = FuzzHarness.read(data, size, format: .text)
            if FuzzHarness.isDeep(data, size) { FuzzHarness.analyseAndRender(collector) }
            return 0
        }
    }
}
